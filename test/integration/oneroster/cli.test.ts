/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are parsed JSON */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type CliRun } from '../../helpers/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let database: TestDatabase;

function run(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return startCli(args, { DATABASE_URL: database.url, ...env }).done;
}

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

describe('rosterhub CLI: credentials and data', () => {
  it('When a client is created, then its secret is printed once as JSON and only its hash is stored', async () => {
    const result = await run([
      'clients',
      'create',
      '--name',
      'Canvas',
      '--scopes',
      'roster.readonly,roster-core.readonly',
    ]);
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout) as {
      clientId: string;
      clientSecret: string;
      scopes: string[];
      name: string;
    };
    expect(created).toMatchObject({
      name: 'Canvas',
      clientId: expect.any(String),
      clientSecret: expect.stringMatching(/^[0-9A-Za-z]{43}$/),
    });
    expect(created.scopes).toHaveLength(2);
    const stored = await database.scalar(
      `select secret_hash || ' ' || name as v from api_clients where client_id = '${created.clientId}'`,
    );
    expect(stored).toMatch(/^[0-9a-f]{64} Canvas$/);
    expect(stored).not.toContain(created.clientSecret);
  });

  it('When keys are created, listed and revoked, then list never shows a secret and revoke marks the key', async () => {
    const made = await run([
      'keys',
      'create',
      '--name',
      'SIS sync',
      '--scopes',
      'roster-demographics.readonly',
    ]);
    expect(made.code).toBe(0);
    const key = JSON.parse(made.stdout) as { keyId: string; key: string };
    expect(key.key).toMatch(new RegExp(`^rh_live_${key.keyId}_[0-9A-Za-z]{43}$`));
    const listed = await run(['keys', 'list']);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ keyId: key.keyId, name: 'SIS sync', revokedAt: null }),
    ]);
    expect(listed.stdout).not.toContain(key.key.slice(21));
    expect((await run(['keys', 'revoke', key.keyId])).code).toBe(0);
    expect(JSON.parse((await run(['keys', 'list'])).stdout)[0].revokedAt).toEqual(expect.any(String));
    const again = await run(['keys', 'revoke', key.keyId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no active key ${key.keyId}`);
  });

  it('When arguments are missing or a scope is unknown, then the command exits non-zero saying why', async () => {
    expect((await run(['clients', 'create', '--name', 'x'])).code).toBe(2);
    const scope = await run(['keys', 'create', '--name', 'x', '--scopes', 'roster.write']);
    expect(scope.code).toBe(1);
    expect(scope.stderr).toContain('unknown scope: roster.write');
    expect((await run(['seed', '--size', 'huge'])).stderr).toContain('--size must be one of small, large');
  });

  it('When seed --size small runs twice with the same seed, then the same district is loaded and the data version moves on', async () => {
    const first = await run(['seed', '--size', 'small', '--seed', '5']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).rows).toEqual({
      orgs: 4,
      academic_sessions: 7,
      courses: 12,
      classes: 60,
      users: 600,
      enrollments: 1560,
      demographics: 300,
    });
    const digest = `select md5(string_agg(sourced_id || given_name || family_name, ',' order by sourced_id)) as v from users`;
    const before = await database.scalar(digest);
    const version = await database.scalar('select version as v from rosterhub_data_version');
    expect((await run(['seed', '--size', 'small', '--seed', '5'])).code).toBe(0);
    expect(await database.scalar(digest)).toBe(before);
    expect(Number(await database.scalar('select version as v from rosterhub_data_version'))).toBe(
      Number(version) + 1,
    );
  });

  it('When generate writes a package, then the folder holds manifest.csv and the OneRoster files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rh-gen-'));
    try {
      const result = await run(['generate', '--size', 'small', '--out', dir]);
      expect(result.code).toBe(0);
      expect((await readdir(dir)).sort()).toEqual(
        [
          'academicSessions',
          'classes',
          'courses',
          'demographics',
          'enrollments',
          'manifest',
          'orgs',
          'roles',
          'users',
        ].map((f) => `${f}.csv`),
      );
      expect(await readFile(join(dir, 'manifest.csv'), 'utf8')).toContain('file.enrollments,bulk');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
