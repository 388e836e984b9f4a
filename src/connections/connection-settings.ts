// What a connection object's spec means for its registry entry: base URL, tenant, the instance id
// client Ids are derived from (the operator's own when unset) and the shared budget's fixed rate
// (requestsPerMinute). Pure. Two equal settings share an entry; a change builds a new one.
import type { ConnectionKind } from './connection-keys.ts';
import { defaultSharedBudget } from './shared-budget.ts';

export const DEFAULT_DATAHUB_URL = 'https://uswe.datahub.connect.aveva.com';

/** The spec fields both connection kinds share (the generated types are structurally this). */
export interface ConnectionSpecFields {
  url?: string;
  tenantId: string;
  credentials: { secretRef: { name: string; namespace?: string; clientIdKey?: string; clientSecretKey?: string } };
  instanceId?: string;
  requestsPerMinute?: number;
}

export interface ConnectionSettings {
  baseUrl: string;
  tenantId: string;
  instanceId: string;
  /** Requests per second (Infinity: until Data Hub answers 429). */
  ratePerSecond: number;
  burst: number;
}

export function connectionSettings(spec: ConnectionSpecFields, defaultInstanceId: string): ConnectionSettings {
  const rpm = spec.requestsPerMinute;
  // A fixed cap per minute: a token bucket lets `burst` through at once and then `rate`, so
  // burst + 60 × rate must stay within requestsPerMinute.
  const burst = rpm === undefined ? defaultSharedBudget.burst : Math.max(1, Math.min(defaultSharedBudget.burst, Math.floor(rpm / 60)));
  const ratePerSecond = rpm === undefined ? Infinity : Math.max(rpm - burst, 1) / 60;
  return {
    baseUrl: (spec.url ?? DEFAULT_DATAHUB_URL).replace(/\/+$/, ''),
    tenantId: spec.tenantId.toLowerCase(),
    instanceId: spec.instanceId ?? defaultInstanceId,
    ratePerSecond,
    burst,
  };
}

export function sameSettings(a: ConnectionSettings, b: ConnectionSettings): boolean {
  return a.baseUrl === b.baseUrl && a.tenantId === b.tenantId && a.instanceId === b.instanceId && a.ratePerSecond === b.ratePerSecond && a.burst === b.burst;
}

/** Where a connection's credential Secret is: the namespaced kind reads only its own namespace. */
export function credentialSecretOf(kind: ConnectionKind, namespace: string | undefined, spec: ConnectionSpecFields): { namespace: string; name: string; clientIdKey: string; clientSecretKey: string } {
  const ref = spec.credentials.secretRef;
  return {
    namespace: kind === 'DataHubConnection' ? (namespace ?? '') : (ref.namespace ?? ''),
    name: ref.name,
    clientIdKey: ref.clientIdKey ?? 'client-id',
    clientSecretKey: ref.clientSecretKey ?? 'client-secret',
  };
}
