// The Prometheus metrics of the operator. Controller and work-queue metrics use controller-runtime's
// names and labels (one `controller` / `name` label value per kind, from its description) so
// existing dashboards work; Data Hub and leader-election metrics are added. Other modules report
// through the small ControllerObserver interface and never import prom-client.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

/** What one kind's runner reports; implemented by OperatorMetrics.controller() and by test no-ops. */
export interface ControllerObserver {
  reconciled(result: ReconcileResultLabel, seconds: number, terminal: boolean): void;
  workerActive(delta: 1 | -1): void;
  queueAdded(): void;
  queueTaken(waitedSeconds: number): void;
  queueRetried(): void;
}

export const noopObserver: ControllerObserver = {
  reconciled() {},
  workerActive() {},
  queueAdded() {},
  queueTaken() {},
  queueRetried() {},
};

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface QueueGauges {
  depth(): number;
  unfinishedSeconds(): number;
  longestRunningSeconds(): number;
}

export interface OperatorMetricsOptions {
  /** The default connection's budget ceiling (Infinity: unlimited) and pause. */
  budgetRate(): number;
  budgetPausedSeconds(): number;
  /**
   * The kinds that carry a client secret, each with the expiry (epoch ms) of every object's current
   * client secret that has no newer one, read at scrape time (issue 14; METRICS.md).
   */
  secretExpiries?(): ReadonlyMap<string, readonly number[]>;
  now?(): number;
}

