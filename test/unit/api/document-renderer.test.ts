import { createHash } from 'node:crypto';
import { DOCUMENT_RESOURCES, objectText } from '../../../api/data/sql-builder.js';
import { migrationsList } from '../../../api/db/migrations/index.js';

/**
 * Stored documents and the triggers of existing databases were rendered by the renderer as it was
 * when the latest rendering migration was written (the migrations build their SQL from the live
 * renderer, so a fresh database always gets the current one). A renderer change without a new
 * migration would leave existing districts with old documents beside new ones.
 */
const RENDERER_OF_LATEST_RENDERING_MIGRATION = {
  migration: '0008-percent-encoded-hrefs',
  sha256: 'd6bc824ae8e56d3e366d805f5063c4a80535377e114954841af1a469840782e8',
};

function rendererFingerprint(): string {
  const hash = createHash('sha256');
  for (const resource of DOCUMENT_RESOURCES)
    hash.update(`${resource}\n${objectText(resource, undefined, () => `''`)}\n`);
  return hash.digest('hex');
}

describe('the stored-document renderer', () => {
  it('When the renderer changes, then a migration that replaces the rh_render_* functions and re-renders stored documents comes with it (and is recorded here)', () => {
    expect(migrationsList.map((migration) => migration.name)).toContain(
      RENDERER_OF_LATEST_RENDERING_MIGRATION.migration,
    );
    // On a mismatch: add a migration like 0005 (create or replace the functions, then
    // `update <table> set doc = null` to re-render), then record its name and this fingerprint.
    expect(rendererFingerprint()).toBe(RENDERER_OF_LATEST_RENDERING_MIGRATION.sha256);
  });
});
