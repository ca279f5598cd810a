import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Database } from '../../../api/db/database.js';
import { migrate } from '../../../api/db/migrate.js';
import { loadDistrict } from '../../../api/data/bulk-loader.js';
import { DOCUMENT_RESOURCES, TABLES, objectText } from '../../../api/data/sql-builder.js';
import { writeCsvPackage } from '../../../api/generator/csv.js';
import { SIZES, generateDistrict } from '../../../api/generator/district.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { importStored } from './support.js';

let database: TestDatabase;
let work: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const db = await Database.open({ url: database.url, poolMax: 1 });
  await migrate(db, database.url);
  await db.close();
  work = await mkdtemp(join(tmpdir(), 'rh-documents-'));
});

afterAll(async () => {
  await database.drop();
  await rm(work, { recursive: true, force: true });
});

/** Rows per table whose stored document differs from a fresh rendering by the read path's builder. */
async function staleDocuments(): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const stale: Record<string, number> = {};
    for (const resource of DOCUMENT_RESOURCES) {
      const result = await client.query<{ rows: string; stale: string }>(
        `select count(*) as rows, count(*) filter (where t.doc is distinct from ${objectText(resource, undefined, () => `''`)}) as stale from ${TABLES[resource]} t`,
      );
      expect(Number(result.rows[0]?.rows)).toBeGreaterThan(0);
      stale[resource] = Number(result.rows[0]?.stale);
    }
    return stale;
  } finally {
    await client.end();
  }
}

const none = Object.fromEntries(DOCUMENT_RESOURCES.map((resource) => [resource, 0]));

describe('stored documents', () => {
  it('When a package is imported into empty tables and then a changed one over them, then every stored document is exactly what the read path renders', async () => {
    const first = join(work, 'first');
    await writeCsvPackage(generateDistrict(SIZES.small, 1), first);
    const applied = await importStored({
      databaseUrl: database.url,
      path: first,
      dryRun: false,
      strict: false,
    });
    expect(applied.outcome).toBe('applied');
    expect(await staleDocuments()).toEqual(none);

    // a second bulk: one user renamed (with characters JSON escapes), one enrollment left out
    const second = join(work, 'second');
    await writeCsvPackage(generateDistrict(SIZES.small, 1), second);
    const users = (await readFile(join(second, 'users.csv'), 'utf8')).split('\r\n');
    const header = (users[0] ?? '').split(',');
    const renamed = (users[1] ?? '').split(',');
    renamed[header.indexOf('givenName')] = 'Zoë "Z" \\ Renamed';
    users[1] = renamed
      .map((value) => (/[",]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value))
      .join(',');
    await writeFile(join(second, 'users.csv'), users.join('\r\n'));
    const enrollments = (await readFile(join(second, 'enrollments.csv'), 'utf8')).split('\r\n');
    enrollments.splice(1, 1);
    await writeFile(join(second, 'enrollments.csv'), enrollments.join('\r\n'));
    const changed = await importStored({
      databaseUrl: database.url,
      path: second,
      dryRun: false,
      strict: false,
    });
    expect(changed.report.errors).toEqual([]);
    expect(changed.counts.users).toMatchObject({ inserted: 0, updated: 1, deleted: 0 });
    expect(changed.counts.enrollments).toMatchObject({ inserted: 0, updated: 0, deleted: 1 });
    expect(await staleDocuments()).toEqual(none);
  });

  it('When a district is seeded, then every document the loader rendered set-based is exactly what the read path renders', async () => {
    const loaded = await loadDistrict(database.url, generateDistrict(SIZES.small, 7));
    expect(loaded.users).toBe(SIZES.small.users);
    expect(await staleDocuments()).toEqual(none);
  });
});
