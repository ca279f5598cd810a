import { checkManifest } from '../../../api/imports/manifest.js';
import { MANIFEST_FILES_1_2 } from '../../../api/imports/file-specs.js';
import { ProblemCollector } from '../../../api/imports/problems.js';

const manifest = (lines: string[]): string => ['propertyName,value', ...lines].join('\r\n');
const allAbsent = (except: Record<string, string> = {}): string[] =>
  MANIFEST_FILES_1_2.map((f) => `file.${f},${except[f] ?? 'absent'}`);

function check(text: string | undefined, files: string[], strict = false) {
  const problems = new ProblemCollector(strict);
  const result = checkManifest(text, files, [], problems);
  return { result, report: problems.report() };
}

describe('manifest checks', () => {
  it('When the manifest lists bulk and delta files that are present, then they are returned with their modes', () => {
    const { result, report } = check(
      manifest([
        'manifest.version,1.0',
        'oneroster.version,1.2',
        ...allAbsent({ orgs: 'bulk', users: 'delta', lineItems: 'absent' }),
      ]),
      ['manifest.csv', 'orgs.csv', 'users.csv'],
    );
    expect(report.totals.errors + report.totals.warnings).toBe(0);
    expect(result?.version).toBe('1.2');
    expect([...(result?.files ?? [])]).toEqual([
      ['orgs', 'bulk'],
      ['users', 'delta'],
    ]);
  });

  it('When the manifest and the files disagree, then each mismatch is an error naming the file', () => {
    const { report } = check(
      manifest([
        'manifest.version,1.0',
        'oneroster.version,1.2',
        ...allAbsent({ orgs: 'bulk', scoreScales: '' }),
      ]),
      ['manifest.csv', 'users.csv', 'userprofiles.csv'],
    );
    expect(report.errors.map((p) => `${p.file} ${p.rule}`).sort()).toEqual([
      'manifest.csv file-missing',
      'manifest.csv file-not-in-manifest',
      'manifest.csv manifest-value',
      'userprofiles.csv file-name-case',
    ]);
  });

  it('When a property is misspelt and its file is absent, then both are warnings, and --strict turns them into errors', () => {
    const lines = [
      'manifest.version,1.0',
      'oneroster.version,1.2',
      ...allAbsent().filter((l) => !l.startsWith('file.demographics')),
      'fiel.demographics,absent',
    ];
    const lenient = check(manifest(lines), ['manifest.csv']);
    expect(lenient.report.totals.errors).toBe(0);
    expect(lenient.report.warnings.map((p) => p.rule).sort()).toEqual([
      'manifest-missing-line',
      'unknown-manifest-property',
    ]);
    const strict = check(manifest(lines), ['manifest.csv'], true);
    expect(strict.report.totals.errors).toBe(2);
  });

  it('When versions are wrong or the manifest is missing, then the import is told exactly that', () => {
    expect(
      check(manifest(['manifest.version,2.0', 'oneroster.version,1.3']), []).report.errors.map((p) => p.rule),
    ).toEqual(expect.arrayContaining(['manifest-version', 'oneroster-version']));
    expect(check(undefined, ['Manifest.csv']).report.errors.map((p) => p.rule)).toEqual(['file-name-case']);
    expect(check(undefined, []).report.errors.map((p) => p.rule)).toEqual(['manifest-missing']);
  });

  it('When a 1.1 manifest lists only the 1.1 files, then no 1.2-only file is asked for', () => {
    const v11 = [
      'academicSessions',
      'categories',
      'classes',
      'classResources',
      'courses',
      'courseResources',
      'demographics',
      'enrollments',
      'lineItems',
      'orgs',
      'resources',
      'results',
      'users',
    ];
    const { result, report } = check(
      manifest([
        'manifest.version,1.0',
        'oneroster.version,1.1',
        ...v11.map((f) => `file.${f},${f === 'users' ? 'bulk' : 'absent'}`),
      ]),
      ['manifest.csv', 'users.csv'],
    );
    expect(report.totals).toEqual({ errors: 0, warnings: 0, byRule: {} });
    expect(result?.version).toBe('1.1');
  });
});
