import { defineEntity, p } from '@mikro-orm/core';
import { rosterEntities } from './roster-entities.js';

/**
 * A single row counting committed changes to roster data. Imports bump it; caches key on it so
 * that a new import turns every cached answer over at once.
 */
export const DataVersion = defineEntity({
  name: 'DataVersion',
  tableName: 'rosterhub_data_version',
  properties: {
    id: p.integer().primary(),
    version: p.bigint(),
    updatedAt: p.datetime(),
  },
});

export const entities = [DataVersion, ...rosterEntities];
