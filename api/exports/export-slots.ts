import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Takes a slot if fewer than ARGV[2] leases are alive (Redis's clock, so Pods' clocks do not
 * matter): KEYS[1] is a sorted set of holder → lease end (ms).
 */
const ACQUIRE = `local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 1`;

const RENEW = `local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[2])`;

/** A held slot: give it back when the export ends, however it ends. */
export interface ExportSlot {
  release(): Promise<void>;
}

/**
 * At most `limit` exports at once across every API Pod: each holds a lease in Redis that it
 * renews while it streams, so a Pod that dies frees its slot within one lease.
 */
export class ExportSlots {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly limit: number,
    private readonly leaseMs = 30_000,
  ) {}

  /** A slot, or undefined when `limit` exports are running. */
  async acquire(): Promise<ExportSlot | undefined> {
    const holder = randomUUID();
    const taken = Number(await this.redis.eval(ACQUIRE, 1, this.key, this.leaseMs, this.limit, holder));
    if (taken !== 1) return undefined;
    const renewal = setInterval(() => {
      this.redis.eval(RENEW, 1, this.key, this.leaseMs, holder).catch(() => {
        // Redis is away: the lease runs out and the slot frees itself, which errs on the safe side
      });
    }, this.leaseMs / 3);
    renewal.unref();
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        await this.redis.zrem(this.key, holder).catch(() => {
          // the lease runs out by itself
        });
      },
    };
  }
}
