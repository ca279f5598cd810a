import { Migration0001DataVersion } from './0001-data-version.js';
import { Migration0002Rostering } from './0002-rostering.js';
import { Migration0003Credentials } from './0003-credentials.js';
import { Migration0004Imports } from './0004-imports.js';
import { Migration0005RenderedDocuments } from './0005-rendered-documents.js';
import { Migration0006DocumentsRenderedByWriters } from './0006-documents-rendered-by-writers.js';
import { Migration0007ImportPackages } from './0007-import-packages.js';
import { Migration0008PercentEncodedHrefs } from './0008-percent-encoded-hrefs.js';
import { Migration0009DeletionsReachDependents } from './0009-deletions-reach-dependents.js';
import { Migration0010ClientSecretRotation } from './0010-client-secret-rotation.js';

/** Every migration in order. A new migration is a new file here, appended at the end. */
export const migrationsList = [
  { name: '0001-data-version', class: Migration0001DataVersion },
  { name: '0002-rostering', class: Migration0002Rostering },
  { name: '0003-credentials', class: Migration0003Credentials },
  { name: '0004-imports', class: Migration0004Imports },
  { name: '0005-rendered-documents', class: Migration0005RenderedDocuments },
  { name: '0006-documents-rendered-by-writers', class: Migration0006DocumentsRenderedByWriters },
  { name: '0007-import-packages', class: Migration0007ImportPackages },
  { name: '0008-percent-encoded-hrefs', class: Migration0008PercentEncodedHrefs },
  { name: '0009-deletions-reach-dependents', class: Migration0009DeletionsReachDependents },
  { name: '0010-client-secret-rotation', class: Migration0010ClientSecretRotation },
];

export const MIGRATIONS_TABLE = 'rosterhub_migrations';
