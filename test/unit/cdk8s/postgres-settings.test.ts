import { postgresArgs, postgresSizing } from '../../../cdk8s/claims/postgres-settings.js';
import { parseQuantity } from '../../../cdk8s/quantity.js';

const megabytes = (setting: string): number => {
  const match = /^([0-9]+)MB$/.exec(setting);
  if (!match) throw new Error(`not whole MB: ${setting}`);
  return Number(match[1]);
};

describe('in-cluster PostgreSQL settings are sized from the memory limit and the volume', () => {
  it('When the spec defaults (1Gi limit, 10Gi volume) are sized, then the settings replace the image defaults', () => {
    expect(postgresSizing('1Gi', '10Gi')).toEqual({
      settings: {
        shared_buffers: '256MB',
        effective_cache_size: '768MB',
        maintenance_work_mem: '64MB',
        max_wal_size: '2048MB',
        min_wal_size: '512MB',
        temp_file_limit: '2560MB',
      },
      sharedMemory: '256Mi',
    });
  });

  it('When the limit and the volume are large, then the settings scale and maintenance_work_mem and max_wal_size stop at their ceilings', () => {
    expect(postgresSizing('8Gi', '200Gi')).toEqual({
      settings: {
        shared_buffers: '2048MB',
        effective_cache_size: '6144MB',
        maintenance_work_mem: '512MB',
        max_wal_size: '8192MB',
        min_wal_size: '2048MB',
        temp_file_limit: '51200MB',
      },
      sharedMemory: '2048Mi',
    });
    expect(postgresSizing('64Gi', '1Ti').settings).toMatchObject({
      shared_buffers: '16384MB',
      maintenance_work_mem: '1024MB',
      max_wal_size: '8192MB',
    });
  });

  it('When the volume is a few Gi, then max_wal_size keeps PostgreSQL default of 1GB', () => {
    expect(postgresSizing('1Gi', '5Gi').settings).toMatchObject({
      max_wal_size: '1024MB',
      min_wal_size: '256MB',
    });
  });

  it.each([
    ['256Mi', '1Gi'],
    ['128Mi', '512Mi'],
    ['500M', '1500M'],
    ['64Mi', '100Mi'],
  ])(
    'When the limit is %s and the volume %s, then every value is valid and within what the container and the volume hold',
    (memory, storage) => {
      const { settings, sharedMemory } = postgresSizing(memory, storage);
      const limit = parseQuantity(memory) / 2 ** 20;
      const volume = parseQuantity(storage) / 2 ** 20;
      const sharedBuffers = megabytes(settings.shared_buffers!);
      const maintenance = megabytes(settings.maintenance_work_mem!);
      const shm = parseQuantity(sharedMemory) / 2 ** 20;
      expect(sharedBuffers).toBeGreaterThanOrEqual(1);
      expect(sharedBuffers + maintenance + shm).toBeLessThanOrEqual(limit * 0.75);
      expect(megabytes(settings.effective_cache_size!)).toBeLessThanOrEqual(limit);
      const maxWal = megabytes(settings.max_wal_size!);
      const minWal = megabytes(settings.min_wal_size!);
      expect(maxWal).toBeLessThanOrEqual(Math.max(volume / 4, 32));
      expect(minWal).toBeGreaterThanOrEqual(32); // two 16MB WAL segments, PostgreSQL's minimum
      expect(minWal).toBeLessThanOrEqual(maxWal);
    },
  );

  it('When the limit is 256Mi, then the values are a quarter of it and the WAL a quarter of the volume', () => {
    expect(postgresSizing('256Mi', '1Gi')).toEqual({
      settings: {
        shared_buffers: '64MB',
        effective_cache_size: '192MB',
        maintenance_work_mem: '64MB',
        max_wal_size: '256MB',
        min_wal_size: '64MB',
        temp_file_limit: '256MB',
      },
      sharedMemory: '64Mi',
    });
  });

  it('When a quantity is malformed, then sizing fails instead of passing NaN to the server', () => {
    expect(() => postgresSizing('lots', '10Gi')).toThrow(/cannot size PostgreSQL/);
    expect(() => postgresSizing('1Gi', '0')).toThrow(/cannot size PostgreSQL/);
  });

  it('When the settings become arguments, then each is one `-c name=value` pair in order', () => {
    expect(postgresArgs({ shared_buffers: '256MB', max_wal_size: '2048MB' })).toEqual([
      '-c',
      'shared_buffers=256MB',
      '-c',
      'max_wal_size=2048MB',
    ]);
  });
});
