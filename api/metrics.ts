import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The API's Prometheus metrics, in their own registry so that several apps can live in one
 * process (tests). Names and labels are those the original RosterHub dashboards query.
 */
export class ApiMetrics {
  readonly registry = new Registry();

  readonly httpRequestsTotal = new Counter({
    name: 'http_requests_total',
    help: 'Total HTTP requests',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });

  readonly redisOperationsTotal = new Counter({
    name: 'redis_operations_total',
    help: 'Total Redis operations',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });

  readonly dbQueriesTotal = new Counter({
    name: 'db_queries_total',
    help: 'SQL statements the OneRoster read path sent to PostgreSQL',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly cacheLookupsTotal = new Counter({
    name: 'cache_lookups_total',
    help: 'Lookups in the Redis caches (responses, counts, page boundaries) by result',
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });

  readonly authFailuresTotal = new Counter({
    name: 'auth_failures_total',
    help: 'Requests refused by authentication, authorisation or rate limiting',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  #dbConnectionsProbe: () => number = () => 0;

  readonly dbConnectionsActive: Gauge;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const probe = (): number => this.#dbConnectionsProbe();
    this.dbConnectionsActive = new Gauge({
      name: 'db_connections_active',
      help: 'Active (checked-out) database connections',
      registers: [this.registry],
      collect() {
        this.set(probe());
      },
    });
  }

  /** Tells the gauge how to read the pool's checked-out connections at scrape time. */
  observeDbConnections(probe: () => number): void {
    this.#dbConnectionsProbe = probe;
  }
}
