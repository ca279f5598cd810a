// A district on real Pods (the real test node of test/cluster/support/real-node: containerd,
// runc, kube-proxy, CoreDNS, kube-router), started by this benchmark on a fresh control plane:
// - Pod start latency on the real node (create → Ready, the RosterHub image), against the same
//   Pod on a kwok node (no container: the control plane's own share);
// - `kubectl apply` of a new instance → its first OneRoster answer (the API's Service answering
//   a rostering request) and → Ready, against the same instance on kwok nodes;
// - an upgrade (`spec.version` raised) → the new version Ready.
// Needs root, like the real node. Run: make build && node dist/bench/run.js real-district
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createTestNamespace } from '../test/cluster/support/cluster.js';
import { kubectl, kubectlJson, patchInstanceSpec, run } from '../test/cluster/support/kubectl.js';
import {
  installOperatorOnRealNode,
  nextMinorVersion,
  realDistrict,
  restrictedPodSpec,
} from '../test/cluster/support/real-node/district-fixtures.js';
import { tagRealNodeImage } from '../test/cluster/support/real-node/real-node.js';
import { startTestControlPlane } from '../test/cluster/support/test-control-plane.js';
import { findRepoRoot } from '../test/cluster/support/testbin.js';
import { percentile, reportResult, round } from './lib/result.js';

const POD_SAMPLES = 5;
const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
const say = (line: string) => process.stdout.write(`[real-district] ${line}\n`);
const elapsed = (since: number) => round((performance.now() - since) / 1000, 1);

/** Polls `probe` every 200 ms until it is true; returns the seconds since `since`. */
async function secondsUntil(since: number, probe: () => Promise<boolean> | boolean): Promise<number> {
  while (!(await probe())) await sleep(200);
  return elapsed(since);
}

interface Conditions {
  status?: { currentVersion?: string; conditions?: { type: string; status: string }[] };
}
const ready = (object: Conditions) =>
  object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

async function podStartSeconds(namespace: string, image: string, onRealNode: boolean): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < POD_SAMPLES; index++) {
    const name = `start-${onRealNode ? 'real' : 'kwok'}-${index}`;
    const started = performance.now();
    run(
      'kubectl',
      ['-n', namespace, 'apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: restrictedPodSpec(
          { name: 'idle', image, command: ['node', '-e', 'setInterval(() => {}, 1 << 30)'] },
          {},
          onRealNode,
        ),
      }),
    );
    samples.push(
      await secondsUntil(started, () =>
        ready(kubectlJson('-n', namespace, 'get', 'pod', name) as Conditions),
      ),
    );
    kubectl('-n', namespace, 'delete', 'pod', name, '--wait=false');
  }
  return samples.sort((a, b) => a - b);
}

/** Whether the district's API Service answers a OneRoster rostering request (401 without a token counts). */
async function answersOneRoster(namespace: string, name: string): Promise<boolean> {
  try {
    const service = kubectlJson('-n', namespace, 'get', 'service', `${name}-api`) as {
      spec: { clusterIP: string };
    };
    const answer = await fetch(`http://${service.spec.clusterIP}/ims/oneroster/rostering/v1p2/users`, {
      signal: AbortSignal.timeout(2000),
    });
    return [200, 401].includes(answer.status) && (answer.headers.get('content-type') ?? '').includes('json');
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const cluster = await startTestControlPlane(repoRoot, say);
  process.env.KUBECONFIG = cluster.state.kubeconfig;
  const { images } = cluster;
  try {
    const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted' };
    const pods = await createTestNamespace('bench-pods', restricted);
    const image = `${images.RH_IMAGE_REPOSITORY}:${images.RH_VERSION}`;
    const realStarts = await podStartSeconds(pods, image, true);
    const kwokStarts = await podStartSeconds(pods, image, false);
    say(`Pod start: real node p50 ${percentile(realStarts, 50)} s, kwok p50 ${percentile(kwokStarts, 50)} s`);

    const system = await createTestNamespace('bench-system', restricted);
    const onReal = await createTestNamespace('bench-real', restricted);
    const onKwok = await createTestNamespace('bench-kwok', restricted);
    installOperatorOnRealNode(images, join(repoRoot, 'charts', 'rosterhub-operator'), 'bench', system, [
      onReal,
      onKwok,
    ]);

    const kwokDistrict = realDistrict(images, 'district');
    delete (kwokDistrict.spec as Record<string, unknown>).scheduling;
    let started = performance.now();
    run('kubectl', ['-n', onKwok, 'apply', '-f', '-'], JSON.stringify(kwokDistrict));
    const kwokReady = await secondsUntil(started, () =>
      ready(kubectlJson('-n', onKwok, 'get', 'rhi', 'district') as Conditions),
    );
    say(`apply → Ready on kwok nodes: ${kwokReady} s`);

    started = performance.now();
    run('kubectl', ['-n', onReal, 'apply', '-f', '-'], JSON.stringify(realDistrict(images, 'district')));
    const firstAnswer = await secondsUntil(started, () => answersOneRoster(onReal, 'district'));
    const realReady = await secondsUntil(started, () =>
      ready(kubectlJson('-n', onReal, 'get', 'rhi', 'district') as Conditions),
    );
    say(`apply → first OneRoster answer on real Pods: ${firstAnswer} s; → Ready: ${realReady} s`);

    const next = nextMinorVersion(images.RH_VERSION);
    await tagRealNodeImage(image, `${images.RH_IMAGE_REPOSITORY}:${next}`);
    started = performance.now();
    patchInstanceSpec(onReal, 'district', { version: next });
    const upgradeReady = await secondsUntil(started, () => {
      const current = kubectlJson('-n', onReal, 'get', 'rhi', 'district') as Conditions;
      return current.status?.currentVersion === next && ready(current);
    });
    say(`spec.version raised → ${next} Ready on real Pods: ${upgradeReady} s`);

    reportResult({
      name: 'real-district',
      value: realReady,
      unit: 's',
      baseline: kwokReady,
      goal: 'apply → Ready on real Pods within 120 s, and an upgrade within 120 s (2 cores)',
      pass: realReady <= 120 && upgradeReady <= 120,
      details: {
        firstOneRosterAnswerSeconds: firstAnswer,
        upgradeReadySeconds: upgradeReady,
        podStartRealP50Seconds: percentile(realStarts, 50),
        podStartRealMaxSeconds: realStarts.at(-1) ?? Number.NaN,
        podStartKwokP50Seconds: percentile(kwokStarts, 50),
      },
    });
  } finally {
    await cluster.stop();
  }
}

await main();
process.exit();
