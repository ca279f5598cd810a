import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { FILE_SPECS, MANIFEST_FILES_1_2, USERS_1_2_1, type FileSpec } from '../imports/file-specs.js';
import type { GeneratedDistrict, GenRef } from './district.js';

const columnNames = (spec: FileSpec): readonly string[] => spec.columns.map((column) => column.name);

/**
 * OneRoster 1.2.1 CSV headers (exact order) of the files the generator writes: the importer's
 * file specifications, so that what is written is what is read.
 */
export const CSV_HEADERS = {
  academicSessions: columnNames(FILE_SPECS.academicSessions),
  orgs: columnNames(FILE_SPECS.orgs),
  courses: columnNames(FILE_SPECS.courses),
  classes: columnNames(FILE_SPECS.classes),
  users: columnNames(USERS_1_2_1),
  roles: columnNames(FILE_SPECS.roles),
  enrollments: columnNames(FILE_SPECS.enrollments),
  demographics: columnNames(FILE_SPECS.demographics),
};

export type CsvValue = string | number | boolean | readonly string[] | undefined;

/** One field per RFC 4180: quoted when it holds a comma, quote or line break; lists comma-joined. */
export function csvField(value: CsvValue): string {
  if (value === undefined) return '';
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (with its trailing CRLF). */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export type CsvMode = 'bulk' | 'delta';

/**
 * Writes lines to a file with backpressure, in chunks of about 64 KB.
 */
export class ChunkedWriter {
  #buffer: string[] = [];
  #size = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  async write(line: string): Promise<void> {
    this.#buffer.push(line);
    this.#size += line.length;
    if (this.#size >= 65_536) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const chunk = this.#buffer.join('');
    this.#buffer = [];
    this.#size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
}

/** status and dateLastModified: required in delta files, blank in bulk files. */
function head(row: GenRef, mode: CsvMode): CsvValue[] {
  return [
    row.sourcedId,
    mode === 'delta' ? row.status : undefined,
    mode === 'delta' ? row.dateLastModified : undefined,
  ];
}

async function writeFile<T extends GenRef>(
  dir: string,
  name: keyof typeof CSV_HEADERS,
  rows: Iterable<T>,
  mode: CsvMode,
  toValues: (row: T) => CsvValue[],
): Promise<number> {
  const stream = createWriteStream(join(dir, `${name}.csv`));
  const writer = new ChunkedWriter(stream);
  await writer.write(csvLine(CSV_HEADERS[name]));
  let count = 0;
  for (const row of rows) {
    // a bulk file is the complete active set: tombstones are simply absent
    if (mode === 'bulk' && row.status !== 'active') continue;
    await writer.write(csvLine([...head(row, mode), ...toValues(row)]));
    count += 1;
  }
  await writer.flush();
  stream.end();
  await once(stream, 'finish');
  // a file without data rows is not permitted: the manifest marks it absent instead
  if (count === 0) await unlink(join(dir, `${name}.csv`));
  return count;
}

const bool = (value: boolean | undefined): CsvValue =>
  value === undefined ? undefined : value ? 'true' : 'false';

/**
 * Writes a district as a OneRoster 1.2 CSV package into `dir`: manifest.csv plus
 * academicSessions, orgs, courses, classes, users, roles, enrollments and demographics. Returns
 * the rows written per file.
 */
export async function writeCsvPackage(
  district: GeneratedDistrict,
  dir: string,
  mode: CsvMode = 'bulk',
): Promise<Record<string, number>> {
  await mkdir(dir, { recursive: true });
  const written: Record<string, number> = {};
  written.academicSessions = await writeFile(
    dir,
    'academicSessions',
    district.academicSessions(),
    mode,
    (r) => [r.title, r.type, r.startDate, r.endDate, r.parentSourcedId, r.schoolYear],
  );
  written.orgs = await writeFile(dir, 'orgs', district.orgs(), mode, (r) => [
    r.name,
    r.type,
    r.identifier,
    r.parentSourcedId,
  ]);
  written.courses = await writeFile(dir, 'courses', district.courses(), mode, (r) => [
    r.schoolYearSourcedId,
    r.title,
    r.courseCode,
    r.grades,
    r.orgSourcedId,
    r.subjects,
    r.subjectCodes,
  ]);
  written.classes = await writeFile(dir, 'classes', district.classes(), mode, (r) => [
    r.title,
    r.grades,
    r.courseSourcedId,
    r.classCode,
    r.classType,
    r.location,
    r.schoolSourcedId,
    r.termSourcedIds,
    r.subjects,
    r.subjectCodes,
    r.periods,
  ]);
  written.users = await writeFile(dir, 'users', district.users(), mode, (r) => [
    bool(r.enabledUser),
    r.username,
    r.userIds.map((id) => `{${id.type}:${id.identifier}}`),
    r.givenName,
    r.familyName,
    r.middleName,
    r.identifier,
    r.email,
    r.sms,
    r.phone,
    r.agentSourcedIds,
    r.grades,
    undefined,
    r.userMasterIdentifier,
    r.preferredFirstName,
    r.preferredMiddleName,
    r.preferredLastName,
    r.primaryOrgSourcedId,
    r.pronouns,
  ]);
  written.roles = await writeFile(
    dir,
    'roles',
    (function* roles() {
      for (const user of district.users())
        for (const [n, role] of user.roles.entries())
          yield {
            ...role,
            sourcedId: `${user.sourcedId}-r${n + 1}`,
            status: user.status,
            dateLastModified: user.dateLastModified,
            userSourcedId: user.sourcedId,
          };
    })(),
    mode,
    (r) => [r.userSourcedId, r.roleType, r.role, r.beginDate, r.endDate, r.orgSourcedId, undefined],
  );
  written.enrollments = await writeFile(dir, 'enrollments', district.enrollments(), mode, (r) => [
    r.classSourcedId,
    r.schoolSourcedId,
    r.userSourcedId,
    r.role,
    bool(r.primary),
    r.beginDate,
    r.endDate,
  ]);
  written.demographics = await writeFile(dir, 'demographics', district.demographics(), mode, (r) => [
    r.birthDate,
    r.sex,
    bool(r.americanIndianOrAlaskaNative),
    bool(r.asian),
    bool(r.blackOrAfricanAmerican),
    bool(r.nativeHawaiianOrOtherPacificIslander),
    bool(r.white),
    bool(r.demographicRaceTwoOrMoreRaces),
    bool(r.hispanicOrLatinoEthnicity),
    r.countryOfBirthCode,
    r.stateOfBirthAbbreviation,
    r.cityOfBirth,
    r.publicSchoolResidenceStatus,
  ]);
  const manifest = [
    csvLine(['propertyName', 'value']),
    csvLine(['manifest.version', '1.0']),
    csvLine(['oneroster.version', '1.2']),
  ];
  for (const file of MANIFEST_FILES_1_2)
    manifest.push(csvLine([`file.${file}`, (written[file] ?? 0) > 0 ? mode : 'absent']));
  manifest.push(
    csvLine(['source.systemName', 'RosterHub generator']),
    csvLine(['source.systemCode', `seed-${district.seed}`]),
  );
  const stream = createWriteStream(join(dir, 'manifest.csv'));
  stream.end(manifest.join(''));
  await once(stream, 'finish');
  return written;
}
