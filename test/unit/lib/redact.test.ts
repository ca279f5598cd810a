import { redact, redactString } from '../../../lib/logging/redact.js';

describe('redaction', () => {
  it.each([
    ['key rh_live_abcDEF123_secretpart used', 'key rh_live_***** used'],
    ['Authorization: Bearer eyJhbGciOi.abc.def', 'Authorization: Bearer *****'],
    ['postgres://rosterhub:s3cr3t@db:5432/rh', 'postgres://rosterhub:*****@db:5432/rh'],
    ['redis://:pw@cache:6379', 'redis://:*****@cache:6379'],
    ['nothing secret here', 'nothing secret here'],
  ])('When a string contains %j, then it is logged as %j', (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('When an object has sensitive keys at any depth, then their values are masked', () => {
    const input = {
      headers: { authorization: 'Bearer abc', 'x-api-key': 'rh_live_key1_xyz', accept: 'json' },
      body: { client_secret: 'shh', nested: [{ password: 'pw' }, { token: 123 }] },
      apiKey: 'rh_live_abc_def',
    };
    expect(redact(input)).toEqual({
      headers: { authorization: '*****', 'x-api-key': 'rh_live_*****', accept: 'json' },
      body: { client_secret: '*****', nested: [{ password: '*****' }, { token: '*****' }] },
      apiKey: 'rh_live_*****',
    });
  });

  it('When an error carries a secret in its message, then the message is redacted', () => {
    const result = redact(new Error('connect to postgres://u:pw@h/db failed')) as { message: string };
    expect(result.message).toBe('connect to postgres://u:*****@h/db failed');
  });
});
