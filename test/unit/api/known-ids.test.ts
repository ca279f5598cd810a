import { KnownIds } from '../../../api/services/known-ids.js';

/** A clock whose sleeps end when the test moves time on. */
function fakeClock() {
  let now = 0;
  const sleepers: { until: number; wake: () => void }[] = [];
  return {
    now: () => now,
    sleep: (ms: number) => new Promise<void>((wake) => sleepers.push({ until: now + ms, wake })),
    async advance(ms: number) {
      now += ms;
      for (const sleeper of sleepers.splice(0)) {
        if (sleeper.until <= now) sleeper.wake();
        else sleepers.push(sleeper);
      }
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('KnownIds', () => {
  it('When a flood of made-up ids arrives, then the set is read once per interval, not once per id', async () => {
    const clock = fakeClock();
    let reads = 0;
    const known = new KnownIds(
      () => {
        reads += 1;
        return Promise.resolve(['real']);
      },
      1000,
      clock,
    );
    expect(await known.has('real')).toBe(true);
    expect(reads).toBe(1);
    const flood = Array.from({ length: 500 }, (_, i) => known.has(`made-up-${i}`));
    await clock.advance(1000);
    expect(await Promise.all(flood)).toEqual(Array.from({ length: 500 }, () => false));
    expect(reads).toBe(2);
    expect(await known.has('real')).toBe(true);
    expect(reads).toBe(2);
  });

  it('When an id is created just after a read, then its first use waits for the next read and succeeds', async () => {
    const clock = fakeClock();
    const ids = ['a'];
    const known = new KnownIds(() => Promise.resolve([...ids]), 1000, clock);
    expect(await known.has('b')).toBe(false);
    ids.push('b');
    const first = known.has('b');
    await clock.advance(1000);
    expect(await first).toBe(true);
  });
});
