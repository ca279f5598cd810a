import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { TABLES, snakeCase } from '../api/data/sql-builder.js';
import { workerNodeOptions } from '../cdk8s/constructs/worker-deployment.js';
import { Database } from '../api/db/database.js';
import { migrate } from '../api/db/migrate.js';
import { exportPackage } from '../api/exports/exporter.js';
import { writeCsvPackage } from '../api/generator/csv.js';
import { SIZES, generateDistrict } from '../api/generator/district.js';
import { importQueue, submitImport } from '../api/imports/import-queue.js';
import { PackageStore } from '../api/imports/package-store.js';
import { ImportJobStore } from '../api/imports/job-store.js';
import { reportResult, round } from './lib/result.js';

/**
 * Bulk import of the large generated district (1,000,000 users, 3,000,000 enrollments and the
 * files they need) through the real queue and a separate worker process, against a raw COPY of
 * the same files into unindexed UNLOGGED text tables in the same run; then the export.
 * The package is generated once into .local/bench/large (outside git).
 */
const root = join(import.meta.dirname, '..', '..');
const packageDir = join(root, '.local', 'bench', 'large');
const baseUrl = process.env.DATABASE_URL ?? '';
const redisUrl = process.env.REDIS_URL ?? '';

async function dropDatabase(name: string, recreate = false): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  if (recreate) await admin.query(`create database ${name}`);
  await admin.end();
}

