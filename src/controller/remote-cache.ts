// The anomalies the operator last saw in Data Hub, and when: clients that are missing or differ from
// their spec, found by drift checks. Lets a reconcile act on a fresh observation without a read.
// Clients in sync are not kept (nothing to act on), so 10,000 objects in steady state cost nothing here.

import type { AuthorizationCodeClient as RemoteClient } from '../datahub/index.ts';

export interface RemoteObservation {
  /** null: Data Hub has no client with this Id. */
  client: RemoteClient | null;
  observedAt: number;
}

export class RemoteCache {
  private readonly entries = new Map<string, RemoteObservation>();

  set(clientId: string, client: RemoteClient | null, observedAt: number): void {
    this.entries.set(clientId.toLowerCase(), { client, observedAt });
  }

  /** The observation if it is at most maxAgeMs old at `now`. */
  fresh(clientId: string, now: number, maxAgeMs: number): RemoteObservation | undefined {
    const entry = this.entries.get(clientId.toLowerCase());
    return entry && now - entry.observedAt <= maxAgeMs ? entry : undefined;
  }

  delete(clientId: string): void {
    this.entries.delete(clientId.toLowerCase());
  }
}
