// The Prometheus metrics of the operator. Controller and work-queue metrics use controller-runtime's
// names and labels (one `controller` / `name` label value per kind, from its description) so
// existing dashboards work; Data Hub metrics (labelled by connection, METRICS.md), the object gauges
// of every kind and leader-election metrics are added. Other modules report
// through the small ControllerObserver interface and never import prom-client.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CONDITION_STATUSES, GAUGED_CONDITIONS, summarizeObjects, type GaugedObject } from './object-gauges.ts';

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

/** One connection as its gauges read it (label: "default", "<namespace>/<name>", "cluster/<name>"). */
export interface ConnectionGauges {
  label: string;
  /** Budget ceiling in requests per second (Infinity: unlimited). */
  rate(): number;
  pausedSeconds(): number;
  circuitOpen(): boolean;
  ready(): boolean;
  clients(): number;
}

/** The cached objects of one kind (for datahub_objects and datahub_objects_not_ready_seconds). */
export interface ObjectSource {
  kind: string;
  objects(): Iterable<GaugedObject>;
}

export interface OperatorMetricsOptions {
  /** The connections of the registry, read at scrape time. */
  connections?: () => Iterable<ConnectionGauges>;
  /** Every kind's cache, read at scrape time. */
  objects?: () => Iterable<ObjectSource>;
  /**
   * The kinds that carry a client secret, each with the expiry (epoch ms) of every object's current
   * client secret that has no newer one, read at scrape time (issue 14; METRICS.md).
   */
  secretExpiries?: () => ReadonlyMap<string, readonly number[]>;
  now?: () => number;
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

  constructor(options: OperatorMetricsOptions = {}) {
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

    const perRoute = ['connection', 'method', 'route', 'status'];
    const requestsHelp = 'Data Hub API requests by connection, method, route template and HTTP status (error: no response)';
    this.dataHubRequests = counter('datahub_requests_total', requestsHelp, perRoute);
    this.dataHubLatency = histogram('datahub_request_duration_seconds', 'Data Hub API request latency by connection, method, route template and HTTP status', perRoute);
    const connections = options.connections ?? (() => []);
    const perConnection = (name: string, help: string, read: (c: ConnectionGauges) => number): Gauge =>
      new Gauge({
        name,
        help,
        labelNames: ['connection'],
        registers: [r],
        collect() {
          // Reset first: a removed connection's series must go.
          this.reset();
          for (const c of connections()) this.set({ connection: c.label }, read(c));
        },
      });
    perConnection('datahub_budget_requests_per_second', 'Current ceiling of the shared Data Hub request budget of a connection (-1: unlimited)', (c) => (Number.isFinite(c.rate()) ? c.rate() : -1));
    perConnection('datahub_budget_paused_seconds', 'Seconds until Data Hub requests of a connection may flow again (rate limit or outage)', (c) => c.pausedSeconds());
    perConnection('datahub_circuit_open', '1 while the shared budget circuit of a connection is open (Data Hub failing; one probe at a time)', (c) => (c.circuitOpen() ? 1 : 0));
    perConnection('datahub_connection_ready', '1 when the connection is Ready (a token was obtained and the tenant answered)', (c) => (c.ready() ? 1 : 0));
    perConnection('datahub_connection_clients', 'Objects using the connection', (c) => c.clients());
    const sources = options.objects ?? (() => []);
    const now = options.now ?? Date.now;
    const summaries = (): [string, ReturnType<typeof summarizeObjects>][] => [...sources()].map((s) => [s.kind, summarizeObjects(s.objects(), now())]);
    new Gauge({
      name: 'datahub_objects',
      help: 'Objects per kind whose condition (Ready, Stalled, Reconciling, Paused) has this status (True, False, Unknown)',
      labelNames: ['kind', 'condition', 'status'],
      registers: [r],
      collect() {
        this.reset();
        for (const [kind, summary] of summaries()) {
          for (const condition of GAUGED_CONDITIONS) for (const status of CONDITION_STATUSES) this.set({ kind, condition, status }, summary.counts[condition]?.[status] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'datahub_objects_not_ready_seconds',
      help: 'Age in seconds of the oldest object of the kind that is not Ready for its current generation (0 when all are Ready)',
      labelNames: ['kind'],
      registers: [r],
      collect() {
        this.reset();
        for (const [kind, summary] of summaries()) this.set({ kind }, summary.oldestNotReadySeconds);
      },
    });
    const kubeHelp = 'Number of HTTP requests to the Kubernetes API, partitioned by status code and method';
    this.kubeRequests = counter('rest_client_requests_total', kubeHelp, ['code', 'method', 'host']);
    this.kubeLatency = histogram('rest_client_request_duration_seconds', 'Kubernetes API request latency in seconds by verb', ['verb']);
    this.rotations = counter('datahub_secret_rotations_total', 'Client secrets the operator asked Data Hub for (first secrets come with the create), by kind and result', [
      'kind',
      'result',
    ]);
    const expiries = (): ReadonlyMap<string, readonly number[]> => (options.secretExpiries ? options.secretExpiries() : new Map());
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

  dataHubRequest(connection: string, method: string, route: string, status: number | 'error', seconds: number): void {
    const labels = { connection, method, route, status: String(status) };
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
