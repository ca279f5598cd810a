import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'node:http';
import pg from 'pg';
import { CredentialsRepository } from '../api/data/credentials-repository.js';
import { RosterRepository, type PageKey, type RowSet } from '../api/data/roster-repository.js';
import { Database } from '../api/db/database.js';
import { readQueries, type ReadQueries } from '../api/db/read-queries.js';
import { CredentialAdmin } from '../api/services/credential-admin.js';
import { ROSTERING_BASE } from '../api/services/endpoints.js';
import { parseFilter } from '../api/services/filter-parser.js';
import { RESOURCES, fieldOf } from '../api/services/resources.js';
import { percentile, reportResult, round } from './lib/result.js';
import { ensureBenchDistrict } from './oneroster-district.js';
import { freePort, httpGet, load, sequential, startProcess } from './oneroster-load.js';

/**
 * The OneRoster API on the large district (1M users, 3M enrollments), against a minimal
 * node:http + pg server answering the same first-page query in the same run:
 *  - GET /users?limit=100 at 32 connections: req/s (goal >= 0.8x baseline) and p99 (< 50 ms);
 *  - offset=900000 vs the first page: latency (goal <= 3x);
 *  - delta sync (dateLastModified>… AND status='active', limit=5000): rows/s;
 *  - cached throughput (repeated requests answered from Redis, PostgreSQL untouched).
 */
const here = dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const BASE = 'http://bench.invalid';
const DELTA_SINCE = '2026-05-15';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through make bench`);
  return value;
}

async function metric(healthUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${healthUrl}/metrics`)).text();
  let sum = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, 'gm')))
    sum += Number(match[1]);
  return sum;
}

const benchUrl = await ensureBenchDistrict(
  required('DATABASE_URL'),
  process.env.BENCH_DATABASE ?? 'rosterhub_bench',
);
const setup = await Database.open({ url: benchUrl, poolMax: 2 });
const { key } = await new CredentialAdmin(new CredentialsRepository(setup.orm)).createKey(
  'bench',
  'roster.readonly roster-demographics.readonly',
);
const sourcedId = { field: fieldOf(RESOURCES.users, 'sourcedId'), desc: false };
const firstPage: RowSet = { resource: 'users', conditions: [], filter: undefined, sort: sourcedId };
let captured: { sql: string; values: unknown[] } = { sql: '', values: [] };
const recorder = {
  query: (sql: string, values: unknown[]) => {
    captured = { sql, values };
    return Promise.resolve({ rows: [{ body: '[]' }] });
  },
} as unknown as ReadQueries;
await new RosterRepository(recorder).page(firstPage, {
  fields: undefined,
  limit: 100,
  offset: 0,
  after: undefined,
  baseUrl: BASE,
});
await setup.close();

const headers = { authorization: `Bearer ${key}` };
const apiPort = await freePort();
const healthPort = await freePort();
const healthUrl = `http://127.0.0.1:${healthPort}`;
const baselinePort = await freePort();
const apiUrl = `http://127.0.0.1:${apiPort}`;
const apiEnv = (cache: boolean): Record<string, string> => ({
  PORT: String(apiPort),
  HEALTH_PORT: String(healthPort),
  HOST: '127.0.0.1',
  DATABASE_URL: benchUrl,
  REDIS_URL: required('REDIS_URL'),
  PUBLIC_BASE_URL: BASE,
  RESPONSE_CACHE: String(cache),
  RATE_LIMIT_REQUESTS: '100000000',
  SHUTDOWN_DRAIN_MS: '0',
  LOG_LEVEL: 'info',
});
const cli = join(here, '..', 'cli', 'main.js');
let api = await startProcess(cli, ['api'], apiEnv(false), new URL(`${healthUrl}/healthz`));
const baseline = await startProcess(
  join(here, 'oneroster-baseline-server.js'),
  [],
  {
    PORT: String(baselinePort),
    DATABASE_URL: benchUrl,
    BENCH_SQL: captured.sql,
    BENCH_VALUES: JSON.stringify(captured.values),
  },
  new URL(`http://127.0.0.1:${baselinePort}/healthz`),
);

