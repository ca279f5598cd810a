import { parse } from 'csv-parse/sync';
import { MANIFEST_FILES_1_1, MANIFEST_FILES_1_2, isRosterFile, type RosterFile } from './file-specs.js';
import type { ProblemCollector } from './problems.js';

export type FileMode = 'bulk' | 'delta';

/** What the manifest says, once checked against the files present. */
export interface Manifest {
  readonly version: '1.1' | '1.2';
  /** The rostering files to import, with their mode. */
  readonly files: ReadonlyMap<RosterFile, FileMode>;
  readonly source: { systemName?: string; systemCode?: string };
}

const MANIFEST = 'manifest.csv';
const MODES = new Set(['absent', 'bulk', 'delta']);

/**
 * Checks manifest.csv against the package's file names and reports every problem. Returns the
 * manifest when it can be read at all (even with errors, so that files are still validated).
 */
export function checkManifest(
  text: string | undefined,
  fileNames: readonly string[],
  nested: readonly string[],
  problems: ProblemCollector,
): Manifest | undefined {
  for (const name of nested)
    problems.error({
      file: name,
      rule: 'nested-file',
      message: 'files must be at the root of the package, not in a folder',
    });
  if (text === undefined) {
    const other = fileNames.find((name) => name.toLowerCase() === MANIFEST);
    problems.error({
      file: MANIFEST,
      rule: other ? 'file-name-case' : 'manifest-missing',
      message: other
        ? `the manifest is named ${other}; file names are case-sensitive: it must be manifest.csv`
        : 'manifest.csv is missing (every OneRoster package has one)',
    });
    return undefined;
  }
  let rows: string[][];
  try {
    rows = parse(text, {
      bom: true,
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      skip_empty_lines: true,
    });
  } catch (error) {
    problems.error({ file: MANIFEST, rule: 'csv-syntax', message: (error as Error).message });
    return undefined;
  }
  const [header, ...body] = rows;
  if (header?.[0] !== 'propertyName' || header[1] !== 'value' || header.length !== 2)
    problems.error({
      file: MANIFEST,
      line: 1,
      value: header?.join(','),
      rule: 'header',
      message: 'the header must be exactly propertyName,value',
    });
  const properties = new Map<string, { value: string; line: number }>();
  body.forEach((row, index) => {
    const line = index + 2;
    const [name = '', value = ''] = row.map((cell) => cell.trim());
    if (properties.has(name))
      problems.error({
        file: MANIFEST,
        line,
        column: 'propertyName',
        value: name,
        rule: 'duplicate-property',
        message: `${name} is listed twice`,
      });
    else properties.set(name, { value, line });
  });

  const manifestVersion = properties.get('manifest.version');
  if (manifestVersion?.value !== '1.0')
    problems.error({
      file: MANIFEST,
      ...(manifestVersion ? { line: manifestVersion.line, value: manifestVersion.value } : {}),
      column: 'value',
      rule: 'manifest-version',
      message: manifestVersion
        ? 'manifest.version must be 1.0'
        : 'manifest.version is missing (it must be 1.0)',
    });
  const oneRoster = properties.get('oneroster.version');
  let version: '1.1' | '1.2' = '1.2';
  if (oneRoster?.value === '1.1' || oneRoster?.value === '1.2') version = oneRoster.value;
  else
    problems.error({
      file: MANIFEST,
      ...(oneRoster ? { line: oneRoster.line, value: oneRoster.value } : {}),
      column: 'value',
      rule: 'oneroster-version',
      message: oneRoster
        ? 'oneroster.version must be 1.2 (or 1.1 for packages that are converted)'
        : 'oneroster.version is missing (1.2, or 1.1)',
    });
  const known: readonly string[] = version === '1.1' ? MANIFEST_FILES_1_1 : MANIFEST_FILES_1_2;

  const modes = new Map<string, string>();
  for (const [name, { value, line }] of properties) {
    if (name === 'manifest.version' || name === 'oneroster.version') continue;
    if (name === 'source.systemName' || name === 'source.systemCode') continue;
    const file = name.startsWith('file.') ? name.slice(5) : undefined;
    if (file === undefined || !known.includes(file)) {
      problems.warning({
        file: MANIFEST,
        line,
        column: 'propertyName',
        value: name,
        rule: 'unknown-manifest-property',
        message: `${name} is not a OneRoster ${version} manifest property; it is ignored`,
      });
      continue;
    }
    if (!MODES.has(value)) {
      problems.error({
        file: MANIFEST,
        line,
        column: 'value',
        value,
        rule: 'manifest-value',
        message: `${name} must be absent, bulk or delta`,
      });
      continue;
    }
    modes.set(file, value);
  }

  const present = new Set(fileNames);
  const lowerKnown = new Map(known.map((file) => [`${file.toLowerCase()}.csv`, file]));
  for (const name of fileNames) {
    if (name === MANIFEST) continue;
    const file = name.endsWith('.csv') ? name.slice(0, -4) : undefined;
    if (file !== undefined && known.includes(file)) continue;
    const meant = lowerKnown.get(name.toLowerCase());
    if (meant)
      problems.error({
        file: name,
        rule: 'file-name-case',
        message: `file names are case-sensitive: ${name} must be named ${meant}.csv`,
      });
    else
      problems.warning({
        file: name,
        rule: 'unknown-file',
        message: `${name} is not a OneRoster ${version} file; it is ignored`,
      });
  }

  const files = new Map<RosterFile, FileMode>();
  for (const file of known) {
    const csv = `${file}.csv`;
    const mode = modes.get(file);
    const listed = properties.get(`file.${file}`);
    if (listed === undefined) {
      if (present.has(csv))
        problems.error({
          file: MANIFEST,
          rule: 'manifest-missing-file',
          value: `file.${file}`,
          message: `${csv} is in the package but the manifest has no file.${file} line`,
        });
      else
        problems.warning({
          file: MANIFEST,
          rule: 'manifest-missing-line',
          value: `file.${file}`,
          message: `the manifest has no file.${file} line; ${csv} is absent, so it is taken as absent`,
        });
      continue;
    }
    if (mode === undefined) continue;
    if (mode === 'absent') {
      if (present.has(csv))
        problems.error({
          file: MANIFEST,
          line: listed.line,
          value: `file.${file}`,
          rule: 'file-not-in-manifest',
          message: `${csv} is in the package but the manifest says file.${file} is absent`,
        });
      continue;
    }
    if (!present.has(csv)) {
      problems.error({
        file: MANIFEST,
        line: listed.line,
        value: `file.${file}`,
        rule: 'file-missing',
        message: `the manifest says file.${file} is ${mode} but ${csv} is not in the package`,
      });
      continue;
    }
    if (!isRosterFile(file)) {
      problems.warning({
        file: csv,
        rule: 'not-imported',
        message: `${csv} is not a rostering file; RosterHub stores rostering data only, so it is ignored`,
      });
      continue;
    }
    files.set(file, mode as FileMode);
  }
  const systemName = properties.get('source.systemName')?.value;
  const systemCode = properties.get('source.systemCode')?.value;
  return {
    version,
    files,
    source: {
      ...(systemName ? { systemName } : {}),
      ...(systemCode ? { systemCode } : {}),
    },
  };
}
