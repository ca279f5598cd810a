import { SqlParams, filterSql, objectText, lazyParam } from '../../../api/data/sql-builder.js';
import { parseFilter } from '../../../api/services/filter-parser.js';
import { RESOURCES } from '../../../api/services/resources.js';

describe('sql-builder', () => {
  it('When a filter holds SQL, then the SQL text has only bind parameters and the values go separately', () => {
    const params = new SqlParams();
    const hostile = "x'); drop table users; --";
    const sql = filterSql(
      parseFilter(`familyName='${hostile.replace(/'/g, "''")}' OR email~'%_'`, RESOURCES.users),
      params,
    );
    expect(sql).toBe('(t.family_name = $1::text or strpos(lower(t.email), lower($2::text)) > 0)');
    expect(params.values).toEqual([hostile, '%_']);
  });

  it('When a filter addresses roles, references and lists, then it uses containment on the right columns', () => {
    const params = new SqlParams();
    const sql = filterSql(
      parseFilter("roles.role='teacher' AND primaryOrg.sourcedId!='s1' AND grades='09'", RESOURCES.users),
      params,
    );
    expect(sql).toBe(
      '(t.roles @> $1::jsonb and t.primary_org_sourced_id is distinct from $2::text and coalesce($3::text = any(t.grades), false))',
    );
    expect(params.values).toEqual(['[{"role":"teacher"}]', 's1', '09']);
  });

  it('When no selected field needs the base URL, then no parameter is bound for it', () => {
    const params = new SqlParams();
    const sql = objectText(
      'users',
      [RESOURCES.users.byName.get('sourcedId')!],
      lazyParam(params, 'https://h', '::text'),
    );
    expect(sql).toBe(
      `'{' || substr(coalesce(',"sourcedId":' || to_json(t.sourced_id::text)::text, ''), 2) || '}'`,
    );
    expect(params.values).toEqual([]);
  });
});
