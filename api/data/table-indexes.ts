import type pg from 'pg';

/**
 * Drops the indexes of `tables` and, unless `keepPrimaryKey`, their primary keys, returning the
 * statements that build them again: a bulk load into empty tables then builds each index in one
 * sort instead of maintaining it row by row. Indexes behind other constraints are kept.
 */
export async function dropIndexes(
  client: pg.ClientBase,
  tables: readonly string[],
  options: { keepPrimaryKey: boolean },
): Promise<string[]> {
  const primary = options.keepPrimaryKey
    ? []
    : (
        await client.query<{ relation: string; name: string; definition: string }>(
          `select conrelid::regclass::text as relation, conname as name, pg_get_constraintdef(oid) as definition
           from pg_constraint where conrelid = any($1::regclass[]) and contype = 'p'`,
          [tables],
        )
      ).rows;
  const indexes = await client.query<{ name: string; definition: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
     from pg_index i where i.indrelid = any($1::regclass[])
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
    [tables],
  );
  for (const index of indexes.rows) await client.query(`drop index ${index.name}`);
  for (const key of primary) await client.query(`alter table ${key.relation} drop constraint ${key.name}`);
  return [
    ...primary.map((key) => `alter table ${key.relation} add constraint ${key.name} ${key.definition}`),
    ...indexes.rows.map((index) => index.definition),
  ];
}
