// make e2e, on real Pods: the chart's operator runs from its image in its own Pods, two
// districts run their API, worker, PostgreSQL, Redis and migration Job as real containers on the
// real test node (test/cluster/support/real-node), with NetworkPolicies enforced by kube-router.
// A CSV package goes in through the API from a Pod in the cluster and comes out to a OneRoster
// consumer Pod; the version is raised under a reading consumer; a Retain deletion keeps the data.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeCsvPackage } from '../../../api/generator/csv.js';
import { SIZES, generateDistrict } from '../../../api/generator/district.js';
import { zipFolder } from '../../integration/imports/support.js';
import { createTestNamespace, waitFor } from '../support/cluster.js';
import {
  bestEffort,
  exists,
  kubectl,
  kubectlJson,
  patchInstanceSpec,
  run,
  toolsDir,
} from '../support/kubectl.js';
import { IMPORT_LOCK_SQL } from '../../../api/imports/importer.js';
import {
  installOperatorOnRealNode,
  nextMinorVersion,
  nodeImagesFromEnv,
  realDistrict,
  restrictedPodSpec,
} from '../support/real-node/district-fixtures.js';
import { REAL_NODE } from '../support/real-node/node-config.js';
import { tagRealNodeImage } from '../support/real-node/real-node.js';

const STEP_TIMEOUT_MS = 300_000;
/** Where a long step is, on stderr: a timeout then says which wait it was. */
const progress = (line: string): boolean => process.stderr.write(`[real-district] ${line}\n`);
const images = nodeImagesFromEnv();
/** The version the upgrade goes to: the same image under a higher tag. */
const nextVersion = nextMinorVersion(images.RH_VERSION);
const chart = new URL('../../../charts/rosterhub-operator', import.meta.url).pathname;
const release = `real-${Math.random().toString(16).slice(2, 8)}`;
const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted' };
let system: string;
let districtA: string;
let districtB: string;
let clients: string;
let storage: string;
let districtC: string;
let work: string;
let packageZip: Buffer;
let usersInPackage: number;

interface Instance {
  status?: { phase?: string; currentVersion?: string; conditions?: { type: string; status: string }[] };
}
const instance = (namespace: string, name: string) =>
  kubectlJson('-n', namespace, 'get', 'rhi', name) as Instance;
const isReady = (i: Instance) =>
  i.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

interface PodList {
  items: {
    metadata: { name: string; labels?: Record<string, string>; ownerReferences?: { kind: string }[] };
    spec: { nodeName?: string };
    status: { phase?: string; conditions?: { type: string; status: string }[] };
  }[];
}
const pods = (namespace: string, selector?: string) =>
  kubectlJson('-n', namespace, 'get', 'pods', ...(selector ? ['-l', selector] : [])) as PodList;
const podReady = (pod: PodList['items'][number]) =>
  pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

const districtSpec = (name: string, version = images.RH_VERSION) => realDistrict(images, name, version);

const apiUrl = (namespace: string, name: string) => `http://${name}-api.${namespace}.svc.cluster.local`;

/** A restricted Pod on the real node running `script` (an ES module) in the RosterHub image. */
function podManifest(name: string, script: string, envVars: Record<string, string>, configMap?: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { 'rosterhub.io/e2e-client': name } },
    spec: restrictedPodSpec(
      {
        name: 'client',
        image: `${images.RH_IMAGE_REPOSITORY}:${images.RH_VERSION}`,
        command: ['node', '--input-type=module', '-e', script],
        env: Object.entries(envVars).map(([key, value]) => ({ name: key, value })),
        ...(configMap ? { volumeMounts: [{ name: 'input', mountPath: '/input' }] } : {}),
      },
      {
        restartPolicy: 'Never',
        ...(configMap ? { volumes: [{ name: 'input', configMap: { name: configMap } }] } : {}),
      },
    ),
  };
}

