import { Migration0001DataVersion } from './0001-data-version.js';

/** Every migration in order. A new migration is a new file here, appended at the end. */
export const migrationsList = [{ name: '0001-data-version', class: Migration0001DataVersion }];

export const MIGRATIONS_TABLE = 'rosterhub_migrations';
