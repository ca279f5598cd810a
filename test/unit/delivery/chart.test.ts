import { readdirSync, readFileSync } from 'node:fs';
import { rosterHubInstanceCrd } from '../../../operator/crd.js';
import { clusterScopedRules, leaderElectionRules, operatorClusterRules } from '../../../operator/rbac.js';
import { runRenderCommand } from '../../../cli/render-command.js';
import { chartAssets } from '../../../scripts/chart-assets.js';
import type { KubernetesObject } from '../../../cdk8s/index.js';
import { chartPath, renderChart, repoRoot, runHelm } from './helm.js';

const ciValues = readdirSync(`${chartPath}/ci`)
  .filter((file) => file.endsWith('-values.yaml'))
  .sort();
const monitoring = [
  '--api-versions',
  'monitoring.coreos.com/v1/ServiceMonitor',
  '--api-versions',
  'monitoring.coreos.com/v1/PrometheusRule',
];

const find = (objects: KubernetesObject[], kind: string): KubernetesObject[] =>
  objects.filter((o) => o.kind === kind);
const one = (objects: KubernetesObject[], kind: string): KubernetesObject => {
  const found = find(objects, kind);
  expect(found).toHaveLength(1);
  return found[0]!;
};

interface Container {
  env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  securityContext: Record<string, unknown>;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  args: string[];
}
interface DeploymentShape {
  spec: {
    replicas: number;
    template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } };
  };
}

