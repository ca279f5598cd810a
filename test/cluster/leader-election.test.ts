// Leader election against an API server that turns slow, silent or failing, behind a proxy that
// only one of two replicas goes through: their leading intervals must never overlap.
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from './support/cluster.js';
import { ApiProxy, type ProxyMode } from './support/api-proxy.js';
import { useOperatorSuite } from './support/operator-suite.js';
import type { ApiConnection } from '../../operator/kube/connection.js';
import { connectionFromKubeConfig } from '../../operator/kube/connection.js';
import { KubeClient } from '../../operator/kube/kube-client.js';
import { LeaderElector } from '../../operator/runtime/leader-election.js';

const suite = useOperatorSuite('election');

/** When a replica started and stopped leading (performance.now()). */
interface Term {
  replica: string;
  from: number;
  to?: number;
}

const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000 };

class Replica {
  readonly elector: LeaderElector;
  constructor(
    readonly name: string,
    connection: ApiConnection,
    lease: string,
    retryPeriodMs: number,
    terms: Term[],
  ) {
    this.elector = new LeaderElector(new KubeClient(connection), {
      namespace: suite.identity.namespace,
      name: lease,
      identity: name,
      ...timing,
      retryPeriodMs,
      onStartedLeading: () => terms.push({ replica: name, from: performance.now() }),
      onStoppedLeading: () => {
        const term = terms.findLast((t) => t.replica === name);
        if (term) term.to = performance.now();
      },
    });
  }
}

/** Two replicas: `a` reaches the API server through the proxy, `b` directly and polling fast. */
async function twoReplicas(lease: string) {
  const direct = connectionFromKubeConfig(await suite.identity.kubeConfig());
  const proxy = await ApiProxy.start(direct.server);
  const throughProxy = connectionFromKubeConfig(await suite.identity.kubeConfig());
  const viaProxy: ApiConnection = {
    server: proxy.url,
    requestOptions: () => throughProxy.requestOptions(),
    close: () => throughProxy.close(),
  };
  const terms: Term[] = [];
  // `b` retries fast: it takes over the moment the lease expires, the hardest case for `a`.
  const a = new Replica('a', viaProxy, lease, 500, terms);
  const b = new Replica('b', direct, lease, 100, terms);
  a.elector.start();
  await waitFor(async () => Promise.resolve(terms.some((term) => term.replica === 'a')));
  b.elector.start();
  await sleep(1000);
  return {
    proxy,
    terms,
    async stop() {
      proxy.mode = { kind: 'pass' };
      await b.elector.stop();
      await a.elector.stop();
      await proxy.close();
      direct.close();
    },
  };
}

function expectNoOverlap(terms: readonly Term[]): void {
  const sorted = [...terms].sort((x, y) => x.from - y.from);
  for (let i = 1; i < sorted.length; i += 1) {
    const previous = sorted[i - 1]!;
    const next = sorted[i]!;
    expect({ previous: previous.replica, ended: previous.to !== undefined }).toEqual({
      previous: previous.replica,
      ended: true,
    });
    expect(next.from - previous.to!).toBeGreaterThanOrEqual(0);
  }
}

describe('leader election under a bad API server', () => {
  it.each<[string, ProxyMode[]]>([
    ['slow answers, then silence', [{ kind: 'slowAnswers', delayMs: 800 }, { kind: 'stall' }]],
    ['silence', [{ kind: 'stall' }]],
    ['reset connections', [{ kind: 'refuse' }]],
  ])(
    'When the leader’s API server gives %s, then it steps down before the other replica takes over',
    async (label, modes) => {
      const replicas = await twoReplicas(`election-${label.replaceAll(/[^a-z]+/g, '-')}`);
      try {
        for (const mode of modes) {
          replicas.proxy.mode = mode;
          await sleep(2500);
        }
        await waitFor(async () => Promise.resolve(replicas.terms.some((term) => term.replica === 'b')));
        expect(replicas.terms.map((term) => term.replica)).toEqual(['a', 'b']);
        expectNoOverlap(replicas.terms);
      } finally {
        await replicas.stop();
      }
    },
  );

  it('When the leader’s event loop is blocked past the renew deadline, then it steps down and says that no renewal could start', async () => {
    const connection = connectionFromKubeConfig(await suite.identity.kubeConfig());
    const lost: { sinceRenewalMs: number; attempted: boolean }[] = [];
    let leading = false;
    const elector = new LeaderElector(new KubeClient(connection), {
      namespace: suite.identity.namespace,
      name: 'election-blocked',
      identity: 'blocked',
      ...timing,
      retryPeriodMs: 500,
      onStartedLeading: () => (leading = true),
      onStoppedLeading: (why) => {
        if (why) lost.push(why);
      },
    });
    try {
      elector.start();
      await waitFor(() => Promise.resolve(leading));
      const until = performance.now() + timing.renewDeadlineMs + 500;
      while (performance.now() < until) {
        // a synchronous stretch, as a long reconcile step would be
      }
      await waitFor(() => Promise.resolve(lost.length > 0));
      expect(lost[0]?.attempted).toBe(false);
      expect(lost[0]?.sinceRenewalMs).toBeGreaterThanOrEqual(timing.renewDeadlineMs);
    } finally {
      await elector.stop();
      connection.close();
    }
  });
});
