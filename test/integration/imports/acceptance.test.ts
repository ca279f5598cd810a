import { jest } from '@jest/globals';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CredentialsRepository } from '../../../api/data/credentials-repository.js';
import type { ImportJobView } from '../../../api/imports/job-store.js';
import { CredentialAdmin } from '../../../api/services/credential-admin.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import {
  postPackage,
  rosterGet,
  startImportStack,
  waitForJob,
  zipFolder,
  type ImportStack,
} from './support.js';

/**
 * Real third-party OneRoster packages from ../shared/oneroster-samples (outside the repository:
 * their licences keep them out of it). Each is imported through the API and the worker into a
 * database of its own; what each must produce follows from the specification. Without the
 * folder, jest.config.js leaves this file out of the run and says so.
 */
jest.setTimeout(120_000);

const samples = fileURLToPath(new URL('../../../../shared/oneroster-samples/', import.meta.url));
const ALL = 'roster.readonly roster-core.readonly roster-demographics.readonly';

type Located = [file: string, line: number | undefined, column: string | undefined, rule: string];

async function importSample(name: string): Promise<{ stack: ImportStack; job: ImportJobView; key: string }> {
  const path = join(samples, name);
  const zip = name.endsWith('.zip') ? await readFile(path) : await zipFolder(path);
  const stack = await startImportStack(redis.url);
  const key = (
    await new CredentialAdmin(new CredentialsRepository(stack.under.api.database.orm)).createKey(
      'reader',
      ALL,
    )
  ).key;
  const posted = await postPackage(stack, zip);
  expect(posted.status).toBe(202);
  const job = await waitForJob(stack, posted.body.id);
  await stack.under.api.oneRoster.dataVersion.refresh();
  return { stack, job, key };
}

const located = (job: ImportJobView): Located[] =>
  (job.result?.report.errors ?? []).map((p) => [p.file, p.line, p.column, p.rule]);

let redis: OwnRedisServer;

beforeAll(async () => {
  redis = await OwnRedisServer.start();
});
afterAll(async () => {
  await redis.destroy();
});

describe('acceptance with real OneRoster packages (../shared/oneroster-samples)', () => {
  it('When the folder is there, then it holds the packages this suite knows (a new one needs its own test)', async () => {
    expect((await readdir(samples)).filter((name) => name !== 'README.md').sort()).toEqual([
      'v1p1-bulk-en',
      'v1p1-full.zip',
      'v1p1-minimal.zip',
      'v1p2-bulk-with-errors.zip',
      'v1p2-delta-small.zip',
    ]);
  });

  it('When the 1.2 delta package (all 10 rostering files) is imported, then it is applied and the API serves its org, user with role and profile, class, enrollment and demographics', async () => {
    const { stack, job, key } = await importSample('v1p2-delta-small.zip');
    try {
      expect(job.result?.report.errors).toEqual([]);
      expect(job).toMatchObject({ state: 'completed', outcome: 'applied' });
      const user = await rosterGet(stack, key, '/users/USER_0');
      expect(user.status).toBe(200);
      expect(user.body).toMatchObject({
        user: {
          sourcedId: 'USER_0',
          status: 'active',
          dateLastModified: '2023-10-02T00:00:00.000Z',
          username: 'brucewayne',
          enabledUser: 'true',
          givenName: 'Bruce',
          familyName: 'Wayne',
          roles: [expect.objectContaining({ roleType: 'primary', role: 'student' })],
        },
      });
      for (const path of [
        '/orgs/ORG_1',
        '/classes/CLASS_001',
        '/courses/COURSE_001',
        '/academicSessions/ACAD_SESS_1',
        '/enrollments/ENROLLMENT_001',
        '/demographics/USER_0',
        '/classes/CLASS_001/students',
      ])
        expect([path, (await rosterGet(stack, key, path)).status]).toEqual([path, 200]);
      const students = await rosterGet(stack, key, '/classes/CLASS_001/students');
      expect(students.body).toMatchObject({ users: [expect.objectContaining({ sourcedId: 'USER_0' })] });
    } finally {
      await stack.close();
    }
  });

  it('When the 1.1 bulk package with quoted fields, metadata columns and the manifest typo fiel.demographics is imported, then it is applied with a warning and its users are served with 1.2 roles', async () => {
    const { stack, job, key } = await importSample('v1p1-bulk-en');
    try {
      expect(job.result?.report.errors).toEqual([]);
      expect(job).toMatchObject({ state: 'completed', outcome: 'applied' });
      expect(job.result?.report.warnings).toContainEqual(
        expect.objectContaining({ file: 'manifest.csv', rule: 'unknown-manifest-property' }),
      );
      const users = await rosterGet(stack, key, '/users?limit=1000');
      expect(users.status).toBe(200);
      expect((users.body as { users: unknown[] }).users).toHaveLength(20);
      const first = await rosterGet(stack, key, '/users/us0001');
      expect(first.body).toMatchObject({
        user: {
          sourcedId: 'us0001',
          givenName: 'GN 01',
          roles: [expect.objectContaining({ roleType: 'primary', role: 'student' })],
        },
      });
      expect((await rosterGet(stack, key, '/classes/cl0001/teachers')).status).toBe(200);
    } finally {
      await stack.close();
    }
  });

  it('When the 1.2 bulk package with real-world mistakes is imported, then it is rejected naming every problem (file, line, column, rule) and nothing is applied', async () => {
    const { stack, job } = await importSample('v1p2-bulk-with-errors.zip');
    try {
      expect(job).toMatchObject({ state: 'rejected', outcome: 'rejected' });
      const errors = located(job);
      // blank manifest values, and userprofiles.csv named in the wrong case
      expect(errors).toContainEqual(['manifest.csv', expect.any(Number), 'value', 'manifest-value']);
      expect(errors).toContainEqual(['userprofiles.csv', undefined, undefined, 'file-name-case']);
      // status and dateLastModified filled in bulk files
      expect(errors).toContainEqual(['academicSessions.csv', 2, 'status', 'bulk-field-not-blank']);
      expect(errors).toContainEqual(['users.csv', 2, 'dateLastModified', 'bulk-field-not-blank']);
      // misspelt headers (prefferedGivenName, dataLastModified)
      expect(errors).toContainEqual(['users.csv', 1, 'preferredGivenName', 'header']);
      expect(errors).toContainEqual(['roles.csv', 1, 'dateLastModified', 'header']);
      for (const problem of job.result?.report.errors ?? []) expect(problem.message).not.toBe('');
      expect(job.result?.report.totals.errors).toBeGreaterThanOrEqual(errors.length);
      const rows = await stack.under.api.database.pool.query<{ n: string }>(
        'select (select count(*) from users) + (select count(*) from orgs) + (select count(*) from classes) as n',
      );
      expect(rows.rows[0]?.n).toBe('0');
    } finally {
      await stack.close();
    }
  });

  it.each([['v1p1-full.zip'], ['v1p1-minimal.zip']])(
    'When the 1.1 bulk package %s, whose classes name courses that no file defines, is imported, then it is rejected for those references and nothing is applied',
    async (name) => {
      const { stack, job } = await importSample(name);
      try {
        expect(job).toMatchObject({ state: 'rejected', outcome: 'rejected' });
        expect(located(job)).toContainEqual(['classes.csv', 2, 'courseSourcedId', 'unknown-reference']);
        const rows = await stack.under.api.database.pool.query<{ n: string }>(
          'select count(*) as n from users',
        );
        expect(rows.rows[0]?.n).toBe('0');
      } finally {
        await stack.close();
      }
    },
  );
});
