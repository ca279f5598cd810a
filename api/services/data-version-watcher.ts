import type { Logger } from '../../lib/logging/logger.js';
import { DataVersionListener, readDataVersion, type Queryable } from '../data/data-version.js';

export interface DataVersionWatcherOptions {
  db: Queryable;
  databaseUrl: string;
  /** Fallback poll period, for notifications missed while the listener reconnected. */
  pollMs: number;
  /**
   * Whether to LISTEN for the imports' NOTIFYs. Not behind a transaction pooler: the LISTEN
   * would stay on a server connection other clients then get, and notifications go astray.
   * @default true
   */
  listen?: boolean;
  logger: Logger;
}

/**
 * Knows the current roster data version without a query per request: it reads it at start,
 * follows NOTIFYs from imports, and polls now and then as a safety net.
 */
export class DataVersionWatcher {
  #version = '0';
  #poll: NodeJS.Timeout | undefined;
  #listener: DataVersionListener | undefined;

  constructor(private readonly options: DataVersionWatcherOptions) {}

  async start(): Promise<void> {
    const listen = this.options.listen ?? true;
    if (!listen && this.options.pollMs === 0)
      throw new Error(
        'DATA_VERSION_POLL_MS=0 with DATABASE_POOL_MODE=transaction: without LISTEN the API would never learn of an import',
      );
    // Before migrations ran (MIGRATE_ON_START=false) there is no version yet; polling finds it.
    await this.refresh().catch((error: unknown) =>
      this.options.logger.warn('cannot read the roster data version yet', { error }),
    );
    if (listen) {
      this.#listener = new DataVersionListener(
        this.options.databaseUrl,
        (version) => this.#set(version),
        // a failed refresh keeps the version it had; the next notification or poll reads it again
        () => void this.refresh().catch(() => undefined),
      );
      await this.#listener.start();
    }
    if (this.options.pollMs > 0) {
      // as above: a failed poll keeps the version it had, the next one tries again
      this.#poll = setInterval(() => void this.refresh().catch(() => undefined), this.options.pollMs);
      this.#poll.unref();
    }
  }

  /** The version cached answers are keyed by (`<epoch>.<counter>`). */
  current(): string {
    return this.#version;
  }

  /** This database's epoch: the namespace of its tokens and rate-limit counters in Redis. */
  namespace(): string {
    return this.#version.split('.')[0] ?? '';
  }

  /** Reads the version from PostgreSQL now. */
  async refresh(): Promise<string> {
    this.#set(await readDataVersion(this.options.db));
    return this.#version;
  }

  #set(version: string): void {
    if (version !== this.#version) {
      this.options.logger.debug('roster data version changed', { from: this.#version, to: version });
      this.#version = version;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#poll);
    this.#poll = undefined;
    await this.#listener?.close();
  }
}