/** Runs a client Pod to its end; returns its last output line, parsed as JSON. */
async function runClient<T>(
  namespace: string,
  name: string,
  script: string,
  envVars: Record<string, string>,
  configMap?: string,
): Promise<T> {
  run(
    'kubectl',
    ['-n', namespace, 'apply', '-f', '-'],
    JSON.stringify(podManifest(name, script, envVars, configMap)),
  );
  const phase = await waitFor(() => {
    const pod = kubectlJson('-n', namespace, 'get', 'pod', name) as { status: { phase?: string } };
    return Promise.resolve(
      ['Succeeded', 'Failed'].includes(pod.status.phase ?? '') ? pod.status.phase : false,
    );
  }, 500);
  const logs = kubectl('-n', namespace, 'logs', name);
  kubectl('-n', namespace, 'delete', 'pod', name, '--wait=false');
  if (phase !== 'Succeeded') throw new Error(`client Pod ${name} failed:\n${logs}`);
  return JSON.parse(logs.trim().split('\n').at(-1) ?? 'null') as T;
}

/** Where kubectl finds the plugin: a folder on PATH holding `kubectl-rosterhub`, as npm or krew installs it. */
async function pluginPath(): Promise<string> {
  const dir = join(work, 'plugin-bin');
  await mkdir(dir, { recursive: true });
  await symlink(
    new URL('../../../bin/kubectl-rosterhub.js', import.meta.url).pathname,
    join(dir, 'kubectl-rosterhub'),
  ).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  return dir;
}

