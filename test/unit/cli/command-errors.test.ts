import { jest } from '@jest/globals';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../../lib/config/settings.js';
import { UsageError, exitCodeFor, reportFailure } from '../../../cli/command-errors.js';
import { loadConnectedConfig } from '../../../lib/config/connection-urls.js';
import { apiSettings } from '../../../api/config.js';

function parseArgsError(): unknown {
  try {
    parseArgs({ args: ['--bogus'], options: {} });
  } catch (error) {
    return error;
  }
  throw new Error('parseArgs accepted --bogus');
}

describe('rosterhub command exit codes and messages', () => {
  it('When a command cannot run as given (usage, arguments, configuration), then the exit code is 2; otherwise 1', () => {
    expect(exitCodeFor(new UsageError('usage: …'))).toBe(2);
    expect(exitCodeFor(parseArgsError())).toBe(2);
    expect(exitCodeFor(new ConfigError(['REDIS_URL is required']))).toBe(2);
    expect(exitCodeFor(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe(1);
  });

  it('When a failure message holds a URL with a password, then it is printed masked', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(reportFailure('seed', new Error('bad postgres://app:hunter2@db/rosterhub'))).toBe(1);
      expect(write).toHaveBeenCalledWith('rosterhub seed: bad postgres://app:*****@db/rosterhub\n');
    } finally {
      write.mockRestore();
    }
  });

  it('When only the parts are set, then command settings get the same composed URLs as the API', () => {
    const settings = loadConnectedConfig(
      { databaseUrl: apiSettings.databaseUrl, redisUrl: apiSettings.redisUrl },
      { PGHOST: 'db', PGUSER: 'app', PGPASSWORD: 'p/w', REDIS_HOST: 'cache', REDIS_PASSWORD: 'k+=' },
    );
    expect(settings).toEqual({
      databaseUrl: 'postgres://app:p%2Fw@db:5432/postgres',
      redisUrl: 'redis://:k%2B%3D@cache:6379',
    });
  });
});
