import { ExponentialBackoff, MaxOf, TokenBucket } from '../../../operator/runtime/rate-limiter.js';

describe('rate limiters', () => {
  it('When a key keeps failing, then its backoff doubles up to the cap and resets on forget', () => {
    const backoff = new ExponentialBackoff(5, 100);
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.when('a'))).toEqual([5, 10, 20, 40, 80, 100]);
    expect(backoff.retries('a')).toBe(6);
    expect(backoff.when('b')).toBe(5);
    backoff.forget('a');
    expect(backoff.when('a')).toBe(5);
  });

  it('When the burst is used up, then further requests wait for tokens at the refill rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 2, () => now);
    expect([bucket.when('x'), bucket.when('y')]).toEqual([0, 0]);
    expect(bucket.when('z')).toBe(100);
    now = 1000;
    expect(bucket.when('z')).toBe(0);
  });

  it('When combined, then the longer of the two delays applies', () => {
    let now = 0;
    const limiter = new MaxOf(new ExponentialBackoff(5, 1000), new TokenBucket(1, 1, () => now));
    expect(limiter.when('a')).toBe(5);
    expect(limiter.when('a')).toBe(1000);
    now = 10_000;
    expect(limiter.when('a')).toBe(20);
  });
});