/** datahub_secrets_expiring windows (cumulative: 1d ⊆ 7d ⊆ 30d). */
export const EXPIRY_WINDOWS: readonly (readonly [string, number])[] = [
  ['1d', 86_400_000],
  ['7d', 7 * 86_400_000],
  ['30d', 30 * 86_400_000],
];

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly leader: Gauge;
  private readonly reconcileTotal: Counter;
  private readonly reconcileErrors: Counter;
  private readonly terminalErrors: Counter;
  private readonly reconcileTime: Histogram;
  private readonly activeWorkers: Gauge;
  private readonly maxWorkers: Gauge;
  private readonly adds: Counter;
  private readonly retries: Counter;
  private readonly queueDuration: Histogram;
  private readonly dataHubRequests: Counter;
  private readonly dataHubLatency: Histogram;
  private readonly kubeRequests: Counter;
  private readonly kubeLatency: Histogram;
  private readonly rotations: Counter;
  /** Queue gauges by controller name, read at scrape time. */
  private readonly queues = new Map<string, QueueGauges>();

  constructor(options: OperatorMetricsOptions) {
    const r = this.registry;
    const queues = this.queues;
    collectDefaultMetrics({ register: r });
    const counter = (name: string, help: string, labelNames: string[]): Counter => new Counter({ name, help, labelNames, registers: [r] });
    const histogram = (name: string, help: string, labelNames: string[]): Histogram =>
      new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [r] });
    const gauge = (name: string, help: string, labelNames: string[]): Gauge => new Gauge({ name, help, labelNames, registers: [r] });
    const perController = ['controller'];
    this.reconcileTotal = counter('controller_runtime_reconcile_total', 'Total number of reconciliations per controller', ['controller', 'result']);
    this.reconcileErrors = counter('controller_runtime_reconcile_errors_total', 'Total number of reconciliation errors per controller', perController);
    const terminalHelp = 'Total number of terminal reconciliation errors per controller';
    this.terminalErrors = counter('controller_runtime_terminal_reconcile_errors_total', terminalHelp, perController);
    this.reconcileTime = histogram('controller_runtime_reconcile_time_seconds', 'Length of time per reconciliation per controller', perController);
    this.activeWorkers = gauge('controller_runtime_active_workers', 'Number of currently used workers per controller', perController);
    this.maxWorkers = gauge('controller_runtime_max_concurrent_reconciles', 'Maximum number of concurrent reconciles per controller', perController);

    const perQueue = ['name', 'controller'];
    const queueGauge = (name: string, help: string, read: (q: QueueGauges) => number): Gauge =>
      new Gauge({
        name,
        help,
        labelNames: perQueue,
        registers: [r],
        collect() {
          for (const [queue, gauges] of queues) this.set({ name: queue, controller: queue }, read(gauges));
        },
      });
    queueGauge('workqueue_depth', 'Current depth of workqueue', (q) => q.depth());
    queueGauge('workqueue_unfinished_work_seconds', 'How many seconds of work has been done that is in progress', (q) => q.unfinishedSeconds());
    const longestHelp = 'How many seconds has the longest running processor for workqueue been running';
    queueGauge('workqueue_longest_running_processor_seconds', longestHelp, (q) => q.longestRunningSeconds());
    this.adds = counter('workqueue_adds_total', 'Total number of adds handled by workqueue', perQueue);
    this.retries = counter('workqueue_retries_total', 'Total number of retries handled by workqueue', perQueue);
    const waitHelp = 'How long in seconds an item stays in workqueue before being requested';
    this.queueDuration = histogram('workqueue_queue_duration_seconds', waitHelp, perQueue);

    const perRoute = ['method', 'route', 'status'];
    const requestsHelp = 'Data Hub API requests by method, route template and HTTP status (error: no response)';
    this.dataHubRequests = counter('datahub_requests_total', requestsHelp, perRoute);
    this.dataHubLatency = histogram('datahub_request_duration_seconds', 'Data Hub API request latency by method, route template and HTTP status', perRoute);
    new Gauge({
      name: 'datahub_budget_requests_per_second',
      help: 'Current ceiling of the shared Data Hub request budget (-1: unlimited)',
      registers: [r],
      collect() {
        const rate = options.budgetRate();
        this.set(Number.isFinite(rate) ? rate : -1);
      },
    });
    new Gauge({
      name: 'datahub_budget_paused_seconds',
      help: 'Seconds until Data Hub requests may flow again (rate limit or outage)',
      registers: [r],
      collect() {
        this.set(options.budgetPausedSeconds());
      },
    });
    const kubeHelp = 'Number of HTTP requests to the Kubernetes API, partitioned by status code and method';
    this.kubeRequests = counter('rest_client_requests_total', kubeHelp, ['code', 'method', 'host']);
    this.kubeLatency = histogram('rest_client_request_duration_seconds', 'Kubernetes API request latency in seconds by verb', ['verb']);
    this.rotations = counter('datahub_secret_rotations_total', 'Client secrets the operator asked Data Hub for (first secrets come with the create), by kind and result', [
      'kind',
      'result',
    ]);
    const now = options.now ?? Date.now;
    const expiries = options.secretExpiries ?? ((): ReadonlyMap<string, readonly number[]> => new Map());
    new Gauge({
      name: 'datahub_secrets_expiring',
      help: 'Objects whose current client secret expires within the window and that have no newer one, by kind',
      labelNames: ['kind', 'within'],
      registers: [r],
      collect() {
        const at = now();
        this.reset();
        for (const [kind, list] of expiries()) {
          for (const [within, ms] of EXPIRY_WINDOWS) this.set({ kind, within }, list.filter((e) => e - at <= ms).length);
        }
      },
    });
    new Gauge({
      name: 'datahub_secret_expiry_soonest_seconds',
      help: 'Seconds until the soonest expiry of any current client secret of the kind (absent when there is none)',
      labelNames: ['kind'],
      registers: [r],
      collect() {
        const at = now();
        this.reset();
        for (const [kind, list] of expiries()) if (list.length > 0) this.set({ kind }, (list.reduce((a, b) => Math.min(a, b), Infinity) - at) / 1000);
      },
    });
    this.leader = gauge('leader_election_master_status', '1 while this replica holds the leader Lease, 0 otherwise', ['name']);
  }

  /** The metrics of one kind's controller; its series exist (at 0) from the start. */
  controller(name: string, workers: number, queue: QueueGauges): ControllerObserver {
    const controller = { controller: name };
    const labels = { name, controller: name };
    this.queues.set(name, queue);
    this.maxWorkers.set(controller, workers);
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) this.reconcileTotal.inc({ ...controller, result }, 0);
    this.reconcileErrors.inc(controller, 0);
    this.terminalErrors.inc(controller, 0);
    this.activeWorkers.set(controller, 0);
    this.adds.inc(labels, 0);
    this.retries.inc(labels, 0);
    return {
      reconciled: (result, seconds, terminal) => {
        this.reconcileTotal.inc({ ...controller, result });
        this.reconcileTime.observe(controller, seconds);
        if (result === 'error') this.reconcileErrors.inc(controller);
        if (terminal) this.terminalErrors.inc(controller);
      },
      workerActive: (delta) => this.activeWorkers.inc(controller, delta),
      queueAdded: () => this.adds.inc(labels),
      queueTaken: (waitedSeconds) => this.queueDuration.observe(labels, waitedSeconds),
      queueRetried: () => this.retries.inc(labels),
    };
  }

  dataHubRequest(method: string, route: string, status: number | 'error', seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.dataHubRequests.inc(labels);
    this.dataHubLatency.observe(labels, seconds);
  }

  /** A client secret asked for (success) or refused / lost (failure); the series of a kind exist from the start. */
  secretRotated(kind: string, result: 'success' | 'failure'): void {
    this.rotations.inc({ kind, result });
  }

  /** Registers the rotation counters of a secret-bearing kind at 0. */
  secretKind(kind: string): void {
    for (const result of ['success', 'failure']) this.rotations.inc({ kind, result }, 0);
  }

  kubeRequest(method: string, status: number | 'error', seconds: number): void {
    this.kubeRequests.inc({ code: String(status), method, host: '' });
    this.kubeLatency.observe({ verb: method }, seconds);
  }
}
