import { Redis, type RedisOptions } from 'ioredis';
import type { ApiMetrics } from './metrics.js';

/**
 * The API's Redis client. Commands fail fast while Redis is unreachable (no offline queue) so
 * that requests and health checks answer at once, and the client keeps reconnecting in the
 * background. Every command is counted in `redis_operations_total{operation,status}`.
 */
export function createRedis(url: string, metrics: ApiMetrics, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // CLIENT SETINFO fails on Redis < 7.2 and would count as an error on every connect.
    disableClientInfo: true,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    ...options,
  });
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    const result = send(command, stream);
    const operation = command.name.toLowerCase();
    // sendCommand returns the command's promise (typed `unknown` by ioredis)
    command.promise.then(
      () => metrics.redisOperationsTotal.inc({ operation, status: 'ok' }),
      () => metrics.redisOperationsTotal.inc({ operation, status: 'error' }),
    );
    return result;
  };
  // Connection errors are reported by the health checks; without a listener ioredis would
  // print each reconnect failure as an unhandled error event.
  redis.on('error', () => undefined);
  return redis;
}

/** Waits until the client is ready or `timeoutMs` passes; returns whether it is ready. Never throws. */
export async function waitUntilReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const done = (ready: boolean): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = (): void => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}
