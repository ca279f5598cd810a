import { BadRequestError } from '../../../api/errors.js';
import { parseFilter, parseFilterDateTime, type FilterNode } from '../../../api/services/filter-parser.js';
import { RESOURCES } from '../../../api/services/resources.js';

const users = RESOURCES.users;

/** A compact rendering of a parsed filter, for readable expectations. */
function show(node: FilterNode): string {
  if (node.kind === 'predicate')
    return `${node.field.name}.${node.path}${node.op}${JSON.stringify(node.value)}`;
  return `${node.kind}(${node.items.map(show).join(', ')})`;
}

function rejection(text: string, resource = users): BadRequestError {
  try {
    parseFilter(text, resource);
  } catch (error) {
    if (error instanceof BadRequestError) return error;
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

describe('parseFilter', () => {
  it.each([
    ["status='active'", 'status.value="active"'],
    ["familyName!='Lee'", 'familyName.value!="Lee"'],
    ["givenName>'A'", 'givenName.value>"A"'],
    ["givenName>='A'", 'givenName.value>="A"'],
    ["givenName<'Z'", 'givenName.value<"Z"'],
    ["givenName<='Z'", 'givenName.value<="Z"'],
    ["email~'example.org'", 'email.value~"example.org"'],
    ['familyName="Lee"', 'familyName.value="Lee"'],
    ["familyName = 'Lee'", 'familyName.value="Lee"'],
    ['enabledUser=true', 'enabledUser.value=true'],
    ["familyName='O''Brien'", `familyName.value="O'Brien"`],
    ["familyName='Müller 山田'", 'familyName.value="Müller 山田"'],
    ["primaryOrg.sourcedId='s1'", 'primaryOrg.sourcedId="s1"'],
    ["primaryOrg='s1'", 'primaryOrg.sourcedId="s1"'],
    ["grades='09'", 'grades.value="09"'],
    ["agents.sourcedId='u2'", 'agents.sourcedId="u2"'],
    ["roles.role='teacher'", 'roles.role="teacher"'],
    ["roles.roleType='primary'", 'roles.roleType="primary"'],
    ["roles.org.sourcedId='s1'", 'roles.orgSourcedId="s1"'],
  ])('When the filter is %s, then it parses to %s', (text, expected) => {
    expect(show(parseFilter(text, users))).toBe(expected);
  });

  it('When predicates are joined by AND and OR, then AND binds tighter and parentheses group', () => {
    expect(show(parseFilter("status='active' AND familyName='Lee' OR givenName='Ann'", users))).toBe(
      'or(and(status.value="active", familyName.value="Lee"), givenName.value="Ann")',
    );
    expect(show(parseFilter("status='active' AND (familyName='Lee' OR givenName='Ann')", users))).toBe(
      'and(status.value="active", or(familyName.value="Lee", givenName.value="Ann"))',
    );
    expect(show(parseFilter("status='active' and familyName='Lee'", users))).toBe(
      'and(status.value="active", familyName.value="Lee")',
    );
  });

  it('When a value contains AND, OR, parentheses or SQL, then it stays one quoted value', () => {
    expect(show(parseFilter("familyName='x AND y OR (z)''; drop table users; --'", users))).toBe(
      `familyName.value="x AND y OR (z)'; drop table users; --"`,
    );
  });

  it('When dateLastModified is compared with a date or date-time, then the value is a UTC ISO timestamp', () => {
    expect(show(parseFilter("dateLastModified>'2015-01-01'", users))).toBe(
      'dateLastModified.value>"2015-01-01T00:00:00Z"',
    );
    expect(show(parseFilter("dateLastModified>='2015-01-01T10:20:30.123Z'", users))).toBe(
      'dateLastModified.value>="2015-01-01T10:20:30.123Z"',
    );
    expect(parseFilterDateTime('2015-01-01T10:20:30+02:00')).toBe('2015-01-01T10:20:30+02:00');
  });

  it.each([
    ["foo='x'", 'unknown filter field: foo'],
    ["roles.foo='x'", 'unknown filter field: roles.foo'],
    ["userIds='x'", 'unknown filter field: userIds'],
    ["dateLastModified>'yesterday'", 'invalid date-time for filter field dateLastModified'],
    ["dateLastModified>'2015-02-30'", 'invalid date-time for filter field dateLastModified'],
    ["enabledUser='maybe'", "invalid value for filter field enabledUser: expected 'true' or 'false'"],
    ["enabledUser>'true'", 'operator > is not supported for filter field enabledUser'],
    ["grades>'09'", 'operator > is not supported for filter field grades'],
    ["dateLastModified~'2015'", 'operator ~ is not supported for filter field dateLastModified'],
    ["familyName='Lee", 'unterminated quoted value for filter field familyName'],
    ["familyName=='Lee'", 'expected a value for filter field familyName'],
    ["familyName 'Lee'", 'expected one of = != > >= < <= ~ after filter field familyName'],
    ["status='active' AND", 'expected a field name in filter'],
    ["(status='active'", "missing ')'"],
    ["status='active' familyName='x'", 'unexpected text in filter'],
    ["'; drop table users; --", 'expected a field name in filter'],
    ['', 'filter is empty'],
    ["familyName='a\u0000b'", 'filter contains control characters'],
  ])('When the filter is %j, then it is a 400 invalid_filter_field saying %s', (text, message) => {
    const error = rejection(text);
    expect(error.httpStatus).toBe(400);
    expect(error.codeMinor).toBe('invalid_filter_field');
    expect(error.message).toContain(message);
  });

  it('When the filter is huge, deeply nested or has too many predicates, then it is refused cheaply', () => {
    expect(rejection(`familyName='${'x'.repeat(5000)}'`).message).toContain('longer than');
    expect(rejection(`${'('.repeat(20)}status='active'${')'.repeat(20)}`).message).toContain(
      'nested too deeply',
    );
    expect(rejection(Array.from({ length: 40 }, () => "status='active'").join(' OR ')).message).toContain(
      'more than 32',
    );
  });

  it('When the field belongs to another resource, then it is unknown here', () => {
    expect(() => parseFilter("classCode='x'", RESOURCES.courses)).toThrow('unknown filter field: classCode');
    expect(show(parseFilter("school.sourcedId='s1' AND class='c1'", RESOURCES.enrollments))).toBe(
      'and(school.sourcedId="s1", class.sourcedId="c1")',
    );
  });
});
