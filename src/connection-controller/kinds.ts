// The two connection kinds as the connection controller handles them: their resources, one object
// type for both, and the controller's own check of a spec (the CRD schema again through ajv, for
// objects stored under an older CRD, plus the rules that differ by kind). Pure.
import { Ajv } from 'ajv';
import { GROUP, VERSION } from '../api/conditions.ts';
import { ClusterDataHubConnectionSchema, DataHubConnectionSchema } from '../api/schema.generated.ts';
import { ClusterDataHubConnectionPlural, DataHubConnectionPlural, type ClusterDataHubConnection, type DataHubConnection } from '../api/types.generated.ts';
import type { ConnectionKind } from '../connections/connection-keys.ts';
import type { ResourceType } from '../kube/resources.ts';

export type ConnectionObject = DataHubConnection | ClusterDataHubConnection;

export interface ConnectionKindInfo {
  kind: ConnectionKind;
  resource: ResourceType;
  /** The controller-runtime metrics label. */
  controller: string;
  namespaced: boolean;
}

export const CONNECTION_KIND_INFO: Record<ConnectionKind, ConnectionKindInfo> = {
  DataHubConnection: {
    kind: 'DataHubConnection',
    resource: { group: GROUP, version: VERSION, plural: DataHubConnectionPlural, kind: 'DataHubConnection' },
    controller: 'datahubconnection',
    namespaced: true,
  },
  ClusterDataHubConnection: {
    kind: 'ClusterDataHubConnection',
    resource: { group: GROUP, version: VERSION, plural: ClusterDataHubConnectionPlural, kind: 'ClusterDataHubConnection' },
    controller: 'clusterdatahubconnection',
    namespaced: false,
  },
};

const ajv = new Ajv({ allErrors: true, strict: true });
const validators = {
  DataHubConnection: ajv.compile(DataHubConnectionSchema),
  ClusterDataHubConnection: ajv.compile(ClusterDataHubConnectionSchema),
};

/** Problems the CRD schema did not catch (or an older CRD let through), as `<field>: <problem>`. */
export function connectionProblems(kind: ConnectionKind, obj: ConnectionObject): string[] {
  const validate = validators[kind];
  if (!validate(obj)) {
    return (validate.errors ?? []).map((e) => `${e.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'object'}: ${e.message ?? 'is invalid'}`);
  }
  const ref = obj.spec.credentials.secretRef;
  if (kind === 'DataHubConnection' && ref.namespace !== undefined) {
    return ['spec.credentials.secretRef.namespace: must not be set: a DataHubConnection reads its Secret from its own namespace only'];
  }
  if (kind === 'ClusterDataHubConnection' && !ref.namespace) return ['spec.credentials.secretRef.namespace: is required on a ClusterDataHubConnection'];
  return [];
}