try {
  const apiFirst = new URL(`${apiUrl}${ROSTERING_BASE}/users?limit=100`);
  const baselineFirst = new URL(`http://127.0.0.1:${baselinePort}/users?limit=100`);
  const agent = new Agent({ keepAlive: true });
  const [ours, theirs] = [await httpGet(agent, apiFirst, headers), await httpGet(agent, baselineFirst, {})];
  agent.destroy();
  if (ours.body !== theirs.body)
    throw new Error(
      `the API and the baseline answer the first page differently: ${theirs.body.slice(0, 200)}`,
    );
  process.stdout.write(
    `first page: ${ours.body.length} bytes, X-Total-Count ${String(ours.headers['x-total-count'])}\n`,
  );

  // 1. first page throughput, uncached: alternate baseline and API twice
  const warm = { connections: CONNECTIONS, seconds: 2, warmupSeconds: 0 };
  await load(baselineFirst, warm);
  await load(apiFirst, { ...warm, headers });
  // ABBA order over several short runs, so that load from elsewhere on the machine falls on both
  const runs = {
    baseline: [] as Awaited<ReturnType<typeof load>>[],
    api: [] as Awaited<ReturnType<typeof load>>[],
  };
  const run = { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 1 };
  for (let round_ = 0; round_ < ROUNDS; round_ += 1) {
    const order = round_ % 2 === 0 ? (['baseline', 'api'] as const) : (['api', 'baseline'] as const);
    for (const which of order) {
      runs[which].push(
        which === 'api' ? await load(apiFirst, { ...run, headers }) : await load(baselineFirst, run),
      );
    }
  }
  const mean = (values: number[]): number => round(values.reduce((a, b) => a + b, 0) / values.length, 1);
  const median = (values: number[]): number =>
    round(
      percentile(
        [...values].sort((a, b) => a - b),
        50,
      ),
      2,
    );
  const apiRps = mean(runs.api.map((r) => r.rps));
  const baseRps = mean(runs.baseline.map((r) => r.rps));
  const apiP99 = median(runs.api.map((r) => r.p99));
  const errors = [...runs.api, ...runs.baseline].reduce((sum, r) => sum + r.errors, 0);
  reportResult({
    name: 'oneroster-users-first-page',
    value: apiRps,
    unit: 'req/s',
    baseline: baseRps,
    goal: 'ratio >= 0.8 and p99 < 50 ms (median of runs) at 32 connections',
    pass: apiRps / baseRps >= 0.8 && apiP99 < 50 && errors === 0,
    details: {
      apiP50ms: median(runs.api.map((r) => r.p50)),
      apiP99ms: apiP99,
      apiP99msWorstRun: Math.max(...runs.api.map((r) => r.p99)),
      baselineP50ms: median(runs.baseline.map((r) => r.p50)),
      baselineP99ms: median(runs.baseline.map((r) => r.p99)),
      perRunRatios: runs.api.map((r, i) => round(r.rps / (runs.baseline[i]?.rps ?? r.rps), 2)).join(' '),
      connections: CONNECTIONS,
      secondsPerRun: SECONDS,
      runs: ROUNDS,
      errors,
      loadGenerator: 'in-process node:http keep-alive agent, closed loop',
    },
  });

  // 2. deep offset vs first page, uncached, one request at a time
  const deep = new URL(`${apiUrl}${ROSTERING_BASE}/users?limit=100&offset=900000`);
  const coldStart = performance.now();
  await sequential(deep, 1, headers);
  const coldMs = round(performance.now() - coldStart, 1);
  const firstLatencies: number[] = [];
  const deepLatencies: number[] = [];
  for (let i = 0; i < 100; i += 1) {
    firstLatencies.push(...(await sequential(apiFirst, 1, headers)));
    deepLatencies.push(...(await sequential(deep, 1, headers)));
  }
  firstLatencies.sort((a, b) => a - b);
  deepLatencies.sort((a, b) => a - b);
  const deepP50 = round(percentile(deepLatencies, 50), 2);
  const firstP50 = round(percentile(firstLatencies, 50), 2);
  reportResult({
    name: 'oneroster-deep-offset',
    value: deepP50,
    unit: 'ms (p50)',
    baseline: firstP50,
    goal: 'ratio <= 3 (offset=900000 vs the first page)',
    pass: deepP50 / firstP50 <= 3,
    details: {
      deepP99ms: round(percentile(deepLatencies, 99), 2),
      firstPageP99ms: round(percentile(firstLatencies, 99), 2),
      firstDeepRequestMs: coldMs,
      note: 'the first deep request builds the page boundary keys for this data version',
    },
  });

  // 3. delta sync: every page of dateLastModified>… AND status='active' at limit=5000
  const filter = `dateLastModified>'${DELTA_SINCE}' AND status='active'`;
  const deltaAgent = new Agent({ keepAlive: true });
  let rows = 0;
  const deltaStart = performance.now();
  for (let offset = 0; ; offset += 5000) {
    const url = new URL(
      `${apiUrl}${ROSTERING_BASE}/users?limit=5000&offset=${offset}&filter=${encodeURIComponent(filter)}`,
    );
    const answer = await httpGet(deltaAgent, url, headers);
    if (answer.status !== 200) throw new Error(`delta page: ${answer.status}`);
    const page = (JSON.parse(answer.body) as { users: unknown[] }).users.length;
    rows += page;
    if (page < 5000) break;
  }
  const deltaSeconds = (performance.now() - deltaStart) / 1000;
  deltaAgent.destroy();
  // the same pages straight from PostgreSQL (keyset, JSON built in the database, no HTTP)
  const pool = new pg.Pool({ connectionString: benchUrl, max: 1 });
  const repository = new RosterRepository(readQueries(pool, 'session', undefined));
  const deltaSet: RowSet = {
    resource: 'users',
    conditions: [],
    filter: parseFilter(filter, RESOURCES.users),
    sort: sourcedId,
  };
  let dbRows = 0;
  let after: PageKey | undefined;
  const dbStart = performance.now();
  for (;;) {
    const body = await repository.page(deltaSet, {
      fields: undefined,
      limit: 5000,
      offset: 0,
      after,
      baseUrl: BASE,
    });
    const page = JSON.parse(body) as { sourcedId: string }[];
    dbRows += page.length;
    const last = page.at(-1);
    if (page.length < 5000 || !last) break;
    after = [null, last.sourcedId];
  }
  const dbSeconds = (performance.now() - dbStart) / 1000;
  await pool.end();
  reportResult({
    name: 'oneroster-delta-sync',
    value: round(rows / deltaSeconds, 0),
    unit: 'rows/s',
    baseline: round(dbRows / dbSeconds, 0),
    goal: 'reported (baseline: the same pages as JSON straight from PostgreSQL, no HTTP)',
    pass: rows === dbRows && rows > 0,
    details: { rows, pages: Math.ceil(rows / 5000), seconds: round(deltaSeconds, 2), since: DELTA_SINCE },
  });

  // 4. cached throughput: the same first page, answered from Redis
  await api.stop();
  api = await startProcess(cli, ['api'], apiEnv(true), new URL(`${healthUrl}/healthz`));
  await load(apiFirst, { connections: CONNECTIONS, seconds: 2, warmupSeconds: 0, headers });
  const queriesBefore = await metric(healthUrl, 'db_queries_total');
  const cached = await load(apiFirst, {
    connections: CONNECTIONS,
    seconds: SECONDS,
    warmupSeconds: 1,
    headers,
  });
  const queriesDuring = (await metric(healthUrl, 'db_queries_total')) - queriesBefore;
  reportResult({
    name: 'oneroster-cached-throughput',
    value: cached.rps,
    unit: 'req/s',
    baseline: apiRps,
    goal: 'repeated requests do not touch PostgreSQL (baseline: the uncached API)',
    pass: queriesDuring === 0 && cached.errors === 0,
    details: {
      p50ms: cached.p50,
      p99ms: cached.p99,
      sqlStatementsDuringRun: queriesDuring,
      connections: CONNECTIONS,
    },
  });
} finally {
  await api.stop();
  await baseline.stop();
}
