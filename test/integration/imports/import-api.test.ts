import { jest } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialAdmin } from '../../../api/services/credential-admin.js';
import { CredentialsRepository } from '../../../api/data/credentials-repository.js';
import { loadDistrict } from '../../../api/data/bulk-loader.js';
import { exportPackage } from '../../../api/exports/exporter.js';
import { writeCsvPackage } from '../../../api/generator/csv.js';
import { SIZES, generateDistrict } from '../../../api/generator/district.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import {
  importStored,
  postPackage,
  rosterGet,
  startImportStack,
  waitForJob,
  zipFolder,
  type ImportStack,
} from './support.js';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';

jest.setTimeout(120_000);

const ALL = 'roster.readonly roster-core.readonly roster-demographics.readonly';
let redis: OwnRedisServer;
let stack: ImportStack;
let reader: string;
let work: string;
let smallZip: Buffer;

beforeAll(async () => {
  redis = await OwnRedisServer.start();
  stack = await startImportStack(redis.url);
  reader = (
    await new CredentialAdmin(new CredentialsRepository(stack.under.api.database.orm)).createKey('r', ALL)
  ).key;
  work = await mkdtemp(join(tmpdir(), 'rh-import-'));
  await writeCsvPackage(generateDistrict(SIZES.small, 1), join(work, 'small'));
  smallZip = await zipFolder(join(work, 'small'));
});

afterAll(async () => {
  await stack.close();
  await redis.destroy();
  await rm(work, { recursive: true, force: true });
});

