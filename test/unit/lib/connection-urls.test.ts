import { connectionTarget, withConnectionUrls } from '../../../lib/config/connection-urls.js';
import { loadApiConfig } from '../../../api/config.js';
import { ConfigError } from '../../../lib/config/settings.js';

describe('connection URLs from split variables', () => {
  it('When only the parts are set, then the URLs are composed with every part escaped', () => {
    const env = withConnectionUrls({
      PGHOST: 'db.internal',
      PGPORT: '6432',
      PGUSER: 'app@district',
      PGPASSWORD: 'p/ss+w=rd:@?',
      PGDATABASE: 'rosterhub',
      PGSSLMODE: 'require',
      REDIS_SCHEME: 'rediss',
      REDIS_HOST: 'cache.redis.cache.windows.net',
      REDIS_PORT: '6380',
      REDIS_PASSWORD: 'abc/def+ghi==',
    });
    const database = new URL(env.DATABASE_URL!);
    expect(decodeURIComponent(database.password)).toBe('p/ss+w=rd:@?');
    expect(decodeURIComponent(database.username)).toBe('app@district');
    expect(database.host).toBe('db.internal:6432');
    expect(database.searchParams.get('sslmode')).toBe('require');
    const redis = new URL(env.REDIS_URL!);
    expect(redis.protocol).toBe('rediss:');
    expect(decodeURIComponent(redis.password)).toBe('abc/def+ghi==');
    expect(redis.host).toBe('cache.redis.cache.windows.net:6380');
  });

  it('When PGSSLROOTCERT is set (a CA bundle from spec.database.caBundleRef), then the URL names it as sslrootcert', () => {
    const env = withConnectionUrls({
      PGHOST: 'db.internal',
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: '/etc/rosterhub/postgres-ca/ca.crt',
    });
    const database = new URL(env.DATABASE_URL!);
    expect(database.searchParams.get('sslmode')).toBe('verify-full');
    expect(database.searchParams.get('sslrootcert')).toBe('/etc/rosterhub/postgres-ca/ca.crt');
  });

  it('When a port part is not a port number, then the error names that part and the URL it makes up, and no password', () => {
    const parts = {
      PGHOST: 'db',
      PGPASSWORD: 'pg-secret',
      REDIS_HOST: 'cache',
      REDIS_PASSWORD: 'redis-secret',
    };
    let thrown: unknown;
    try {
      withConnectionUrls({ ...parts, PGPORT: 'abc', REDIS_PORT: '70000' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      'PGPORT="abc" is invalid: expected a port number (1-65535); it makes up DATABASE_URL',
      'REDIS_PORT="70000" is invalid: expected a port number (1-65535); it makes up REDIS_URL',
    ]);
    expect((thrown as ConfigError).message).not.toMatch(/secret/);
    // a port part beside an explicit URL is not used, so it is not checked
    expect(() =>
      withConnectionUrls({ ...parts, DATABASE_URL: 'postgres://a/b', PGPORT: 'abc' }),
    ).not.toThrow();
    expect(new URL(withConnectionUrls({ ...parts, PGPORT: ' ' }).DATABASE_URL!).port).toBe('5432');
  });

  it('When DATABASE_URL and REDIS_URL are set, then they win over the parts', () => {
    const env = withConnectionUrls({
      DATABASE_URL: 'postgres://a/b',
      PGHOST: 'x',
      REDIS_URL: 'redis://c',
      REDIS_HOST: 'y',
    });
    expect([env.DATABASE_URL, env.REDIS_URL]).toEqual(['postgres://a/b', 'redis://c']);
  });

  it('When the API is configured only with the parts, then its config is valid', () => {
    const config = loadApiConfig({ PGHOST: 'db', PGPASSWORD: 's/+', REDIS_HOST: 'cache' });
    expect(config.databaseUrl).toBe('postgres://:s%2F%2B@db:5432/postgres');
    expect(config.redisUrl).toBe('redis://cache:6379');
  });

  it('When the API gets a REDIS_URL whose path is not a database number, then the config names it without the value', () => {
    expect(() => loadApiConfig({ PGHOST: 'db', REDIS_URL: 'redis://:pw@cache:6379/zero' })).toThrow(
      /REDIS_URL=\(secret value not shown\) is invalid: the path after host:port must be a database number/,
    );
    expect(loadApiConfig({ PGHOST: 'db', REDIS_URL: 'rediss://cache:6380/2' }).redisUrl).toBe(
      'rediss://cache:6380/2',
    );
  });
});

describe('connectionTarget', () => {
  it('When a URL carries credentials, then only host, port and path are shown (default ports filled in)', () => {
    expect(connectionTarget('postgres://app:p%2Fss@db.internal/rosterhub?sslmode=require')).toBe(
      'db.internal:5432/rosterhub',
    );
    expect(connectionTarget('rediss://:abc%2Bdef@cache:6380')).toBe('cache:6380');
    expect(connectionTarget('redis://user:secret@cache/3')).toBe('cache:6379/3');
  });
});