/** `kubectl rosterhub ARGS` through kubectl's plugin lookup. */
function kubectlPlugin(
  pluginDir: string,
  args: string[],
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(`${toolsDir}/kubectl`, ['rosterhub', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${pluginDir}:${toolsDir}:${process.env.PATH ?? ''}` },
    maxBuffer: 32 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** kubectl arguments that run psql with `args` in district A's PostgreSQL Pod. */
const psqlInDistrictA = (...args: string[]): string[] => [
  '-n',
  districtA,
  'exec',
  'district-a-postgres-0',
  '--',
  'psql',
  '-U',
  'rosterhub',
  '-d',
  'rosterhub',
  ...args,
];

/** `kubectl exec` of a command that prints JSON, parsed. */
// Runs in a client Pod: the number of users a consumer sees, or (status 0) why the API could not
// be reached at all, e.g. while no API Pod is ready.
const COUNT_USERS = String.raw`
const base = process.env.API;
try {
  const token = await (await fetch(base + '/oauth/token', { method: 'POST', headers: { authorization: 'Basic ' + Buffer.from(process.env.CLIENT_ID + ':' + process.env.CLIENT_SECRET).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&scope=' + encodeURIComponent(process.env.SCOPE) })).json();
  const answer = await fetch(base + '/ims/oneroster/rostering/v1p2/users?limit=1', { headers: { authorization: 'Bearer ' + token.access_token } });
  console.log(JSON.stringify({ status: answer.status, total: Number(answer.headers.get('x-total-count')) }));
} catch (error) {
  console.log(JSON.stringify({ status: 0, error: String(error.cause?.code ?? error.message) }));
}
`;

interface JobStatus {
  status: { succeeded?: number; failed?: number };
}

/** Waits for a Job to end; returns its Pod's last log line parsed as JSON (throws with the log when it failed). */
async function jobResult(namespace: string, name: string): Promise<Record<string, unknown>> {
  const job = await waitFor<JobStatus>(() => {
    const current = kubectlJson('-n', namespace, 'get', 'job', name) as JobStatus;
    return Promise.resolve(
      (current.status.succeeded ?? 0) > 0 || (current.status.failed ?? 0) > 0 ? current : false,
    );
  }, 1000);
  const logs = kubectl('-n', namespace, 'logs', `job/${name}`);
  if (!job.status.succeeded) throw new Error(`Job ${name} failed:\n${logs}`);
  return JSON.parse(logs.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

/** The S3 destination of the in-cluster s3rver, with its credentials Secret in `namespace`. */
function s3Destination(namespace: string): Record<string, unknown> {
  run(
    'kubectl',
    ['-n', namespace, 'apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's3-credentials' },
      // s3rver's own account
      stringData: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    }),
  );
  return {
    type: 's3',
    s3: {
      bucket: 'district-backups',
      region: 'us-east-1',
      endpoint: `http://s3rver.${storage}.svc.cluster.local:9000`,
      forcePathStyle: true,
    },
    credentialsSecretRef: { name: 's3-credentials' },
  };
}

const execJson = (namespace: string, target: string, ...command: string[]): unknown =>
  JSON.parse(kubectl('-n', namespace, 'exec', target, '--', ...command));

// Runs in a client Pod: upload the package, follow the job, then read as a OneRoster consumer.
const IMPORT_AND_READ = String.raw`
import { readFileSync } from 'node:fs';
const base = process.env.API;
const form = new FormData();
form.append('package', new Blob([readFileSync('/input/package.zip')], { type: 'application/zip' }), 'package.zip');
const upload = await fetch(base + '/rosterhub/v1/imports', { method: 'POST', headers: { authorization: 'Bearer ' + process.env.ADMIN_KEY }, body: form });
let job = await upload.json();
if (upload.status !== 202) {
  console.error('upload answered ' + upload.status + ': ' + JSON.stringify(job));
  process.exit(1);
}
const deadline = Date.now() + 180000;
while (!['completed', 'rejected', 'failed'].includes(job.state)) {
  if (Date.now() > deadline) {
    console.error('the import did not finish in 180 s: ' + JSON.stringify(job));
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  job = await (await fetch(base + '/rosterhub/v1/imports/' + job.id, { headers: { authorization: 'Bearer ' + process.env.ADMIN_KEY } })).json();
}
const token = await (await fetch(base + '/oauth/token', {
  method: 'POST',
  headers: { authorization: 'Basic ' + Buffer.from(process.env.CLIENT_ID + ':' + process.env.CLIENT_SECRET).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials&scope=' + encodeURIComponent(process.env.SCOPE),
})).json();
const counts = {};
for (const resource of ['users', 'classes', 'enrollments']) {
  const answer = await fetch(base + '/ims/oneroster/rostering/v1p2/' + resource + '?limit=1', { headers: { authorization: 'Bearer ' + token.access_token } });
  counts[resource] = { status: answer.status, total: Number(answer.headers.get('x-total-count')) };
}
console.log(JSON.stringify({ uploadStatus: upload.status, state: job.state, rows: job.rows, counts }));
`;

// Runs in a client Pod until /tmp/stop exists: reads users in a loop, counting failures.
const READ_IN_A_LOOP = String.raw`
import { existsSync } from 'node:fs';
const base = process.env.API;
const token = await (await fetch(base + '/oauth/token', {
  method: 'POST',
  headers: { authorization: 'Basic ' + Buffer.from(process.env.CLIENT_ID + ':' + process.env.CLIENT_SECRET).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials&scope=' + encodeURIComponent(process.env.SCOPE),
})).json();
let ok = 0;
const failures = [];
while (!existsSync('/tmp/stop')) {
  try {
    const answer = await fetch(base + '/ims/oneroster/rostering/v1p2/users?limit=5', { headers: { authorization: 'Bearer ' + token.access_token } });
    await answer.arrayBuffer();
    if (answer.status === 200) ok++; else failures.push(answer.status);
  } catch (error) {
    failures.push(String(error.cause?.code ?? error.message));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}
console.log(JSON.stringify({ ok, failures }));
`;

// Runs in a Pod: tries a TCP connection to each HOST:PORT of TARGETS (comma-separated).
const CONNECT = String.raw`
import { connect } from 'node:net';
const results = {};
for (const target of process.env.TARGETS.split(',')) {
  const [host, port] = target.split(':');
  results[target] = await new Promise((resolve) => {
    const socket = connect({ host, port: Number(port), timeout: 3000 });
    socket.on('connect', () => { socket.destroy(); resolve('connected'); });
    socket.on('timeout', () => { socket.destroy(); resolve('timeout'); });
    socket.on('error', (error) => resolve(error.code));
  });
}
console.log(JSON.stringify(results));
`;

let consumer: { clientId: string; clientSecret: string };
let adminKey: string;
const SCOPE = 'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly';

beforeAll(async () => {
  system = await createTestNamespace('real-rosterhub-system', restricted);
  districtA = await createTestNamespace('real-district-a', restricted);
  districtB = await createTestNamespace('real-district-b', restricted);
  clients = await createTestNamespace('real-clients', restricted);
  storage = await createTestNamespace('real-storage', restricted);
  districtC = await createTestNamespace('real-district-c', restricted);
  work = await mkdtemp(join(tmpdir(), 'rh-real-district-'));
  await writeCsvPackage(generateDistrict(SIZES.small, 3), join(work, 'package'));
  packageZip = await zipFolder(join(work, 'package'));
  usersInPackage =
    (await readFile(join(work, 'package', 'users.csv'), 'utf8')).split('\r\n').filter((line) => line !== '')
      .length - 1;
  await tagRealNodeImage(
    `${images.RH_IMAGE_REPOSITORY}:${images.RH_VERSION}`,
    `${images.RH_IMAGE_REPOSITORY}:${nextVersion}`,
  );
});

afterAll(async () => {
  bestEffort('helm', ['uninstall', release, '-n', system, '--wait', '--timeout', '60s']);
  for (const namespace of [districtA, districtB, districtC, clients, storage, system])
    bestEffort('kubectl', ['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
  await rm(work, { recursive: true, force: true });
});

// Each step builds on the ones before: once one fails, the later ones fail at once instead of
// waiting for a district that will never be Ready.
let failedStep: string | undefined;
function step(name: string, body: () => Promise<void>): void {
  it(
    name,
    async () => {
      if (failedStep) throw new Error(`not run: the earlier step failed: ${failedStep}`);
      // set until the body succeeds, so that a step jest times out counts as failed too
      failedStep = name;
      await body();
      failedStep = undefined;
    },
    STEP_TIMEOUT_MS,
  );
}

describe('A district on real Pods', () => {
  step(
    'When the chart is installed with the built operator image, then both operator Pods run on the real node, pass their probes, and one leads',
    async () => {
      installOperatorOnRealNode(images, chart, release, system, [districtA, districtB, districtC]);
      const operators = pods(system, 'app.kubernetes.io/name=rosterhub-operator').items;
      expect(operators).toHaveLength(2);
      for (const pod of operators) {
        expect(pod.spec.nodeName).toBe(REAL_NODE.name);
        expect(podReady(pod)).toBe(true);
      }
      const holder = await waitFor<string>(() => {
        const lease = kubectlJson('-n', system, 'get', 'lease', 'rosterhub-operator') as {
          spec: { holderIdentity?: string };
        };
        return Promise.resolve(lease.spec.holderIdentity ?? false);
      }, 500);
      expect(operators.map((pod) => pod.metadata.name)).toContain(holder.split('_')[0]);
    },
  );

  step(
    'When two districts are applied, then every Pod runs on the real node and turns Ready through its probes, the migration Job ran, and the API answers through its Service',
    async () => {
      for (const [namespace, name] of [
        [districtA, 'district-a'],
        [districtB, 'district-b'],
      ] as const)
        run('kubectl', ['-n', namespace, 'apply', '-f', '-'], JSON.stringify(districtSpec(name)));
      await waitFor(
        () =>
          Promise.resolve(
            isReady(instance(districtA, 'district-a')) && isReady(instance(districtB, 'district-b')),
          ),
        1000,
      );
      for (const namespace of [districtA, districtB]) {
        const running = pods(namespace).items.filter(
          (pod) => !pod.metadata.ownerReferences?.some((o) => o.kind === 'Job'),
        );
        expect(running.map((pod) => pod.metadata.labels?.['app.kubernetes.io/component']).sort()).toEqual([
          'api',
          'api',
          'postgres',
          'redis',
          'worker',
        ]);
        for (const pod of running) {
          expect(pod.spec.nodeName).toBe(REAL_NODE.name);
          expect(podReady(pod)).toBe(true);
        }
        const jobs = kubectlJson('-n', namespace, 'get', 'jobs') as {
          items: { status: { succeeded?: number } }[];
        };
        expect(jobs.items.map((job) => job.status.succeeded)).toEqual([1]);
      }
      // /health answers on the health port (the ServiceMonitor's), not on the Ingress's port
      const health = await runClient<{ health: number; public: number }>(
        clients,
        'health',
        `const status = async (url) => (await fetch(url)).status;
         console.log(JSON.stringify({ health: await status(process.env.API + ':8081/health'), public: await status(process.env.API + '/health') }));`,
        { API: apiUrl(districtA, 'district-a') },
      );
      expect(health).toEqual({ health: 200, public: 404 });
    },
  );

  step(
    'When a CSV package is uploaded from a Pod in the cluster, then the worker Pod imports it and a OneRoster consumer Pod reads users, classes and enrollments',
    async () => {
      adminKey = (
        execJson(
          districtA,
          'deploy/district-a-api',
          'node',
          'bin/rosterhub.js',
          'admin-key',
          'create',
          '--name',
          'e2e-uploader',
        ) as { key: string }
      ).key;
      consumer = execJson(
        districtA,
        'deploy/district-a-api',
        'node',
        'bin/rosterhub.js',
        'clients',
        'create',
        '--name',
        'e2e-consumer',
        '--scopes',
        'roster-core.readonly',
      ) as { clientId: string; clientSecret: string };
      run(
        'kubectl',
        ['-n', clients, 'apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'package' },
          binaryData: { 'package.zip': packageZip.toString('base64') },
        }),
      );
      const result = await runClient<{
        uploadStatus: number;
        state: string;
        counts: Record<string, { status: number; total: number }>;
      }>(
        clients,
        'import-and-read',
        IMPORT_AND_READ,
        {
          API: apiUrl(districtA, 'district-a'),
          ADMIN_KEY: adminKey,
          CLIENT_ID: consumer.clientId,
          CLIENT_SECRET: consumer.clientSecret,
          SCOPE,
        },
        'package',
      );
      expect(result.uploadStatus).toBe(202);
      expect(result.state).toBe('completed');
      expect(result.counts.users).toEqual({ status: 200, total: usersInPackage });
      expect(result.counts.classes?.total).toBeGreaterThan(0);
      expect(result.counts.enrollments?.total).toBeGreaterThan(0);
    },
  );

  step(
    'When a platform team runs kubectl rosterhub against district A, then status, import, logs, psql and backup answer from the running district',
    async () => {
      const plugin = await pluginPath();
      const status = kubectlPlugin(plugin, ['status', 'district-a', '-n', districtA]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/phase\s+Ready/);
      expect(status.stdout).toMatch(
        new RegExp(`version\\s+spec ${images.RH_VERSION}, serving ${images.RH_VERSION}`),
      );
      expect(status.stdout).toMatch(/ApiReady\s+True/);
      expect(status.stdout).toMatch(/district-a-api-\S+\s+api\s+Running\s+ready 1\/1/);
      expect(status.stdout).toMatch(/last import\s+completed/);
      progress('kubectl rosterhub status done');

      await writeFile(join(work, 'package.zip'), packageZip);
      const dryRun = kubectlPlugin(plugin, [
        'import',
        'district-a',
        join(work, 'package.zip'),
        '--dry-run',
        '--key',
        adminKey,
        '-n',
        districtA,
      ]);
      expect(dryRun.code).toBe(0);
      expect(JSON.parse(dryRun.stdout)).toMatchObject({ state: 'completed', dryRun: true });
      const broken = join(work, 'broken');
      await cp(join(work, 'package'), broken, { recursive: true });
      const users = await readFile(join(broken, 'users.csv'), 'utf8');
      await writeFile(join(broken, 'users.csv'), users.replace(/\r\n[^,]*,/, '\r\n,'));
      await writeFile(join(work, 'broken.zip'), await zipFolder(broken));
      const rejected = kubectlPlugin(plugin, [
        'import',
        'district-a',
        join(work, 'broken.zip'),
        '--key',
        adminKey,
        '-n',
        districtA,
      ]);
      expect(rejected.code).toBe(1);
      expect(JSON.parse(rejected.stdout)).toMatchObject({ state: 'rejected' });
      expect(rejected.stderr).toMatch(/^error users\.csv:2:\S* \[/m);
      progress('kubectl rosterhub import done');

      const logs = kubectlPlugin(plugin, ['logs', 'district-a', 'api', '--tail', '5', '-n', districtA]);
      expect(logs.code).toBe(0);
      expect(logs.stdout).toMatch(/^\[pod\/district-a-api-/m);
      const psql = kubectlPlugin(plugin, [
        'psql',
        'district-a',
        '-n',
        districtA,
        '--',
        '-Atc',
        'select count(*) from users',
      ]);
      expect(psql.code).toBe(0);
      expect(psql.stdout.trim()).toBe(String(usersInPackage));
      const backup = kubectlPlugin(plugin, ['backup', 'district-a', '-n', districtA]);
      expect(backup.code).toBe(0);
      expect(JSON.parse(backup.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
        name: expect.stringMatching(/^rosterhub-.*\.dump$/) as unknown,
      });
      progress('kubectl rosterhub logs, psql and backup done');
    },
  );

  step(
    'When a Pod of district A connects to district B’s PostgreSQL, Redis or API, then the NetworkPolicies stop it, while A reaches its own; other Pods do not reach A’s data services',
    async () => {
      const targets = (namespace: string, name: string) => [
        `${name}-postgres.${namespace}.svc.cluster.local:5432`,
        `${name}-redis.${namespace}.svc.cluster.local:6379`,
      ];
      const fromApiA = execJson(
        districtA,
        'deploy/district-a-api',
        'node',
        '--input-type=module',
        '-e',
        CONNECT.replace(
          'process.env.TARGETS',
          JSON.stringify(
            [
              ...targets(districtB, 'district-b'),
              `district-b-api.${districtB}.svc.cluster.local:80`,
              ...targets(districtA, 'district-a'),
            ].join(','),
          ),
        ),
      ) as Record<string, string>;
      const [bPostgres, bRedis, bApi, aPostgres, aRedis] = Object.values(fromApiA);
      expect([bPostgres, bRedis, bApi]).not.toContain('connected');
      expect([aPostgres, aRedis]).toEqual(['connected', 'connected']);
      const fromOtherPod = await runClient<Record<string, string>>(clients, 'intruder', CONNECT, {
        TARGETS: targets(districtA, 'district-a').join(','),
      });
      expect(Object.values(fromOtherPod)).not.toContain('connected');
    },
  );

  step(
    'When spec.version is raised while a consumer reads in a loop and an import runs, then the migration runs, the Deployments roll, not one request fails and the import completes',
    async () => {
      run(
        'kubectl',
        ['-n', clients, 'apply', '-f', '-'],
        JSON.stringify(
          podManifest('reader', READ_IN_A_LOOP, {
            API: apiUrl(districtA, 'district-a'),
            CLIENT_ID: consumer.clientId,
            CLIENT_SECRET: consumer.clientSecret,
            SCOPE,
          }),
        ),
      );
      await waitFor(
        () =>
          Promise.resolve(
            podReady(kubectlJson('-n', clients, 'get', 'pod', 'reader') as PodList['items'][number]),
          ),
        500,
      );
      // an import that stays running through the roll: it waits for the import lock, which a
      // session holds for 30 s (a dry run, so that the data the later steps count stays as it is)
      const lockHolder = spawn(
        `${toolsDir}/kubectl`,
        psqlInDistrictA('-c', `select ${IMPORT_LOCK_SQL.replace(/^select /, '')}, pg_sleep(30)`),
        { stdio: 'ignore' },
      );
      const importer = 'deploy/district-a-api';
      kubectl(
        '-n',
        districtA,
        'exec',
        importer,
        '--',
        'node',
        'bin/rosterhub.js',
        'generate',
        '--size',
        'small',
        '--seed',
        '9',
        '--out',
        '/tmp/running-import',
      );
      const running = (
        execJson(
          districtA,
          importer,
          'node',
          'bin/rosterhub.js',
          'import',
          '/tmp/running-import',
          '--dry-run',
          '--no-wait',
        ) as { id: string }
      ).id;
      const importState = (): string =>
        kubectl(...psqlInDistrictA('-tAc', `select state from import_jobs where id = '${running}'`)).trim();
      await waitFor(() => Promise.resolve(importState() === 'active'), 500);
      await sleep(2000);
      patchInstanceSpec(districtA, 'district-a', { version: nextVersion });
      await waitFor(() => {
        const current = instance(districtA, 'district-a');
        return Promise.resolve(current.status?.currentVersion === nextVersion && isReady(current));
      }, 1000);
      const api = kubectlJson('-n', districtA, 'get', 'deployment', 'district-a-api') as {
        spec: { template: { spec: { containers: { image: string }[] } } };
        status: { updatedReplicas?: number; availableReplicas?: number };
      };
      expect(api.spec.template.spec.containers[0]?.image).toBe(
        `${images.RH_IMAGE_REPOSITORY}:${nextVersion}`,
      );
      await sleep(2000);
      kubectl(
        '-n',
        clients,
        'exec',
        'reader',
        '--',
        'node',
        '-e',
        "require('node:fs').writeFileSync('/tmp/stop', '')",
      );
      await waitFor(() => {
        const pod = kubectlJson('-n', clients, 'get', 'pod', 'reader') as { status: { phase?: string } };
        return Promise.resolve(['Succeeded', 'Failed'].includes(pod.status.phase ?? ''));
      }, 500);
      const summary = JSON.parse(
        kubectl('-n', clients, 'logs', 'reader').trim().split('\n').at(-1) ?? '{}',
      ) as {
        ok: number;
        failures: unknown[];
      };
      expect(summary.failures).toEqual([]);
      expect(summary.ok).toBeGreaterThan(20);
      // the old worker finished it on SIGTERM, or a new one took it over: completed either way
      expect(
        await waitFor(
          () => Promise.resolve(['completed', 'rejected', 'failed'].includes(importState()) && importState()),
          1000,
        ),
      ).toBe('completed');
      if (lockHolder.exitCode === null) await once(lockHolder, 'exit');
    },
  );

  step(
    'When district A’s database volume grows, then its claim grows, the StatefulSet is re-created around it, and PostgreSQL comes back with its data',
    async () => {
      const before = kubectlJson('-n', districtA, 'get', 'statefulset', 'district-a-postgres') as {
        metadata: { uid: string };
      };
      patchInstanceSpec(districtA, 'district-a', { database: { storage: { size: '2Gi' } } });
      await waitFor(() => {
        const claim = kubectlJson('-n', districtA, 'get', 'pvc', 'data-district-a-postgres-0') as {
          status: { capacity?: { storage?: string } };
        };
        return Promise.resolve(claim.status.capacity?.storage === '2Gi');
      }, 500);
      await waitFor(() => {
        const live = kubectlJson('-n', districtA, 'get', 'statefulset', 'district-a-postgres') as {
          metadata: { uid: string };
          status: { readyReplicas?: number; currentRevision?: string; updateRevision?: string };
        };
        return Promise.resolve(
          live.metadata.uid !== before.metadata.uid &&
            live.status.readyReplicas === 1 &&
            live.status.currentRevision === live.status.updateRevision,
        );
      }, 1000);
      await waitFor(() => Promise.resolve(isReady(instance(districtA, 'district-a'))), 1000);
      // The restart is the one interruption growth costs: while PostgreSQL restarts the API Pods
      // report not ready (their probes lag the instance's status by a period or two), and their
      // pooled connections to the old server fail on first use, so a consumer may need to ask
      // again.
      let attempt = 0;
      const users = await waitFor(async () => {
        attempt += 1;
        const answer = await runClient<{ status: number; total: number }>(
          clients,
          `after-growth-${attempt}`,
          COUNT_USERS,
          {
            API: apiUrl(districtA, 'district-a'),
            CLIENT_ID: consumer.clientId,
            CLIENT_SECRET: consumer.clientSecret,
            SCOPE,
          },
        );
        return answer.status === 200 && answer;
      }, 1000);
      expect(users).toEqual({ status: 200, total: usersInPackage });
    },
  );

  step(
    'When district A is deleted with deletionPolicy Retain and applied again under the same name, then it finds its data again',
    async () => {
      kubectl('-n', districtA, 'delete', 'rhi', 'district-a', '--wait=true', '--timeout=120s');
      await waitFor(
        () => Promise.resolve(!exists('statefulset', 'district-a-postgres', '-n', districtA)),
        1000,
      );
      expect(exists('pvc', 'data-district-a-postgres-0', '-n', districtA)).toBe(true);
      run(
        'kubectl',
        ['-n', districtA, 'apply', '-f', '-'],
        JSON.stringify(districtSpec('district-a', nextVersion)),
      );
      await waitFor(() => Promise.resolve(isReady(instance(districtA, 'district-a'))), 1000);
      const users = await runClient<{ status: number; total: number }>(
        clients,
        'after-recreate',
        COUNT_USERS,
        {
          API: apiUrl(districtA, 'district-a'),
          CLIENT_ID: consumer.clientId,
          CLIENT_SECRET: consumer.clientSecret,
          SCOPE,
        },
      );
      expect(users).toEqual({ status: 200, total: usersInPackage });
    },
  );

  step(
    'When backup Jobs are made from the CronJob, then pg_dump writes to the backup volume and to an S3-compatible store in the cluster, and a new instance restored from it answers the same',
    async () => {
      run(
        'kubectl',
        ['-n', storage, 'apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name: 's3rver' },
              spec: {
                selector: { matchLabels: { app: 's3rver' } },
                template: {
                  metadata: { labels: { app: 's3rver' } },
                  spec: restrictedPodSpec(
                    {
                      name: 's3rver',
                      image: images.RH_S3_IMAGE,
                      args: ['--configure-bucket', 'district-backups'],
                      ports: [{ containerPort: 9000 }],
                      readinessProbe: { tcpSocket: { port: 9000 } },
                      volumeMounts: [{ name: 'data', mountPath: '/data' }],
                    },
                    { volumes: [{ name: 'data', emptyDir: {} }] },
                  ),
                },
              },
            },
            {
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name: 's3rver' },
              spec: { selector: { app: 's3rver' }, ports: [{ port: 9000, targetPort: 9000 }] },
            },
          ],
        }),
      );
      kubectl('-n', storage, 'rollout', 'status', 'deployment/s3rver', '--timeout=120s');
      progress('s3rver is up');

      // 1. to the backup volume (the default destination)
      kubectl('-n', districtA, 'create', 'job', '--from=cronjob/district-a-backup', 'backup-to-volume');
      const toVolume = await jobResult(districtA, 'backup-to-volume');
      progress('backup to the volume done');
      expect(toVolume.name).toMatch(/^rosterhub-\d{8}T\d{6}Z\.dump$/);
      const claim = kubectlJson('-n', districtA, 'get', 'pvc', 'district-a-backups') as {
        spec: { volumeName: string };
      };
      const volume = kubectlJson('get', 'pv', claim.spec.volumeName) as {
        spec: { hostPath: { path: string } };
      };
      expect((await stat(join(volume.spec.hostPath.path, String(toVolume.name)))).size).toBe(toVolume.bytes);

      // 2. to the S3-compatible store
      const destination = s3Destination(districtA);
      patchInstanceSpec(districtA, 'district-a', { backup: { destination } });
      await waitFor(
        () =>
          Promise.resolve(
            kubectl('-n', districtA, 'get', 'cronjob', 'district-a-backup', '-o', 'json').includes(
              'BACKUP_S3_ENDPOINT',
            ),
          ),
        500,
      );
      kubectl('-n', districtA, 'create', 'job', '--from=cronjob/district-a-backup', 'backup-to-s3');
      const toS3 = await jobResult(districtA, 'backup-to-s3');
      progress('backup to S3 done');
      expect(toS3.name).toMatch(/^rosterhub-\d{8}T\d{6}Z\.dump$/);

      // 3. a new instance, restored from the S3 backup by a Job made from its own backup CronJob
      const restored = districtSpec('district-c', nextVersion);
      (restored.spec as Record<string, unknown>).backup = { destination: s3Destination(districtC) };
      run('kubectl', ['-n', districtC, 'apply', '-f', '-'], JSON.stringify(restored));
      await waitFor(() => Promise.resolve(isReady(instance(districtC, 'district-c'))), 1000);
      progress('district C Ready');
      const cronJob = kubectlJson('-n', districtC, 'get', 'cronjob', 'district-c-backup') as {
        spec: {
          jobTemplate: {
            spec: {
              template: {
                metadata?: unknown;
                spec: { containers: { args?: string[]; env?: { name: string; value?: string }[] }[] };
              };
            };
          };
        };
      };
      const template = cronJob.spec.jobTemplate.spec.template;
      const container = template.spec.containers[0]!;
      container.args = ['restore', '--backup', 'latest'];
      container.env = (container.env ?? []).map((variable) =>
        variable.name === 'BACKUP_PREFIX' ? { ...variable, value: `${districtA}/district-a/` } : variable,
      );
      run(
        'kubectl',
        ['-n', districtC, 'apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: 'restore-from-district-a' },
          spec: { backoffLimit: 0, template },
        }),
      );
      await jobResult(districtC, 'restore-from-district-a');
      progress('restore done');
      const users = await runClient<{ status: number; total: number }>(
        clients,
        'after-restore',
        COUNT_USERS,
        {
          API: apiUrl(districtC, 'district-c'),
          CLIENT_ID: consumer.clientId,
          CLIENT_SECRET: consumer.clientSecret,
          SCOPE,
        },
      );
      expect(users).toEqual({ status: 200, total: usersInPackage });
    },
  );
});
