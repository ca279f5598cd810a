import { BadRequestError } from '../../../api/errors.js';
import { checkSourcedId, parseListParams } from '../../../api/services/list-params.js';
import { RESOURCES } from '../../../api/services/resources.js';

const users = RESOURCES.users;

function failure(query: Record<string, unknown>): BadRequestError {
  try {
    parseListParams(query, users, 10_000);
  } catch (error) {
    if (error instanceof BadRequestError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('parseListParams', () => {
  it('When nothing is given, then limit is 100, offset 0 and the sort is sourcedId ascending', () => {
    const params = parseListParams({}, users, 10_000);
    expect(params).toMatchObject({ limit: 100, offset: 0, filter: undefined, fields: undefined });
    expect(params.sort.field.name).toBe('sourcedId');
    expect(params.sort.desc).toBe(false);
  });

  it('When limit is above the maximum, then it is clamped to the maximum', () => {
    expect(parseListParams({ limit: '50000' }, users, 10_000).limit).toBe(10_000);
    expect(parseListParams({ limit: '99999999999999' }, users, 500).limit).toBe(500);
  });

  it.each([
    [{ limit: '0' }, 'limit must be a whole number of at least 1'],
    [{ limit: '-5' }, 'limit must be a whole number of at least 1'],
    [{ limit: 'ten' }, 'limit must be a whole number of at least 1'],
    [{ offset: '-1' }, 'offset must be a whole number of at least 0'],
    [{ offset: '1.5' }, 'offset must be a whole number of at least 0'],
    [{ offset: '99999999999' }, 'offset must be at most'],
    [{ limit: ['1', '2'] }, 'query parameter limit must be given once'],
    [{ sort: 'password' }, 'invalid sort field: "password"'],
    [{ sort: 'roles' }, 'invalid sort field: "roles"'],
    [{ sort: 'familyName; drop table users' }, 'invalid sort field'],
    [{ orderBy: 'sideways' }, 'orderBy must be asc or desc'],
  ])('When the query is %j, then it is a 400 saying %s', (query, message) => {
    const error = failure(query);
    expect(error.httpStatus).toBe(400);
    expect(error.codeMinor).toBe('invaliddata');
    expect(error.message).toContain(message);
  });

  it('When fields are given comma-separated or repeated, then they are selected in the resource order', () => {
    const params = parseListParams({ fields: ['givenName,sourcedId', ' familyName '] }, users, 10);
    expect(params.fields?.map((field) => field.name)).toEqual(['sourcedId', 'givenName', 'familyName']);
  });

  it('When a field is unknown, then it is a 400 invalid_selection_field naming it', () => {
    const error = failure({ fields: 'sourcedId,shoeSize' });
    expect(error.codeMinor).toBe('invalid_selection_field');
    expect(error.message).toBe('unknown selection field: "shoeSize"');
  });

  it('When sort and orderBy are given, then the sort uses that field and direction', () => {
    const params = parseListParams({ sort: 'familyName', orderBy: 'desc' }, users, 10);
    expect(params.sort.field.name).toBe('familyName');
    expect(params.sort.desc).toBe(true);
  });

  it('When a path id is empty, too long or holds control characters, then it is a 400', () => {
    expect(checkSourcedId("x' OR '1'='1")).toBe("x' OR '1'='1");
    expect(() => checkSourcedId('')).toThrow(BadRequestError);
    expect(() => checkSourcedId('x'.repeat(256))).toThrow(BadRequestError);
    expect(() => checkSourcedId('a\u0000b')).toThrow(BadRequestError);
  });
});