describe('imports through the API and the worker', () => {
  it('When a caller without the admin scope posts a package, then it is refused (401 without credentials, 403 without the scope)', async () => {
    expect((await postPackage(stack, smallZip, {}, null)).status).toBe(401);
    expect((await postPackage(stack, smallZip, {}, reader)).status).toBe(403);
  });

  it('When a bulk package is posted, then the worker applies it, the job reports per-file progress and timings, and the API serves the data under a new version', async () => {
    const before = stack.under.api.oneRoster.dataVersion.current();
    const posted = await postPackage(stack, smallZip);
    expect(posted.status).toBe(202);
    expect(posted.body.id).toMatch(/^import-[0-9a-f]{64}$/);
    const job = await waitForJob(stack, posted.body.id);
    expect(job).toMatchObject({ state: 'completed', outcome: 'applied', attempts: 1 });
    const district = generateDistrict(SIZES.small, 1);
    const activeUsers = [...district.users()].filter((u) => u.status === 'active').length;
    expect(job.progress?.files.find((f) => f.file === 'users.csv')).toMatchObject({
      rows: activeUsers,
      state: 'read',
    });
    expect(job.timings.startedAt).not.toBeNull();
    expect(job.result?.timings.merge).toBeGreaterThanOrEqual(0);
    await stack.under.api.oneRoster.dataVersion.refresh();
    expect(stack.under.api.oneRoster.dataVersion.current()).not.toBe(before);
    const users = await rosterGet(
      stack,
      reader,
      `/users?limit=1&filter=${encodeURIComponent("status='active'")}`,
    );
    expect(users.status).toBe(200);
    const total = await stack.under.api.database.pool.query<{ n: string }>(
      `select count(*) as n from users where status = 'active'`,
    );
    expect(Number(total.rows[0]?.n)).toBe(activeUsers);
    const student = [...district.users()].find(
      (u) => u.status === 'active' && u.roles[0]?.role === 'student',
    )!;
    const one = await rosterGet(stack, reader, `/users/${student.sourcedId}`);
    expect((one.body as { user: { roles: unknown } }).user.roles).toEqual([
      expect.objectContaining({ roleType: 'primary', role: 'student' }),
    ]);
    const demographics = await rosterGet(stack, reader, `/demographics/${student.sourcedId}`);
    expect(demographics.status).toBe(200);
  });

  it('When the same package is posted again, then the same job answers and nothing changes', async () => {
    const version = (
      await stack.under.api.database.pool.query<{ v: string }>(
        'select version::text as v from rosterhub_data_version',
      )
    ).rows[0]?.v;
    const again = await postPackage(stack, smallZip);
    expect(again.status).toBe(200);
    expect(again.body.state).toBe('completed');
    const after = (
      await stack.under.api.database.pool.query<{ v: string }>(
        'select version::text as v from rosterhub_data_version',
      )
    ).rows[0]?.v;
    expect(after).toBe(version);
  });

  it('When a bulk package leaves users out, then they become tobedeleted at import time, and a dry run changes nothing', async () => {
    const dir = join(work, 'fewer');
    await writeCsvPackage(generateDistrict(SIZES.small, 1), dir);
    const users = (await readFile(join(dir, 'users.csv'), 'utf8')).split('\r\n');
    // drop the last administrator (no other record refers to administrators)
    const dropped = users.filter((line) => line.startsWith('user-a')).at(-1)!;
    await writeFile(join(dir, 'users.csv'), users.filter((line) => line !== dropped).join('\r\n'));
    const roles = (await readFile(join(dir, 'roles.csv'), 'utf8')).split('\r\n');
    const droppedId = dropped.split(',')[0]!;
    await writeFile(
      join(dir, 'roles.csv'),
      roles.filter((line) => !line.includes(`,${droppedId},`)).join('\r\n'),
    );
    const zip = await zipFolder(dir);
    const dry = await waitForJob(stack, (await postPackage(stack, zip, { dryRun: 'true' })).body.id);
    expect(dry).toMatchObject({ state: 'completed', outcome: 'dry-run' });
    expect(dry.result?.counts.users).toMatchObject({ deleted: 1 });
    let row = await stack.under.api.database.pool.query<{ status: string }>(
      'select status from users where sourced_id = $1',
      [droppedId],
    );
    expect(row.rows[0]?.status).toBe('active');
    const started = Date.now();
    const job = await waitForJob(stack, (await postPackage(stack, zip)).body.id);
    expect(job.result?.counts.users).toEqual({ inserted: 0, updated: 0, deleted: 1 });
    row = await stack.under.api.database.pool.query(
      'select status, date_last_modified from users where sourced_id = $1',
      [droppedId],
    );
    expect(row.rows[0]?.status).toBe('tobedeleted');
    expect(
      new Date((row.rows[0] as unknown as { date_last_modified: string }).date_last_modified).getTime(),
    ).toBeGreaterThanOrEqual(started - 5000);
  });

  it('When a delta package deletes and updates rows, then only those rows change and they carry the file’s dateLastModified', async () => {
    const dir = join(work, 'delta');
    await writeCsvPackage(generateDistrict(SIZES.small, 1), dir);
    const manifest = (await readFile(join(dir, 'manifest.csv'), 'utf8'))
      .replace(/,bulk\r\n/g, ',absent\r\n')
      .replace('file.orgs,absent', 'file.orgs,delta');
    await writeFile(join(dir, 'manifest.csv'), manifest);
    await writeFile(
      join(dir, 'orgs.csv'),
      'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n' +
        'org-school-0003,tobedeleted,2026-01-02T03:04:05.000Z,Gone,school,,\r\n' +
        'org-school-0002,active,2026-01-02T03:04:05.000Z,Renamed School,school,X2,org-district\r\n',
    );
    for (const f of [
      'academicSessions',
      'courses',
      'classes',
      'users',
      'roles',
      'enrollments',
      'demographics',
    ])
      await rm(join(dir, `${f}.csv`));
    const job = await waitForJob(stack, (await postPackage(stack, await zipFolder(dir))).body.id);
    expect(job.result?.report.errors).toEqual([]);
    expect(job.result?.counts.orgs).toEqual({ inserted: 0, updated: 1, deleted: 1 });
    const orgs = await stack.under.api.database.pool.query<{
      sourced_id: string;
      status: string;
      name: string;
    }>(
      `select sourced_id, status, name from orgs where sourced_id in ('org-school-0002', 'org-school-0003', 'org-school-0001') order by 1`,
    );
    expect(orgs.rows.map((r) => [r.sourced_id, r.status, r.name])).toEqual([
      ['org-school-0001', 'active', expect.any(String)],
      ['org-school-0002', 'active', 'Renamed School'],
      ['org-school-0003', 'tobedeleted', expect.any(String)],
    ]);
  });

  it('When a package breaks references across files and against stored data, then it is rejected naming every problem and nothing is applied', async () => {
    const dir = join(work, 'broken');
    await writeCsvPackage(generateDistrict(SIZES.small, 1), dir);
    const enrollments = (await readFile(join(dir, 'enrollments.csv'), 'utf8')).split('\r\n');
    const fields = enrollments[2]!.split(',');
    fields[3] = 'class-missing';
    enrollments[2] = fields.join(',');
    enrollments[3] = enrollments[1]!;
    await writeFile(join(dir, 'enrollments.csv'), enrollments.join('\r\n'));
    const version = stack.under.api.oneRoster.dataVersion.current();
    const job = await waitForJob(stack, (await postPackage(stack, await zipFolder(dir))).body.id);
    expect(job.state).toBe('rejected');
    expect(job.result?.report.errors.map((p) => [p.file, p.line, p.column, p.rule])).toEqual([
      ['enrollments.csv', 3, 'classSourcedId', 'unknown-reference'],
      ['enrollments.csv', 4, 'sourcedId', 'duplicate-sourced-id'],
    ]);
    await stack.under.api.oneRoster.dataVersion.refresh();
    expect(stack.under.api.oneRoster.dataVersion.current()).toBe(version);
  });

  it('When /metrics is scraped, then import jobs by status, rows and the queue depth per state are there (read on the refresh timer)', async () => {
    let text = '';
    while (!text.includes('csv_import_jobs_total{status="rejected"} 1')) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await (await fetch(`${stack.under.healthUrl}/metrics`)).text();
    }
    expect(text).toMatch(/csv_import_jobs_total\{status="completed"\} [1-9]/);
    expect(text).toMatch(/csv_import_jobs_total\{status="rejected"\} 1/);
    expect(text).toMatch(/csv_import_rows_total [1-9]/);
    expect(text).toMatch(/csv_import_duration_seconds_count [1-9]/);
    expect(text).toMatch(/bullmq_job_count\{queue="rosterhub-imports",state="waiting"\} 0/);
  });
});