describe('Helm chart rosterhub-operator', () => {
  it('When the chart is linted, then there is at least one ci values file and the chart is valid with each', () => {
    expect(ciValues.length).toBeGreaterThanOrEqual(3);
    for (const file of ciValues) {
      const lint = runHelm(['lint', '--strict', chartPath, '-f', `${chartPath}/ci/${file}`]);
      expect({ file, status: lint.status, output: lint.stdout + lint.stderr }).toMatchObject({ status: 0 });
    }
  });

  it.each(ciValues)(
    'When %s is rendered, then every object carries a name and the release labels',
    (file) => {
      for (const extra of [[], monitoring]) {
        const objects = renderChart(`${chartPath}/ci/${file}`, extra);
        expect(objects.length).toBeGreaterThan(0);
        for (const object of objects) {
          expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
          if (object.kind !== 'CustomResourceDefinition') {
            expect(object.metadata.labels?.['app.kubernetes.io/instance']).toBe('rh');
          }
        }
      }
    },
  );

  it('When values break the schema, then helm refuses to render', () => {
    for (const bad of ['replicaCount=0', 'operator.logLevel=loud', 'unknownKey=1', 'image.digest=latest']) {
      const result = runHelm(['template', 'rh', chartPath, '--set', bad]);
      expect({ bad, status: result.status }).toEqual({ bad, status: 1 });
    }
  });

  describe('with the default values', () => {
    const objects = renderChart(`${chartPath}/ci/default-values.yaml`, monitoring);
    const deployment = one(objects, 'Deployment') as unknown as DeploymentShape;
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0]!;
    const env = new Map(container.env.map((e) => [e.name, e]));

    it('When the operator runs, then two replicas compete for the lease named by the downward API', () => {
      expect(deployment.spec.replicas).toBe(2);
      expect(container.args).toEqual(['operator']);
      expect(env.get('LEADER_ELECT')?.value).toBe('true');
      expect(env.get('LEASE_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
      expect(env.get('POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
      expect(env.get('WATCH_NAMESPACES')?.value).toBe('');
    });

    it('When the Pod is admitted, then it meets Pod Security "restricted" and sets requests and limits', () => {
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 65532,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(Object.keys(container.resources.requests ?? {})).toEqual(
        expect.arrayContaining(['cpu', 'memory']),
      );
      expect(Object.keys(container.resources.limits ?? {})).toEqual(expect.arrayContaining(['memory']));
    });

    it('When the kubelet probes, then /healthz and /readyz answer on port 8081, which the metrics Service targets', () => {
      expect(container.ports).toEqual([{ name: 'http-metrics', containerPort: 8081, protocol: 'TCP' }]);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http-metrics' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http-metrics' });
      expect(env.get('HEALTH_PORT')?.value).toBe('8081');
      const service = one(objects, 'Service') as unknown as { spec: { ports: { targetPort: string }[] } };
      expect(service.spec.ports[0]?.targetPort).toBe('http-metrics');
    });

    it('When RBAC is rendered, then the ClusterRoles and leader-election Role are exactly the rules in operator/rbac.ts', () => {
      const roles = find(objects, 'ClusterRole') as unknown as {
        metadata: { name: string };
        rules: unknown;
      }[];
      const kindOf = (name: string) => (name.endsWith('-cluster-scoped') ? 'cluster-scoped' : 'operator');
      expect(Object.fromEntries(roles.map((role) => [kindOf(role.metadata.name), role.rules]))).toEqual({
        operator: operatorClusterRules(),
        'cluster-scoped': clusterScopedRules(),
      });
      const role = one(objects, 'Role') as unknown as { rules: unknown; metadata: { namespace: string } };
      expect(role.rules).toEqual(leaderElectionRules());
      expect(role.metadata.namespace).toBe('rosterhub-system');
      const binding = find(objects, 'ClusterRoleBinding').find(
        (candidate) => !candidate.metadata.name.endsWith('-cluster-scoped'),
      ) as unknown as { subjects: { name: string; namespace: string }[] };
      const serviceAccount = one(objects, 'ServiceAccount');
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: 'rosterhub-system' },
      ]);
    });

    it('When the CRD is rendered, then it is the one operator/crd.ts generates, kept on helm uninstall', () => {
      const crd = one(objects, 'CustomResourceDefinition');
      expect(crd.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
      const expected = rosterHubInstanceCrd();
      expect({ ...crd, metadata: { ...crd.metadata, annotations: undefined } }).toEqual({
        ...expected,
        metadata: { ...(expected.metadata as object), annotations: undefined },
      });
    });

    it('When dashboards are rendered, then each dashboards/*.json becomes a ConfigMap with the sidecar label', () => {
      const files = readdirSync(`${repoRoot}dashboards`).filter((file) => file.endsWith('.json'));
      const configMaps = find(objects, 'ConfigMap') as (KubernetesObject & {
        data: Record<string, string>;
      })[];
      expect(configMaps).toHaveLength(files.length);
      for (const file of files) {
        const configMap = configMaps.find((c) => file in c.data);
        expect(configMap?.metadata.labels?.grafana_dashboard).toBe('1');
        expect(JSON.parse(configMap?.data[file] ?? '')).toEqual(
          JSON.parse(readFileSync(`${repoRoot}dashboards/${file}`, 'utf8')),
        );
      }
    });

    it('When the cluster serves monitoring.coreos.com/v1, then a ServiceMonitor and the PrometheusRule exist; otherwise neither', () => {
      const rule = one(objects, 'PrometheusRule') as unknown as { spec: { groups: { name: string }[] } };
      expect(rule.spec.groups.map((g) => g.name)).toContain('rosterhub-operator');
      expect(find(objects, 'ServiceMonitor')).toHaveLength(1);
      const without = renderChart(`${chartPath}/ci/default-values.yaml`);
      expect(find(without, 'ServiceMonitor')).toHaveLength(0);
      expect(find(without, 'PrometheusRule')).toHaveLength(0);
      // Each kind is checked on its own: a cluster may serve ServiceMonitor without PrometheusRule.
      const onlyMonitors = renderChart(`${chartPath}/ci/default-values.yaml`, [
        '--api-versions',
        'monitoring.coreos.com/v1/ServiceMonitor',
      ]);
      expect(find(onlyMonitors, 'ServiceMonitor')).toHaveLength(1);
      expect(find(onlyMonitors, 'PrometheusRule')).toHaveLength(0);
    });

    it('When nodes drain, then a PodDisruptionBudget keeps one replica, and a NetworkPolicy limits traffic', () => {
      expect(one(objects, 'PodDisruptionBudget')).toMatchObject({ spec: { minAvailable: 1 } });
      expect(one(objects, 'NetworkPolicy')).toMatchObject({ spec: { policyTypes: ['Ingress', 'Egress'] } });
    });
  });

  it('When namespaces are listed, then the ClusterRole is bound in each of them only and the dashboard label follows the values', () => {
    const objects = renderChart(`${chartPath}/ci/namespaced-values.yaml`, monitoring);
    // Only the cluster-scoped reads (StorageClasses) are bound cluster-wide: a RoleBinding cannot grant them.
    const clusterBindings = find(objects, 'ClusterRoleBinding') as unknown as { roleRef: { name: string } }[];
    expect(clusterBindings.map((binding) => binding.roleRef.name)).toEqual([
      expect.stringMatching(/-cluster-scoped$/) as unknown,
    ]);
    const clusterScoped = find(objects, 'ClusterRole').find((role) =>
      role.metadata.name.endsWith('-cluster-scoped'),
    );
    expect((clusterScoped as unknown as { rules: unknown }).rules).toEqual(clusterScopedRules());
    const bindings = find(objects, 'RoleBinding') as unknown as {
      metadata: { namespace: string };
      roleRef: { kind: string };
    }[];
    expect(bindings.filter((b) => b.roleRef.kind === 'ClusterRole').map((b) => b.metadata.namespace)).toEqual(
      ['district-a', 'district-b'],
    );
    const deployment = one(objects, 'Deployment') as unknown as DeploymentShape;
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.env.find((e) => e.name === 'WATCH_NAMESPACES')?.value).toBe('district-a,district-b');
    expect((container as unknown as { image: string }).image).toMatch(/@sha256:0{64}$/);
    for (const configMap of find(objects, 'ConfigMap')) {
      expect(configMap.metadata.labels?.grafana_dashboard).toBe('true');
      expect(configMap.metadata.namespace).toBe('monitoring');
    }
    expect(one(objects, 'ServiceMonitor').metadata.labels?.release).toBe('kps');
  });

  it('When the CRD is managed outside Helm and leader election is off, then no CRD, PDB or lease settings are rendered', () => {
    const objects = renderChart(`${chartPath}/ci/minimal-values.yaml`, monitoring);
    expect(find(objects, 'CustomResourceDefinition')).toHaveLength(0);
    expect(find(objects, 'PodDisruptionBudget')).toHaveLength(0);
    expect(find(objects, 'ConfigMap')).toHaveLength(0);
    const deployment = one(objects, 'Deployment') as unknown as DeploymentShape;
    expect(deployment.spec.replicas).toBe(1);
    expect(
      deployment.spec.template.spec.containers[0]!.env.find((e) => e.name === 'LEADER_ELECT')?.value,
    ).toBe('false');
  });

  it('When code or dashboards change, then the chart’s generated files match them (run `make chart`)', () => {
    const assets = chartAssets();
    for (const [path, content] of assets) {
      expect({ path, content: readFileSync(`${repoRoot}${path}`, 'utf8') }).toEqual({ path, content });
    }
    const copies = readdirSync(`${chartPath}/dashboards`).map(
      (file) => `charts/rosterhub-operator/dashboards/${file}`,
    );
    expect(copies.filter((path) => !assets.has(path))).toEqual([]);
  });

  it.each(['kind', 'aks', 'eks'])(
    'When examples/%s.yaml is rendered, then it is a valid RosterHubInstance for that platform',
    (platform) => {
      const path = `${chartPath}/examples/${platform}.yaml`;
      let stdout = '';
      let stderr = '';
      const status = runRenderCommand(['-f', path], {
        readFile: (file) => readFileSync(file, 'utf8'),
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
      });
      expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
      expect(stdout).toContain('kind: Deployment');
      expect(readFileSync(path, 'utf8')).toContain(`platform: ${platform}`);
    },
  );
});

describe('supported Kubernetes versions', () => {
  it('When the chart says which Kubernetes it needs, then that is the oldest version the cluster tests run (scripts/k8s-testbin.sh --oldest)', () => {
    const chart = readFileSync(`${chartPath}/Chart.yaml`, 'utf8');
    const script = readFileSync(`${repoRoot}/scripts/k8s-testbin.sh`, 'utf8');
    const oldest = /^OLDEST_K8S_VERSION=(\d+)\.(\d+)\.\d+$/m.exec(script);
    expect(oldest).not.toBeNull();
    expect(/^kubeVersion: '(.*)'$/m.exec(chart)?.[1]).toBe(`>=${oldest![1]}.${oldest![2]}.0-0`);
  });
});
