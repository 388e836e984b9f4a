// One Data Hub connection: a tenant at a base URL reached with one credential. It holds what must be
// shared by every object using that credential and by nothing else: the Data Hub client (and so the
// token cache), the shared budget (which is also the circuit: after repeated failures one probe at
// a time), the budgeted gateway, the instance id client Ids are derived from, and one drift scanner
// per kind. Knows nothing of Kubernetes objects or kinds.
import type { DataHubClient } from '../datahub/index.ts';
import { connectionLabel } from './connection-keys.ts';
import type { DriftScanner } from './drift-scanner.ts';
import { DataHubGateway } from './gateway.ts';
import type { SharedBudget } from './shared-budget.ts';

export interface ConnectionInit {
  /** The registry key ('default' for the one built from the flags; see connection-keys.ts). */
  id: string;
  tenantId: string;
  /** The Data Hub base URL (written to Secrets as `resource`). */
  baseUrl: string;
  instanceId: string;
  dataHub: DataHubClient;
  budget: SharedBudget;
}

interface Scanner {
  start(): void;
  stop(): void;
}

export class Connection {
  readonly id: string;
  /** The `connection` metrics and log label ("default", "<namespace>/<name>", "cluster/<name>"). */
  readonly label: string;
  readonly tenantId: string;
  readonly baseUrl: string;
  readonly instanceId: string;
  readonly dataHub: DataHubClient;
  readonly budget: SharedBudget;
  readonly gateway: DataHubGateway;
  private readonly scanners = new Map<string, Scanner>();
  private scanning = false;

  constructor(init: ConnectionInit) {
    this.id = init.id;
    this.label = connectionLabel(init.id);
    this.tenantId = init.tenantId;
    this.baseUrl = init.baseUrl;
    this.instanceId = init.instanceId;
    this.dataHub = init.dataHub;
    this.budget = init.budget;
    this.gateway = new DataHubGateway(init.budget);
  }

  /** The drift scanner of one kind on this connection, made on first use (running if scans are on). */
  scanner<R>(kind: string, create: () => DriftScanner<R>): DriftScanner<R> {
    let scanner = this.scanners.get(kind) as DriftScanner<R> | undefined;
    if (!scanner) {
      scanner = create();
      this.scanners.set(kind, scanner);
      if (this.scanning) scanner.start();
    }
    return scanner;
  }

  /** Drift checks run only while this replica leads. */
  startScanners(): void {
    this.scanning = true;
    for (const s of this.scanners.values()) s.start();
  }

  stopScanners(): void {
    this.scanning = false;
    for (const s of this.scanners.values()) s.stop();
  }
}
