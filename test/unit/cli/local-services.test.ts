import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adoptLocalServices, checkoutLocalDir } from '../../../cli/local-services.js';

const LINES =
  'DATABASE_URL=postgres://rosterhub@127.0.0.1:55432/rosterhub\nREDIS_URL=redis://127.0.0.1:56379\n';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rh-local-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the local services an admin command falls back on', () => {
  it('When no connection is configured and services.env exists, then both URLs come from it', () => {
    writeFileSync(join(dir, 'services.env'), LINES);
    const env: NodeJS.ProcessEnv = {};
    expect(adoptLocalServices(env, dir)).toEqual(['DATABASE_URL', 'REDIS_URL']);
    expect(env).toEqual({
      DATABASE_URL: 'postgres://rosterhub@127.0.0.1:55432/rosterhub',
      REDIS_URL: 'redis://127.0.0.1:56379',
    });
  });

  it.each([
    ['DATABASE_URL', 'postgres://elsewhere/db'],
    ['PGHOST', 'db.internal'],
    ['REDIS_URL', 'redis://elsewhere'],
    ['REDIS_HOST', 'redis.internal'],
  ])('When %s is set, then nothing is taken from services.env', (name, value) => {
    writeFileSync(join(dir, 'services.env'), LINES);
    const env: NodeJS.ProcessEnv = { [name]: value };
    expect(adoptLocalServices(env, dir)).toEqual([]);
    expect(env).toEqual({ [name]: value });
  });

  it('When the services are not running (no services.env), then nothing changes', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(adoptLocalServices(env, dir)).toEqual([]);
    expect(env).toEqual({});
  });

  it('When RH_LOCAL_DIR is set, then that is the folder; else the checkout this code runs from', () => {
    expect(checkoutLocalDir({ RH_LOCAL_DIR: dir })).toBe(dir);
    expect(checkoutLocalDir({})).toBe(join(process.cwd(), '.local'));
  });
});
