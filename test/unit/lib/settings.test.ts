import { ConfigError, loadConfig, settingsTable } from '../../../lib/config/settings.js';
import { boolean, integer, oneOf, port, url } from '../../../lib/config/parsers.js';

const schema = {
  port: { env: 'PORT', doc: 'port', default: 3000, parse: port() },
  databaseUrl: { env: 'DATABASE_URL', doc: 'db', parse: url(['postgres']), secret: true },
  level: { env: 'LOG_LEVEL', doc: 'level', default: 'info', parse: oneOf(['info', 'debug'] as const) },
  migrate: { env: 'MIGRATE', doc: 'migrate', default: true, parse: boolean() },
  pool: { env: 'POOL', doc: 'pool', default: 10, parse: integer({ min: 1, max: 50 }) },
};

describe('loadConfig', () => {
  it('When variables are unset, then defaults apply and values are typed', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://h/db', POOL: '12', MIGRATE: 'false' });
    expect(config).toEqual({
      port: 3000,
      databaseUrl: 'postgres://h/db',
      level: 'info',
      migrate: false,
      pool: 12,
    });
  });

  it('When several values are bad, then one error names every variable at once', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'abc', LOG_LEVEL: 'loud', POOL: '99' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT="abc" is invalid: expected a whole number between 0 and 65535/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL is required/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL="loud" is invalid: expected one of info, debug/);
    expect(problems.join('\n')).toMatch(/POOL="99" is invalid/);
  });

  it('When a secret is malformed, then the message names it without echoing the value', () => {
    expect(() => loadConfig(schema, { DATABASE_URL: 'mysql://user:hunter2@h/db' })).toThrow(
      /DATABASE_URL=\(secret value not shown\) is invalid: expected a URL starting with postgres:\/\//,
    );
    expect(() => loadConfig(schema, { DATABASE_URL: 'mysql://user:hunter2@h/db' })).not.toThrow(/hunter2/);
  });

  it('When the table is rendered, then required settings say so and defaults are shown', () => {
    const table = settingsTable(schema);
    expect(table).toContain('| `DATABASE_URL` | (required) | db |');
    expect(table).toContain('| `PORT` | `3000` | port |');
    expect(table).toContain('| `LOG_LEVEL` | `info` | level |');
  });
});
