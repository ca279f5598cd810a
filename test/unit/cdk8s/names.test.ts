import { InstanceNames } from '../../../cdk8s/index.js';
import { shortHash, versionLabel, versionSlug } from '../../../cdk8s/names.js';

describe('names', () => {
  it.each([
    ['1.4.2', '1-4-2', '1.4.2'],
    ['2.0.0-rc.1+build.7', '2-0-0-rc-1-build-7', '2.0.0-rc.1-build.7'],
  ])('When version %s is used in names and labels, then it becomes %s and %s', (version, slug, label) => {
    expect(versionSlug(version)).toBe(slug);
    expect(versionLabel(version)).toBe(label);
  });

  it('When the longest instance name meets a long version, then the migration Job name still fits in 63', () => {
    const names = new InstanceNames('a'.repeat(30), 'districts');
    const name = names.migrationJob('10.20.30-alpha.beta.gamma.delta+build.123456', shortHash('x'));
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^a{30}-migrate-10-20-30-[a-z0-9-]*[a-z0-9]-[0-9a-f]{5}$/);
  });

  it('When cloud names are derived, then they are unique per namespace, short enough and free of double hyphens', () => {
    const short = new InstanceNames('district-a', 'districts');
    expect(short.managedPostgresServer).toBe('rh-districts-district-a-pg');
    expect(short.managedRedis).toBe('rh-districts-district-a-redis');
    const long = new InstanceNames('a-very-long-district-name-xyz', 'a-namespace-that-is-also-long');
    expect(long.managedRedis.length).toBeLessThanOrEqual(40);
    expect(long.managedPostgresServer.length).toBeLessThanOrEqual(63);
    expect(long.managedRedis).not.toContain('--');
    expect(
      new InstanceNames('a-very-long-district-name-xyz', 'other-namespace-that-is-also-long').managedRedis,
    ).not.toBe(long.managedRedis);
  });
});
