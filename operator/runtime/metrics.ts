import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ControllerObserver } from './controller.js';
import type { WorkQueueObserver } from './work-queue.js';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The operator's metrics, named as controller-runtime names them so existing dashboards fit. */
export class OperatorMetrics {
  readonly registry = new Registry();

  readonly reconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'] as const,
    registers: [this.registry],
  });

  readonly reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });

  readonly reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly activeWorkers = new Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });

  readonly queueAdds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });

  readonly queueRetries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });

  readonly queueDuration = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name', 'controller'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes',
    labelNames: ['name', 'controller'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: 'leader_election_master_status',
    help: 'Whether this process is the leader (1) or not (0)',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });

  readonly watchRestarts = new Counter({
    name: 'rosterhub_operator_watch_restarts_total',
    help: 'Watches restarted, by resource and reason (error, expired, stalled, closed)',
    labelNames: ['resource', 'reason'] as const,
    registers: [this.registry],
  });

  #instancePhases: () => Iterable<string> = () => [];

  /** Counted at scrape time from the phases {@link observeInstancePhases} reads. */
  readonly instancesByPhase = new Gauge<'phase'>({
    name: 'rosterhub_instances',
    help: 'RosterHubInstance resources by phase',
    labelNames: ['phase'] as const,
    registers: [this.registry],
    collect: () => {
      const counts = new Map<string, number>();
      for (const phase of this.#instancePhases()) counts.set(phase, (counts.get(phase) ?? 0) + 1);
      // Phases no instance is in any more disappear instead of staying at 0.
      this.instancesByPhase.reset();
      for (const [phase, count] of counts) this.instancesByPhase.set({ phase }, count);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Tells the instances-by-phase gauge how to read the phase of every instance at scrape time. */
  observeInstancePhases(phases: () => Iterable<string>): void {
    this.#instancePhases = phases;
  }

  queueObserver(controller: string): WorkQueueObserver {
    const labels = { name: controller, controller };
    return {
      added: () => this.queueAdds.inc(labels),
      depth: (depth) => this.queueDepth.set(labels, depth),
      queued: (seconds) => this.queueDuration.observe(labels, seconds),
      worked: (seconds) => this.workDuration.observe(labels, seconds),
      retried: () => this.queueRetries.inc(labels),
    };
  }

  controllerObserver(controller: string, onFailure: ControllerObserver['failed']): ControllerObserver {
    return {
      reconciled: (result, seconds) => {
        this.reconcileTotal.inc({ controller, result });
        if (result === 'error') this.reconcileErrors.inc({ controller });
        this.reconcileTime.observe({ controller }, seconds);
      },
      activeWorkers: (count) => this.activeWorkers.set({ controller }, count),
      failed: onFailure,
    };
  }
}
