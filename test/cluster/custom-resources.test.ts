import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { apiFailure } from './support/api-errors.js';
import { adminKubeConfig, createTestNamespace, waitFor } from './support/cluster.js';

const kubeConfig = adminKubeConfig();
const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
const custom = kubeConfig.makeApiClient(CustomObjectsApi);

interface Widget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; resourceVersion?: string };
  spec: { minReplicas: number; maxReplicas: number | string };
  status?: { phase?: string };
}

const CEL_MESSAGE = 'minReplicas must not exceed maxReplicas';

/** A namespaced Widget CRD (unique group per test, as CRDs are cluster-wide): structural schema, a CEL rule, status subresource. */
function widgetDefinition(group: string): V1CustomResourceDefinition {
  return {
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: {
                spec: {
                  type: 'object',
                  required: ['minReplicas', 'maxReplicas'],
                  properties: {
                    minReplicas: { type: 'integer', minimum: 0 },
                    maxReplicas: { type: 'integer', minimum: 0 },
                  },
                  x_kubernetes_validations: [
                    { rule: 'self.minReplicas <= self.maxReplicas', message: CEL_MESSAGE },
                  ],
                },
                status: { type: 'object', properties: { phase: { type: 'string' } } },
              },
            },
          },
        },
      ],
    },
  };
}

describe('custom resource definitions', () => {
  it('When a CRD with a structural schema, a CEL rule and a status subresource is installed, then it serves valid objects and rejects invalid ones', async () => {
    const namespace = await createTestNamespace('crd');
    const group = `${namespace}.test.rosterhub.io`;
    const definition = widgetDefinition(group);
    await extensions.createCustomResourceDefinition({ body: definition });
    try {
      await waitFor(async () => {
        const crd = await extensions.readCustomResourceDefinitionStatus({ name: definition.metadata!.name! });
        return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      });
      const where = { group, version: 'v1alpha1', namespace, plural: 'widgets' };
      const widget = (spec: Widget['spec'], name: string): Widget => ({
        apiVersion: `${group}/v1alpha1`,
        kind: 'Widget',
        metadata: { name },
        spec,
      });

      const created = (await custom.createNamespacedCustomObject({
        ...where,
        body: { ...widget({ minReplicas: 1, maxReplicas: 3 }, 'valid'), status: { phase: 'Ignored' } },
      })) as Widget;
      expect(created.spec).toEqual({ minReplicas: 1, maxReplicas: 3 });
      expect(created.status).toBeUndefined(); // the status subresource owns status

      const celViolation = await apiFailure(
        custom.createNamespacedCustomObject({
          ...where,
          body: widget({ minReplicas: 5, maxReplicas: 2 }, 'inverted'),
        }),
      );
      expect(celViolation.code).toBe(422);
      expect(celViolation.status.message).toContain(CEL_MESSAGE);

      const schemaViolation = await apiFailure(
        custom.createNamespacedCustomObject({
          ...where,
          body: widget({ minReplicas: 1, maxReplicas: 'three' }, 'typo'),
        }),
      );
      expect(schemaViolation.code).toBe(422);
      expect(schemaViolation.status.message).toContain('spec.maxReplicas');

      const withStatus = (await custom.replaceNamespacedCustomObjectStatus({
        ...where,
        name: 'valid',
        body: { ...created, spec: { minReplicas: 0, maxReplicas: 9 }, status: { phase: 'Ready' } },
      })) as Widget;
      expect(withStatus.status?.phase).toBe('Ready');
      expect(withStatus.spec).toEqual({ minReplicas: 1, maxReplicas: 3 }); // /status ignores spec changes
    } finally {
      await extensions.deleteCustomResourceDefinition({ name: definition.metadata!.name! });
    }
  });
});
