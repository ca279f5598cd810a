import { FILE_SPECS, USERS_1_2_1 } from '../../../api/imports/file-specs.js';
import { ProblemCollector } from '../../../api/imports/problems.js';
import { RowValidator } from '../../../api/imports/row-validator.js';
import { stageColumns } from '../../../api/imports/stage-tables.js';

const enrollmentHeader = FILE_SPECS.enrollments.columns.map((c) => c.name);

function validate(
  row: string[],
  {
    mode = 'bulk',
    strict = false,
    header = enrollmentHeader,
  }: { mode?: 'bulk' | 'delta'; strict?: boolean; header?: string[] } = {},
): { line: string; problems: ProblemCollector } {
  const problems = new ProblemCollector(strict);
  const validator = new RowValidator(
    FILE_SPECS.enrollments,
    mode,
    '1.2',
    header,
    stageColumns('enrollments'),
    problems,
  );
  return { line: validator.stage(row, 2), problems };
}

describe('row validation', () => {
  it('When a bulk enrollment row is valid, then it becomes one COPY line with blanks as NULL and no problem', () => {
    const { line, problems } = validate(['e1', '', '', 'c1', 's1', 'u1', 'student', '', '2025-08-15', '']);
    expect(line).toBe('2\te1\tactive\t\\N\tc1\ts1\tu1\tstudent\t\\N\t2025-08-15\t\\N\t\\N\n');
    expect(problems.report().totals).toEqual({ errors: 0, warnings: 0, byRule: {} });
  });

  it.each([
    [['e1', 'active', '', 'c1', 's1', 'u1', 'student', '', '', ''], 'bulk-field-not-blank', 'status'],
    [['e1', '', '', 'c1', 's1', 'u1', 'Student!', '', '', ''], 'enum', 'role'],
    [['e1', '', '', 'c1', 's1', 'u1', 'student', 'yes', '', ''], 'boolean', 'primary'],
    [['e1', '', '', 'c1', 's1', 'u1', 'student', '', '1/05/2023', ''], 'date-format', 'beginDate'],
    [['e1', '', '', 'c1', 's1', 'u1', 'student', '', '2023-02-30', ''], 'date-format', 'beginDate'],
    [['e 1', '', '', 'c1', 's1', 'u1', 'student', '', '', ''], 'guid', 'sourcedId'],
    [['e1', '', '', '', 's1', 'u1', 'student', '', '', ''], 'required', 'classSourcedId'],
  ])('When a row has %j, then the problem is %s in column %s', (row, rule, column) => {
    const { problems } = validate(row);
    const report = problems.report();
    expect(report.errors).toEqual([
      expect.objectContaining({
        file: 'enrollments.csv',
        line: 2,
        column,
        rule,
        value: expect.any(String) as string,
      }),
    ]);
  });

  it('When a delta row lacks status or has a date instead of a date-time, then both are errors', () => {
    const { problems } = validate(['e1', '', '2023-05-01', 'c1', 's1', 'u1', 'student', '', '', ''], {
      mode: 'delta',
    });
    expect(problems.report().errors.map((p) => [p.column, p.rule])).toEqual([
      ['status', 'required'],
      ['dateLastModified', 'datetime-format'],
    ]);
  });

  it('When a value differs from its vocabulary only in case, then it is a warning and read canonically; --strict makes it an error', () => {
    const lenient = validate(['e1', '', '', 'c1', 's1', 'u1', 'Student', 'TRUE', '', '']);
    expect(lenient.line).toContain('\tstudent\ttrue\t');
    expect(lenient.problems.report().warnings.map((p) => p.rule)).toEqual(['case-mismatch', 'case-mismatch']);
    const strict = validate(['e1', '', '', 'c1', 's1', 'u1', 'Student', '', '', ''], { strict: true });
    expect(strict.problems.report().errors.map((p) => p.rule)).toEqual(['case-mismatch']);
  });

  it('When the header has a misspelt column and a stray one, then each is named and the rows are still checked by position', () => {
    const header = [...enrollmentHeader];
    header[7] = 'Primary';
    header.push('extra');
    const { problems } = validate(['e1', '', '', 'c1', 's1', 'u1', 'student', 'x', '', '', ''], { header });
    expect(problems.report().errors.map((p) => [p.line, p.column, p.rule])).toEqual([
      [1, 'primary', 'header'],
      [1, 'extra', 'header'],
      [2, 'primary', 'boolean'],
    ]);
  });

  it('When users.csv has userIds, lists and metadata columns, then they are staged as JSON, trimmed lists and a metadata object', () => {
    const header = [...USERS_1_2_1.columns.map((c) => c.name), 'metadata.nickname'];
    const problems = new ProblemCollector(false);
    const validator = new RowValidator(USERS_1_2_1, 'bulk', '1.2', header, stageColumns('users'), problems);
    const row = [
      'u1',
      '',
      '',
      'true',
      'ann',
      '{LDAP:12},{LTI:15}',
      'Ann',
      'Lee',
      '',
      '',
      '',
      '',
      '',
      'g1, g2',
      '09,10',
      'secret',
      '',
      '',
      '',
      '',
      'o1',
      '',
      'Annie',
    ];
    const line = validator.stage(row, 3).trimEnd().split('\t');
    const columns = ['line', ...stageColumns('users'), 'metadata'];
    const at = (name: string): string | undefined => line[columns.indexOf(name)];
    expect(at('user_ids')).toBe('[{"type":"LDAP","identifier":"12"},{"type":"LTI","identifier":"15"}]');
    expect(at('agent_sourced_ids')).toBe('g1,g2');
    expect(at('grades')).toBe('09,10');
    expect(at('metadata')).toBe('{"nickname":"Annie"}');
    expect(line.join('\t')).not.toContain('secret');
    expect(problems.errorCount).toBe(0);
  });

  it('When a row has too few fields, then column-count names the line', () => {
    const { problems } = validate(['e1', '', '', 'c1']);
    expect(problems.report().errors.map((p) => p.rule)).toContain('column-count');
  });

  it('When more problems than the cap occur, then the totals still count every one and the report says it is truncated', () => {
    const problems = new ProblemCollector(false, 5, 3);
    for (let i = 0; i < 10; i += 1) problems.error({ file: 'a.csv', line: i, rule: 'r', message: 'm' });
    const report = problems.report();
    expect(report.errors).toHaveLength(3);
    expect(report.totals.errors).toBe(10);
    expect(report.totals.byRule).toEqual({ 'a.csv:r': 10 });
    expect(report.truncated).toBe(true);
  });

  it('When roles.csv uses the 1.1 role administrator, then a 1.2 package gets an error and a 1.1 package reads it as siteAdministrator', () => {
    const header = FILE_SPECS.roles.columns.map((c) => c.name);
    const row = ['r1', '', '', 'u1', 'primary', 'administrator', '', '', 'o1', ''];
    const stage = (version: '1.1' | '1.2'): { line: string; problems: ProblemCollector } => {
      const problems = new ProblemCollector(false);
      const validator = new RowValidator(
        FILE_SPECS.roles,
        'bulk',
        version,
        header,
        stageColumns('roles'),
        problems,
      );
      return { line: validator.stage(row, 2), problems };
    };
    const v12 = stage('1.2');
    expect(v12.problems.report().errors).toEqual([
      expect.objectContaining({ file: 'roles.csv', line: 2, column: 'role', rule: 'legacy-value' }),
    ]);
    const v11 = stage('1.1');
    expect(v11.problems.errorCount).toBe(0);
    expect(v11.line.split('\t')).toContain('siteAdministrator');
  });
});
