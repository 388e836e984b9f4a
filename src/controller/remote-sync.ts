// Brings the Data Hub client in line with the spec, with as few requests as the situation allows:
// a new object is created straight away with its pre-chosen Id (409 means it exists: read it and
// adopt it); a spec change is one PUT of the whole desired client; an object already confirmed in
// sync costs nothing until a fresh observation (drift check) says otherwise.
import type { AuthorizationCodeClient as RemoteClient } from '../datahub/index.ts';
import { DataHubError } from '../datahub/index.ts';
import { Reason } from '../api/conditions.ts';
import { diffClient, type DesiredClient } from './desired-client.ts';
import { RetryableError } from './errors.ts';
import type { RemoteObservation } from './remote-cache.ts';

export type RemoteAction = 'created' | 'recreated' | 'adopted' | 'updated' | 'drift-corrected' | 'unchanged' | 'drifted';

export interface RemoteResult {
  action: RemoteAction;
  /** Fields that differed (updated, drift-corrected, drifted, adopted with changes). */
  fields: string[];
  /** What Data Hub holds now, when this sync learnt it. */
  client?: RemoteClient;
}

/** The Data Hub operations remote sync needs; every call already goes through the shared budget. */
export interface RemoteOps {
  read(id: string): Promise<RemoteClient | undefined>;
  create(desired: DesiredClient): Promise<RemoteClient>;
  update(desired: DesiredClient): Promise<RemoteClient>;
}

export interface RemoteSyncInput {
  desired: DesiredClient;
  /** A recent observation (drift check, our own last write), if any. */
  known: RemoteObservation | undefined;
  /** The current generation is known to be applied (Ready or Drifted for it, or applied earlier in this process). */
  confirmed: boolean;
  /** status.clientId is set: the client was created (or adopted) before. */
  existedBefore: boolean;
  driftPolicy: 'Enforce' | 'Report';
}

export async function syncRemote(ops: RemoteOps, input: RemoteSyncInput): Promise<RemoteResult> {
  const { desired, known, confirmed } = input;
  if (known) {
    // Missing in Data Hub: a re-create only if this object had created (or adopted) it before; a
    // forced reconcile of a never-created object reads first and must still report a first create.
    if (known.client === null) return create(ops, desired, input.existedBefore);
    const fields = diffClient(desired, known.client);
    if (fields.length === 0) return { action: 'unchanged', fields, client: known.client };
    if (confirmed && input.driftPolicy === 'Report') return { action: 'drifted', fields, client: known.client };
    return { action: confirmed ? 'drift-corrected' : 'updated', fields, client: await ops.update(desired) };
  }
  if (confirmed) return { action: 'unchanged', fields: [] };
  if (!input.existedBefore) return create(ops, desired, false);
  try {
    return { action: 'updated', fields: [], client: await ops.update(desired) };
  } catch (err) {
    if (err instanceof DataHubError && err.status === 404 && err.kind === 'http') return create(ops, desired, true);
    throw err;
  }
}

async function create(ops: RemoteOps, desired: DesiredClient, recreate: boolean): Promise<RemoteResult> {
  try {
    return { action: recreate ? 'recreated' : 'created', fields: [], client: await ops.create(desired) };
  } catch (err) {
    if (!(err instanceof DataHubError && err.status === 409)) throw err;
  }
  // The Id exists: created by an earlier attempt whose answer was lost, or a client to adopt.
  const existing = await ops.read(desired.Id);
  if (!existing) throw new RetryableError(Reason.RemoteUnavailable, `cannot adopt Data Hub client "${desired.Id}": Data Hub said it exists, then that it does not; retrying`);
  const fields = diffClient(desired, existing);
  if (fields.length === 0) return { action: 'adopted', fields, client: existing };
  return { action: 'adopted', fields, client: await ops.update(desired) };
}

