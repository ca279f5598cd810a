import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSV_HEADERS, csvField, csvLine, writeCsvPackage } from '../../../api/generator/csv.js';
import { SIZES, generateDistrict } from '../../../api/generator/district.js';
import { Random } from '../../../api/generator/random.js';

describe('the district generator', () => {
  it('When the same seed is used twice, then the district is identical; another seed changes it', () => {
    const first = [...generateDistrict(SIZES.small, 7).users()];
    const again = [...generateDistrict(SIZES.small, 7).users()];
    const other = [...generateDistrict(SIZES.small, 8).users()];
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(new Random(1).nextUint32()).toBe(new Random(1).nextUint32());
  });

  it('When the small size is generated, then the counts match the size and every reference resolves', () => {
    const district = generateDistrict(SIZES.small, 1);
    const orgs = new Set([...district.orgs()].map((org) => org.sourcedId));
    const users = [...district.users()];
    const classes = [...district.classes()];
    const enrollments = [...district.enrollments()];
    expect(orgs.size).toBe(SIZES.small.schools + 1);
    expect(users).toHaveLength(SIZES.small.users);
    expect(classes).toHaveLength(SIZES.small.classes);
    expect(enrollments).toHaveLength(SIZES.small.enrollments);
    expect([...district.courses()]).toHaveLength(SIZES.small.courses);
    const userIds = new Set(users.map((user) => user.sourcedId));
    const classIds = new Set(classes.map((klass) => klass.sourcedId));
    expect(userIds.size).toBe(users.length);
    for (const enrollment of enrollments) {
      expect(userIds.has(enrollment.userSourcedId)).toBe(true);
      expect(classIds.has(enrollment.classSourcedId)).toBe(true);
      expect(orgs.has(enrollment.schoolSourcedId)).toBe(true);
    }
    for (const user of users) {
      for (const agent of user.agentSourcedIds) expect(userIds.has(agent)).toBe(true);
      expect(user.roles.filter((role) => role.roleType === 'primary')).toHaveLength(1);
    }
    expect(new Set(enrollments.map((e) => e.sourcedId)).size).toBe(enrollments.length);
  });

  it('When the large size is planned, then it has 1M users, 3M enrollments, 50k classes, 2k courses and 300 schools', () => {
    const district = generateDistrict(SIZES.large, 1);
    const { students, teachers, administrators, guardians } = district.counts;
    expect(students + teachers + administrators + guardians).toBe(1_000_000);
    expect(students * 5 + SIZES.large.classes).toBe(3_000_000);
    expect(SIZES.large).toMatchObject({ schools: 300, courses: 2000, classes: 50_000 });
  });
});

describe('the CSV writer', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    [['x', 'y'], '"x,y"'],
    [undefined, ''],
    [true, 'true'],
  ] as const)('When a field is %j, then it is written as %s', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('When a package is written, then it has the manifest and the OneRoster 1.2 headers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rh-csv-'));
    try {
      const written = await writeCsvPackage(generateDistrict(SIZES.small, 1), dir);
      const manifest = await readFile(join(dir, 'manifest.csv'), 'utf8');
      expect(manifest).toContain('manifest.version,1.0\r\n');
      expect(manifest).toContain('oneroster.version,1.2\r\n');
      expect(manifest).toContain('file.users,bulk\r\n');
      expect(manifest).toContain('file.results,absent\r\n');
      expect(manifest.split('\r\n').filter((line) => line.startsWith('file.'))).toHaveLength(21);
      const users = (await readFile(join(dir, 'users.csv'), 'utf8')).split('\r\n');
      expect(users[0]).toBe(csvLine(CSV_HEADERS.users).trimEnd());
      expect(users[0]).toBe(
        'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns',
      );
      // bulk rows leave status and dateLastModified blank
      expect(users[1]).toMatch(/^user-[a-z0-9]+,,,(true|false),/);
      expect(written.users).toBeGreaterThan(0);
      const roles = await readFile(join(dir, 'roles.csv'), 'utf8');
      expect(roles.split('\r\n')[0]).toBe(
        'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