async function freshDatabase(name: string): Promise<string> {
  await dropDatabase(name, true);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One COPY of every CSV of the package into a table of text columns named after the file. */
async function copyFiles(
  client: pg.Client,
  logged: boolean,
): Promise<{ rows: number; headers: Map<string, string[]> }> {
  let rows = 0;
  const headers = new Map<string, string[]>();
  for (const file of (await readdir(packageDir)).filter((f) => f.endsWith('.csv') && f !== 'manifest.csv')) {
    const header = (
      (await readFile(join(packageDir, file), 'utf8')).slice(0, 2000).split(/\r?\n/)[0] ?? ''
    ).split(',');
    const name = file.replace('.csv', '');
    headers.set(name, header);
    const table = `raw_${snakeCase(name)}`;
    await client.query(
      `create ${logged ? '' : 'unlogged'} table ${table} (${header.map((_, i) => `c${i} text`).join(', ')})`,
    );
    const copy = client.query(copyFrom(`copy ${table} from stdin (format csv, header true)`));
    await pipeline(createReadStream(join(packageDir, file), { highWaterMark: 1 << 20 }), copy);
    rows += copy.rowCount;
  }
  return { rows, headers };
}

/** The baseline: the package's files COPYed into unindexed UNLOGGED text tables. */
async function rawCopy(url: string): Promise<{ seconds: number; rows: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  const { rows } = await copyFiles(client, false);
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return { seconds, rows };
}

/**
 * What any durable import of the package costs at least, for reading the ratio: the same COPY
 * into logged tables, then a btree index on the CSV columns of each index the roster schema
 * (at `schemaUrl`) has. No validation, no documents, no merge.
 */
async function durableFloor(url: string, schemaUrl: string): Promise<number> {
  const schema = new pg.Client({ connectionString: schemaUrl });
  await schema.connect();
  const indexes = await schema.query<{ table: string; columns: string[] }>(
    `select c.relname as table, array_agg(a.attname::text order by k.n) as columns
     from pg_index x join pg_class c on c.oid = x.indrelid join pg_class i on i.oid = x.indexrelid
       cross join lateral unnest(x.indkey) with ordinality k(attnum, n)
       join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
     where c.relnamespace = 'public'::regnamespace group by c.relname, i.relname`,
  );
  await schema.end();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  const { headers } = await copyFiles(client, true);
  for (const [file, table] of Object.entries(TABLES)) {
    const header = headers.get(file)?.map(snakeCase);
    if (!header) continue;
    for (const index of indexes.rows.filter((row) => row.table === table)) {
      const positions = index.columns.map((column) => header.indexOf(column));
      // an index on a column the CSV does not carry (users.roles comes from roles.csv) is skipped
      if (positions.some((position) => position < 0)) continue;
      await client.query(
        `create index on raw_${snakeCase(file)} (${positions.map((i) => `c${i}`).join(', ')})`,
      );
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return seconds;
}

async function main(): Promise<void> {
  // the cached package is regenerated whenever the generator's code changes
  const generatorDir = join(root, 'dist', 'api', 'generator');
  const hash = createHash('sha256');
  for (const file of (await readdir(generatorDir)).filter((f) => f.endsWith('.js')).sort())
    hash.update(await readFile(join(generatorDir, file)));
  const stamp = `${packageDir}.generator`;
  const fingerprint = hash.digest('hex');
  const cached = existsSync(stamp) ? await readFile(stamp, 'utf8') : '';
  if (!existsSync(join(packageDir, 'manifest.csv')) || cached !== fingerprint) {
    process.stdout.write(`generating the large district into ${packageDir}…\n`);
    await rm(packageDir, { recursive: true, force: true });
    await writeCsvPackage(generateDistrict(SIZES.large, 1), packageDir);
    await writeFile(stamp, fingerprint);
  }
  const bytes = (await Promise.all((await readdir(packageDir)).map((f) => stat(join(packageDir, f))))).reduce(
    (sum, s) => sum + s.size,
    0,
  );
  const url = await freshDatabase('rh_bench_import');
  const database = await Database.open({ url, poolMax: 2 });
  await migrate(database, url);
  const raw = await rawCopy(await freshDatabase('rh_bench_raw'));
  process.stdout.write(`raw COPY: ${raw.rows} rows in ${round(raw.seconds, 1)} s\n`);
  const floorSeconds = await durableFloor(await freshDatabase('rh_bench_floor'), url);
  process.stdout.write(`durable floor (logged COPY + the schema's indexes): ${round(floorSeconds, 1)} s\n`);
  await Promise.all([dropDatabase('rh_bench_raw'), dropDatabase('rh_bench_floor')]);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  await redis.flushdb();
  const queue = importQueue(redis);
  const worker = spawn(process.execPath, [join(root, 'bin', 'rosterhub.js'), 'worker'], {
    // as the worker Deployment runs it
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', NODE_OPTIONS: workerNodeOptions },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let peakRssKb = 0;
  const sampler = setInterval(() => {
    void readFile(`/proc/${worker.pid}/status`, 'utf8')
      .then((status) => {
        const hwm = /VmHWM:\s+(\d+)/.exec(status);
        if (hwm) peakRssKb = Math.max(peakRssKb, Number(hwm[1]));
      })
      .catch(() => undefined);
  }, 500);
  await sleep(3000);
  // the upload (the package into PostgreSQL, as the API and `rosterhub import` store it) is
  // measured on its own; the import's figure starts when the job is queued
  const uploadStarted = performance.now();
  const stored = await new PackageStore(database.pool).saveFolder(packageDir);
  const uploadSeconds = (performance.now() - uploadStarted) / 1000;
  process.stdout.write(`upload into the package store: ${round(bytes / 1e6 / uploadSeconds, 0)} MB/s\n`);
  const started = performance.now();
  const { job } = await submitImport(database.pool, queue, stored, { dryRun: false, strict: false });
  const store = new ImportJobStore(database.pool);
  let view = job;
  while (!['completed', 'rejected', 'failed'].includes(view.state)) {
    await sleep(500);
    view = (await store.find(job.id)) ?? view;
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  worker.kill('SIGTERM');
  await queue.close();
  redis.disconnect();
  const rows = view.rows ?? 0;
  const rate = rows / seconds;
  process.stdout.write(
    `import: ${view.state} ${rows} rows in ${round(seconds, 1)} s (${Math.round(rate)} rows/s); phases ${JSON.stringify(view.result?.timings)}\n`,
  );
  reportResult({
    name: 'csv-import',
    value: round(seconds, 2),
    unit: 's',
    baseline: round(raw.seconds, 2),
    goal: '>= 50,000 rows/s end to end, <= 4x the raw COPY time, worker peak RSS < 300 MB',
    pass:
      view.state === 'completed' && rate >= 50_000 && seconds <= 4 * raw.seconds && peakRssKb < 300 * 1024,
    details: {
      rows,
      rowsPerSecond: Math.round(rate),
      rawCopyRowsPerSecond: Math.round(raw.rows / raw.seconds),
      workerPeakRssMb: Math.round(peakRssKb / 1024),
      durableFloorSeconds: round(floorSeconds, 1),
      durableFloorRatio: round(floorSeconds / raw.seconds, 2),
      packageMb: Math.round(bytes / 1e6),
      uploadSeconds: round(uploadSeconds, 1),
      phases: JSON.stringify(view.result?.timings ?? {}),
    },
  });

  const exportStarted = performance.now();
  let exportBytes = 0;
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  await pipeline(
    await exportPackage(url, 'bulk'),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        exportBytes += chunk.length;
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        callback();
      },
    }),
  );
  const exportSeconds = (performance.now() - exportStarted) / 1000;
  const exported = await database.pool.query<{ n: string }>(
    `select (select count(*) from orgs where status='active') + (select count(*) from academic_sessions where status='active')
      + (select count(*) from courses where status='active') + (select count(*) from classes where status='active')
      + 2 * (select count(*) from users where status='active') + (select count(*) from enrollments where status='active')
      + (select count(*) from demographics where status='active') as n`,
  );
  const exportRows = Number(exported.rows[0]?.n ?? 0);
  reportResult({
    name: 'csv-export',
    value: Math.round(exportRows / exportSeconds),
    unit: 'rows/s',
    baseline: Math.round(raw.rows / raw.seconds),
    goal: 'reported (no goal); memory flat',
    pass: true,
    details: {
      rows: exportRows,
      seconds: round(exportSeconds, 1),
      zipMb: Math.round(exportBytes / 1e6),
      rssGrowthMb: Math.round((rssPeak - rssBefore) / 1e6),
    },
  });
  await database.close();
}

await main();
