import { Type } from '@sinclair/typebox';
import { parseQuantity } from '../quantity.js';
import { PatternString, StringEnum, StringMap, patterns, withRules } from './schema-helpers.js';

/** Requests and limits a workload gets when the spec names none. */
export interface ResourceDefaults {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

function cpu(description: string, defaultValue: string) {
  return PatternString(patterns.cpu, 32, { description, default: defaultValue });
}

function memory(description: string, defaultValue: string) {
  return PatternString(patterns.bytes, 32, { description, default: defaultValue });
}

/** Container requests and limits, each field defaulted on its own; `note` ends the description. */
export function Resources(what: string, defaults: ResourceDefaults, note?: string) {
  return withRules(
    Type.Object(
      {
        requests: Type.Object(
          {
            cpu: cpu('CPU the scheduler reserves (e.g. `250m`).', defaults.requests.cpu),
            memory: memory('Memory the scheduler reserves (e.g. `384Mi`).', defaults.requests.memory),
          },
          { additionalProperties: false, default: {}, description: 'What the scheduler reserves.' },
        ),
        limits: Type.Object(
          {
            cpu: cpu('CPU above which the container is throttled.', defaults.limits.cpu),
            memory: memory('Memory above which the container is killed (OOM).', defaults.limits.memory),
          },
          { additionalProperties: false, default: {}, description: 'Hard ceilings.' },
        ),
      },
      {
        additionalProperties: false,
        default: {},
        description: `Requests and limits of the ${what} container. Every container gets explicit values.${note ? ` ${note}` : ''}`,
      },
    ),
    [
      {
        rule: 'quantity(self.requests.cpu).compareTo(quantity(self.limits.cpu)) <= 0 && quantity(self.requests.memory).compareTo(quantity(self.limits.memory)) <= 0',
        message: 'requests may not exceed limits',
        fieldPath: '.requests',
        holds: (self) =>
          parseQuantity(self.requests.cpu) <= parseQuantity(self.limits.cpu) &&
          parseQuantity(self.requests.memory) <= parseQuantity(self.limits.memory),
      },
    ],
  );
}

/** `spec.image` */
export const ImageSpec = Type.Object(
  {
    repository: PatternString('^[a-z0-9]([-a-z0-9._:/]*[a-z0-9])?$', 255, {
      description:
        'Image repository without a tag; the tag is `spec.version`. Used by the API, worker, migration and backup containers.',
      default: 'ghcr.io/rosterhub/rosterhub',
    }),
    pullPolicy: StringEnum(['Always', 'IfNotPresent', 'Never'], {
      description: 'When the kubelet pulls the image.',
      default: 'IfNotPresent',
    }),
    pullSecrets: Type.Array(
      PatternString(patterns.dnsSubdomain, 253, { description: 'Name of a docker-registry Secret.' }),
      {
        description:
          'Secrets of type kubernetes.io/dockerconfigjson used to pull every image of the instance.',
        maxItems: 8,
        default: [],
      },
    ),
  },
  { additionalProperties: false, default: {}, description: 'The RosterHub container image.' },
);

/** One entry of `spec.scheduling.tolerations`, as a Pod's toleration. */
const Toleration = Type.Object(
  {
    key: Type.Optional(
      Type.String({ maxLength: 317, description: 'Taint key; empty with `Exists` matches every taint.' }),
    ),
    operator: StringEnum(['Equal', 'Exists'], { description: 'How `value` is compared.', default: 'Equal' }),
    value: Type.Optional(Type.String({ maxLength: 63, description: 'Taint value (with `Equal`).' })),
    effect: Type.Optional(
      StringEnum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], {
        description: 'Taint effect to tolerate; every effect when absent.',
      }),
    ),
    tolerationSeconds: Type.Optional(
      Type.Integer({ minimum: 0, description: 'How long a `NoExecute` taint is tolerated.' }),
    ),
  },
  { additionalProperties: false },
);

/** `spec.scheduling` */
export const SchedulingSpec = Type.Object(
  {
    nodeSelector: StringMap('Node labels every Pod of the instance requires (a dedicated node pool).', {}),
    tolerations: Type.Array(Toleration, {
      description: 'Taints every Pod of the instance tolerates (a tainted, dedicated node pool).',
      maxItems: 16,
      default: [],
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      'Where the Pods of the instance run: the API, worker, migration, backup, PostgreSQL and Redis Pods all get these.',
  },
);

/** `spec.api.ingress` */
export const IngressSpec = Type.Object(
  {
    host: PatternString(patterns.hostname, 253, {
      description: 'Host name clients use, e.g. `oneroster.district.example`.',
    }),
    className: Type.Optional(
      PatternString(patterns.dnsSubdomain, 253, {
        description:
          'IngressClass to use. Default: the platform profile (kind `nginx`, aks `webapprouting.kubernetes.azure.com`, eks `alb`).',
      }),
    ),
    tls: Type.Optional(
      Type.Object(
        {
          secretName: PatternString(patterns.dnsSubdomain, 253, {
            description: 'Secret of type kubernetes.io/tls holding the certificate for `host`.',
          }),
        },
        { additionalProperties: false, description: 'Terminate TLS at the Ingress with this certificate.' },
      ),
    ),
    annotations: Type.Optional(
      StringMap('Extra Ingress annotations, merged over those of the platform profile.'),
    ),
  },
  {
    additionalProperties: false,
    description: 'Expose the API outside the cluster. Without it, the API is reachable in-cluster only.',
  },
);

/** `spec.api` */
export const ApiSpec = Type.Object(
  {
    replicas: Type.Integer({
      description: 'Number of API Pods (fixed; the API is not autoscaled).',
      minimum: 1,
      maximum: 50,
      default: 2,
    }),
    resources: Resources('API', {
      requests: { cpu: '250m', memory: '384Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    }),
    ingress: Type.Optional(IngressSpec),
  },
  { additionalProperties: false, default: {}, description: 'The OneRoster HTTP API (`rosterhub api`).' },
);

/** `spec.worker` */
export const WorkerSpec = withRules(
  Type.Object(
    {
      minReplicas: Type.Integer({
        description: 'Fewest worker Pods the HorizontalPodAutoscaler keeps.',
        minimum: 1,
        maximum: 100,
        default: 1,
      }),
      maxReplicas: Type.Integer({
        description: 'Most worker Pods the HorizontalPodAutoscaler starts.',
        minimum: 1,
        maximum: 100,
        default: 4,
      }),
      targetCPUUtilizationPercentage: Type.Integer({
        description: 'Average CPU use, in percent of the CPU request, the autoscaler aims for.',
        minimum: 10,
        maximum: 100,
        default: 70,
      }),
      resources: Resources('worker', {
        requests: { cpu: '250m', memory: '384Mi' },
        limits: { cpu: '1', memory: '768Mi' },
      }),
    },
    {
      additionalProperties: false,
      default: {},
      description:
        'Background import workers (`rosterhub worker`), scaled by a HorizontalPodAutoscaler that owns their replica count.',
    },
  ),
  [
    {
      rule: 'self.minReplicas <= self.maxReplicas',
      message: 'minReplicas may not exceed maxReplicas',
      fieldPath: '.minReplicas',
      holds: (self) => self.minReplicas <= self.maxReplicas,
    },
  ],
);