describe('export', () => {
  it('When a seeded district is exported and imported into another database, then the API gives the same answers for active records (delta: identical; bulk: identical but dateLastModified) and no record the source deleted is active', async () => {
    const source = await startImportStack(redis.url, false);
    const targets = [await startImportStack(redis.url, false), await startImportStack(redis.url, false)];
    try {
      await loadDistrict(source.database.url, generateDistrict(SIZES.small, 2));
      for (const [index, mode] of (['delta', 'bulk'] as ('delta' | 'bulk')[]).entries()) {
        const target = targets[index]!;
        const zipPath = join(work, `export-${mode}.zip`);
        await pipeline(await exportPackage(source.database.url, mode), createWriteStream(zipPath));
        const result = await importStored({
          databaseUrl: target.database.url,
          path: zipPath,
          dryRun: false,
          strict: true,
        });
        expect(result.report.errors).toEqual([]);
        expect(result.outcome).toBe('applied');
        for (const s of [source, target]) await s.under.api.oneRoster.dataVersion.refresh();
        const keys = await Promise.all(
          [source, target].map(
            async (s) =>
              (
                await new CredentialAdmin(new CredentialsRepository(s.under.api.database.orm)).createKey(
                  'k',
                  ALL,
                )
              ).key,
          ),
        );
        const filter = `&filter=${encodeURIComponent("status='active'")}`;
        for (const path of [
          '/orgs',
          '/academicSessions',
          '/courses',
          '/classes',
          '/users',
          '/enrollments',
          '/demographics',
        ]) {
          const [a, b] = await Promise.all(
            [source, target].map((s, i) => rosterGet(s, keys[i]!, `${path}?limit=10000${filter}`)),
          );
          const strip = (body: unknown): unknown =>
            JSON.parse(
              mode === 'delta'
                ? JSON.stringify(body)
                : JSON.stringify(body).replace(/"dateLastModified":"[^"]*",?/g, ''),
            );
          expect(b!.status).toBe(200);
          expect(strip(b!.body)).toEqual(strip(a!.body));
        }
        // a delta tombstone of a record the target never had creates nothing; nothing deleted is active
        const deleted = [...generateDistrict(SIZES.small, 2).users()].filter((u) => u.status !== 'active');
        expect(deleted.length).toBeGreaterThan(0);
        for (const user of deleted) {
          const answer = await rosterGet(target, keys[1]!, `/users/${user.sourcedId}`);
          expect(
            answer.status === 404 ||
              (answer.body as { user?: { status: string } }).user?.status === 'tobedeleted',
          ).toBe(true);
        }
      }
    } finally {
      await source.close();
      for (const t of targets) await t.close();
    }
  });
});
