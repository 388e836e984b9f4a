// The Prometheus metrics of the operator. Controller and work-queue metrics use controller-runtime's
// names and labels so existing dashboards work; Data Hub and leader-election metrics are added.
// Other modules report through the small ControllerObserver interface and never import prom-client.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const CONTROLLER = 'authorizationcodeclient';

export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

/** What the controller, the queue and the HTTP clients report; implemented by OperatorMetrics and by test no-ops. */
export interface ControllerObserver {
  reconciled(result: ReconcileResultLabel, seconds: number, terminal: boolean): void;
  workerActive(delta: 1 | -1): void;
  queueAdded(): void;
  queueTaken(waitedSeconds: number): void;
  queueRetried(): void;
  dataHubRequest(method: string, route: string, status: number | 'error', seconds: number): void;
  kubeRequest(method: string, status: number | 'error', seconds: number): void;
}

export const noopObserver: ControllerObserver = {
  reconciled() {},
  workerActive() {},
  queueAdded() {},
  queueTaken() {},
  queueRetried() {},
  dataHubRequest() {},
  kubeRequest() {},
};

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface QueueGauges {
  depth(): number;
  unfinishedSeconds(): number;
  longestRunningSeconds(): number;
}

export class OperatorMetrics implements ControllerObserver {
  readonly registry = new Registry();
  private readonly reconcileTotal: Counter;
  private readonly reconcileErrors: Counter;
  private readonly terminalErrors: Counter;
  private readonly reconcileTime: Histogram;
  private readonly activeWorkers: Gauge;
  private readonly adds: Counter;
  private readonly retries: Counter;
  private readonly queueDuration: Histogram;
  private readonly dataHubRequests: Counter;
  private readonly dataHubLatency: Histogram;
  private readonly kubeRequests: Counter;
  private readonly kubeLatency: Histogram;
  readonly leader: Gauge;

  constructor(options: { workers: number; queue: () => QueueGauges | undefined; budgetRate: () => number; budgetPausedSeconds: () => number }) {
    const r = this.registry;
    collectDefaultMetrics({ register: r });
    const controller = { controller: CONTROLLER };
    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers: [r] });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers: [r] });
    this.terminalErrors = new Counter({ name: 'controller_runtime_terminal_reconcile_errors_total', help: 'Total number of terminal reconciliation errors per controller', labelNames: ['controller'], registers: [r] });
    this.reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], buckets: LATENCY_BUCKETS, registers: [r] });
    this.activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'], registers: [r] });
    new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ['controller'], registers: [r] }).set(controller, options.workers);
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) this.reconcileTotal.inc({ ...controller, result }, 0);
    this.reconcileErrors.inc(controller, 0);
    this.terminalErrors.inc(controller, 0);
    this.activeWorkers.set(controller, 0);

    const queue = { name: CONTROLLER, controller: CONTROLLER };
    const queueLabels = ['name', 'controller'];
    new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: queueLabels, registers: [r], collect() { this.set(queue, options.queue()?.depth() ?? 0); } });
    new Gauge({ name: 'workqueue_unfinished_work_seconds', help: 'How many seconds of work has been done that is in progress', labelNames: queueLabels, registers: [r], collect() { this.set(queue, options.queue()?.unfinishedSeconds() ?? 0); } });
    new Gauge({ name: 'workqueue_longest_running_processor_seconds', help: 'How many seconds has the longest running processor for workqueue been running', labelNames: queueLabels, registers: [r], collect() { this.set(queue, options.queue()?.longestRunningSeconds() ?? 0); } });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: queueLabels, registers: [r] });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: queueLabels, registers: [r] });
    this.queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: queueLabels, buckets: LATENCY_BUCKETS, registers: [r] });
    this.adds.inc(queue, 0);
    this.retries.inc(queue, 0);

    this.dataHubRequests = new Counter({ name: 'datahub_requests_total', help: 'Data Hub API requests by method, route template and HTTP status (error: no response)', labelNames: ['method', 'route', 'status'], registers: [r] });
    this.dataHubLatency = new Histogram({ name: 'datahub_request_duration_seconds', help: 'Data Hub API request latency by method, route template and HTTP status', labelNames: ['method', 'route', 'status'], buckets: LATENCY_BUCKETS, registers: [r] });
    new Gauge({ name: 'datahub_budget_requests_per_second', help: 'Current ceiling of the shared Data Hub request budget (-1: unlimited)', registers: [r], collect() { const rate = options.budgetRate(); this.set(Number.isFinite(rate) ? rate : -1); } });
    new Gauge({ name: 'datahub_budget_paused_seconds', help: 'Seconds until Data Hub requests may flow again (rate limit or outage)', registers: [r], collect() { this.set(options.budgetPausedSeconds()); } });
    this.kubeRequests = new Counter({ name: 'rest_client_requests_total', help: 'Number of HTTP requests to the Kubernetes API, partitioned by status code and method', labelNames: ['code', 'method', 'host'], registers: [r] });
    this.kubeLatency = new Histogram({ name: 'rest_client_request_duration_seconds', help: 'Kubernetes API request latency in seconds by verb', labelNames: ['verb'], buckets: LATENCY_BUCKETS, registers: [r] });
    this.leader = new Gauge({ name: 'leader_election_master_status', help: '1 while this replica holds the leader Lease, 0 otherwise', labelNames: ['name'], registers: [r] });
  }

  reconciled(result: ReconcileResultLabel, seconds: number, terminal: boolean): void {
    this.reconcileTotal.inc({ controller: CONTROLLER, result });
    this.reconcileTime.observe({ controller: CONTROLLER }, seconds);
    if (result === 'error') this.reconcileErrors.inc({ controller: CONTROLLER });
    if (terminal) this.terminalErrors.inc({ controller: CONTROLLER });
  }

  workerActive(delta: 1 | -1): void {
    this.activeWorkers.inc({ controller: CONTROLLER }, delta);
  }

  queueAdded(): void {
    this.adds.inc({ name: CONTROLLER, controller: CONTROLLER });
  }

  queueTaken(waitedSeconds: number): void {
    this.queueDuration.observe({ name: CONTROLLER, controller: CONTROLLER }, waitedSeconds);
  }

  queueRetried(): void {
    this.retries.inc({ name: CONTROLLER, controller: CONTROLLER });
  }

  dataHubRequest(method: string, route: string, status: number | 'error', seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.dataHubRequests.inc(labels);
    this.dataHubLatency.observe(labels, seconds);
  }

  kubeRequest(method: string, status: number | 'error', seconds: number): void {
    this.kubeRequests.inc({ code: String(status), method, host: '' });
    this.kubeLatency.observe({ verb: method }, seconds);
  }
}
