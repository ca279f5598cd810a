import { Redis } from 'ioredis';
import { connectionTarget } from '../lib/config/connection-urls.js';

const CONNECT_ATTEMPTS = 5;

/**
 * A connected Redis client for a one-shot command. A few attempts with backoff, then an Error
 * naming REDIS_URL and where it points (never its password), rather than waiting forever.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    connectTimeout: 3000,
    disableClientInfo: true,
    retryStrategy: (attempt) => (attempt < CONNECT_ATTEMPTS ? Math.min(200 * attempt, 1000) : null),
  });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => (lastError = error));
  const connected = new Promise<boolean>((resolve) => {
    redis.once('ready', () => resolve(true));
    redis.once('end', () => resolve(false));
  });
  // a failed connect is seen as 'end' above
  redis.connect().catch(() => undefined);
  if (await connected) return redis;
  redis.disconnect();
  throw new Error(
    `cannot connect to Redis at ${connectionTarget(url)} (REDIS_URL)${lastError ? `: ${lastError.message}` : ''}`,
  );
}
