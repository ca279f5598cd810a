import pg from 'pg';
import { loadDistrict } from '../api/data/bulk-loader.js';
import { Database } from '../api/db/database.js';
import { migrate } from '../api/db/migrate.js';
import { SIZES, generateDistrict } from '../api/generator/district.js';

/** The benchmark's own database: the large district, seeded once and reused by later runs. */
export async function ensureBenchDistrict(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await Database.open({ url: url.toString(), poolMax: 2 });
  try {
    await migrate(database, url.toString());
    const counts = await database.pool.query<{ users: string; enrollments: string; classes: string }>(
      'select (select count(*) from users) as users, (select count(*) from enrollments) as enrollments, (select count(*) from classes) as classes',
    );
    const row = counts.rows[0];
    const large = SIZES.large;
    if (
      row &&
      Number(row.users) === large.users &&
      Number(row.enrollments) === large.enrollments &&
      Number(row.classes) === large.classes
    ) {
      process.stdout.write(`bench database ${name}: large district present, reused\n`);
      return url.toString();
    }
  } finally {
    await database.close();
  }
  process.stdout.write(`bench database ${name}: seeding the large district (about 1-2 minutes)\n`);
  await loadDistrict(url.toString(), generateDistrict(SIZES.large, 1), (message) =>
    process.stdout.write(`  seed: ${message}\n`),
  );
  return url.toString();
}
