import { checkDependencies, type DependencyCheck, type DependencyStatuses } from './dependency-checks.js';

export interface ReadinessReport {
  status: 'ready' | 'not ready';
  /** What stops the API from taking traffic, by name: a dependency, `migrations` or `shutdown`. */
  failing: string[];
  details: DependencyStatuses & { migrations?: { status: 'up' | 'down'; message?: string } };
}

export interface ReadinessOptions {
  dependencies: Record<string, DependencyCheck>;
  /** Names of migrations the database still lacks. */
  pendingMigrations: () => Promise<string[]>;
  timeoutMs: number;
}

/**
 * Decides whether the process should receive traffic: not while shutting down, not before the
 * schema is current, not while a dependency is down.
 */
export class Readiness {
  #draining = false;
  #migrationsCurrent = false;

  constructor(private readonly options: ReadinessOptions) {}

  startDraining(): void {
    this.#draining = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  async evaluate(): Promise<ReadinessReport> {
    const details: ReadinessReport['details'] = await checkDependencies(
      this.options.dependencies,
      this.options.timeoutMs,
    );
    const failing = Object.entries(details)
      .filter(([, status]) => status.status === 'down')
      .map(([name]) => name);
    if (details.database?.status === 'up') {
      details.migrations = await this.#migrationStatus();
      if (details.migrations.status === 'down') failing.push('migrations');
    }
    if (this.#draining) failing.push('shutdown');
    return { status: failing.length === 0 ? 'ready' : 'not ready', failing, details };
  }

  // Once the schema is current it stays current for this process: only a newer version's
  // migration Job changes it, and that version runs in new pods.
  async #migrationStatus(): Promise<{ status: 'up' | 'down'; message?: string }> {
    if (this.#migrationsCurrent) return { status: 'up' };
    try {
      const pending = await this.options.pendingMigrations();
      if (pending.length === 0) {
        this.#migrationsCurrent = true;
        return { status: 'up' };
      }
      return { status: 'down', message: `pending migrations: ${pending.join(', ')}` };
    } catch (error) {
      return { status: 'down', message: (error as Error).message };
    }
  }
}
