// Counts the requests one service account makes, by kind, from the API server itself: two
// FlowSchemas (API Priority and Fairness) match that account's requests — Lease writes and all
// other writes — and kube-apiserver's `apiserver_flowcontrol_dispatched_requests_total` counts
// what each dispatched. No proxy sits between the code under test and the API server.
import type { KubeConfig } from '@kubernetes/client-node';
import { request } from 'node:https';

const FLOW_SCHEMAS = '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas';
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_VERBS = ['get', 'list', 'watch'];

/** Requests of the account dispatched since the counter was created. */
export interface RequestCounts {
  /** create/update/patch/delete on anything but Leases. */
  writes: number;
  /** Writes on coordination.k8s.io Leases (leader election renewals). */
  leaseWrites: number;
  /** get/list/watch. */
  reads: number;
}

type Schema = keyof RequestCounts;

/** The requests one service account sends, counted by the API server. */
export class WriteCounter {
  readonly #admin: KubeConfig;
  readonly #names: Record<Schema, string>;
  #baseline: RequestCounts = { writes: 0, leaseWrites: 0, reads: 0 };

  private constructor(admin: KubeConfig, prefix: string) {
    this.#admin = admin;
    this.#names = {
      leaseWrites: `${prefix}-lease-writes`,
      writes: `${prefix}-writes`,
      reads: `${prefix}-reads`,
    };
  }

  /** Creates the FlowSchemas for `namespace/serviceAccount` (admin access needed). */
  static async create(admin: KubeConfig, namespace: string, serviceAccount: string): Promise<WriteCounter> {
    const counter = new WriteCounter(admin, `count-${namespace}-${serviceAccount}`.slice(0, 200));
    const subjects = [{ kind: 'ServiceAccount', serviceAccount: { namespace, name: serviceAccount } }];
    const rule = (verbs: string[], apiGroups: string[], resources: string[]) => ({
      subjects,
      resourceRules: [{ verbs, apiGroups, resources, namespaces: ['*'], clusterScope: true }],
      nonResourceRules: [{ verbs, nonResourceURLs: ['*'] }],
    });
    const schemas: [Schema, number, ReturnType<typeof rule>][] = [
      ['leaseWrites', 90, rule(WRITE_VERBS, ['coordination.k8s.io'], ['leases'])],
      ['writes', 91, rule(WRITE_VERBS, ['*'], ['*'])],
      ['reads', 92, rule(READ_VERBS, ['*'], ['*'])],
    ];
    for (const [schema, matchingPrecedence, matching] of schemas) {
      await counter.#call('POST', FLOW_SCHEMAS, {
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
        kind: 'FlowSchema',
        metadata: { name: counter.#names[schema] },
        spec: {
          matchingPrecedence,
          priorityLevelConfiguration: { name: 'workload-low' },
          distinguisherMethod: { type: 'ByUser' },
          rules: [schema === 'leaseWrites' ? { ...matching, nonResourceRules: [] } : matching],
        },
      });
    }
    counter.#baseline = await counter.#read();
    return counter;
  }

  /** Requests since creation (or since the last `reset`). */
  async counts(): Promise<RequestCounts> {
    const now = await this.#read();
    return {
      writes: now.writes - this.#baseline.writes,
      leaseWrites: now.leaseWrites - this.#baseline.leaseWrites,
      reads: now.reads - this.#baseline.reads,
    };
  }

  /** Starts counting from zero again. */
  async reset(): Promise<void> {
    this.#baseline = await this.#read();
  }

  async delete(): Promise<void> {
    for (const name of Object.values(this.#names)) await this.#call('DELETE', `${FLOW_SCHEMAS}/${name}`);
  }

  async #read(): Promise<RequestCounts> {
    const text = await this.#call('GET', '/metrics');
    const total = (schema: Schema): number => {
      let sum = 0;
      for (const line of text.split('\n')) {
        if (
          line.startsWith('apiserver_flowcontrol_dispatched_requests_total{') &&
          line.includes(`flow_schema="${this.#names[schema]}"`)
        ) {
          sum += Number(line.slice(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    };
    return { writes: total('writes'), leaseWrites: total('leaseWrites'), reads: total('reads') };
  }

  async #call(method: string, path: string, body?: unknown): Promise<string> {
    const server = this.#admin.getCurrentCluster()?.server;
    if (!server) throw new Error('the admin kubeconfig has no current cluster');
    const options: { method: string; headers: Record<string, string> } = {
      method,
      headers: { accept: body === undefined ? '*/*' : 'application/json' },
    };
    if (body !== undefined) options.headers['content-type'] = 'application/json';
    await this.#admin.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, server), options, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(text);
          else if (method === 'DELETE' && status === 404) resolve('');
          else reject(new Error(`${method} ${path}: ${status} ${text.slice(0, 300)}`));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body !== undefined) req.write(JSON.stringify(body));
      req.end();
    });
  }
}
