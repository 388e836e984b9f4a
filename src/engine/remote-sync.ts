// Brings the remote client in line with the spec, with as few requests as the situation allows:
// a new object is created straight away with its pre-chosen Id (409 means it exists: read it and
// adopt it — under driftPolicy Report without changing it, its differences reported); a spec change
// is one PUT of the whole desired client; an object already confirmed in sync costs nothing until a
// fresh observation (drift check) says otherwise. Kind-agnostic: the external client makes the
// calls and the kind's diff compares.
import { Reason } from '../api/conditions.ts';
import { DataHubError, isMissing } from '../datahub/index.ts';
import { RetryableError } from './errors.ts';
import type { ExternalClient } from './kind.ts';

export type RemoteAction = 'created' | 'recreated' | 'adopted' | 'updated' | 'drift-corrected' | 'unchanged' | 'drifted';

export interface RemoteResult<R> {
  action: RemoteAction;
  /** Fields that differed (updated, drift-corrected, drifted, adopted with changes). */
  fields: string[];
  /** What Data Hub holds now, when this sync learnt it. */
  client?: R;
  /** drifted: the client existed before this object managed it (adopted under driftPolicy Report, left unchanged). */
  adopting?: boolean;
}

export interface RemoteObservation<R> {
  /** null: Data Hub has no client with this Id. */
  client: R | null;
  observedAt: number;
}

/** The calls remote sync makes; every one already goes through the connection's shared budget. */
export type RemoteOps<D, R> = Pick<ExternalClient<D, R>, 'observe' | 'create' | 'update'>;

export interface RemoteSyncInput<D, R> {
  desired: D;
  /** The Id the desired client has (the pre-chosen one). */
  id: string;
  diff(desired: D, remote: R): string[];
  /** A recent observation (drift check, our own last write), if any. */
  known: RemoteObservation<R> | undefined;
  /** The current generation is known to be applied (Ready or Drifted for it, or applied earlier in this process). */
  confirmed: boolean;
  /** status.clientId is set: the client was created (or adopted) before. */
  existedBefore: boolean;
  driftPolicy: 'Enforce' | 'Report';
}

export async function syncRemote<D, R>(ops: RemoteOps<D, R>, input: RemoteSyncInput<D, R>): Promise<RemoteResult<R>> {
  const { desired, known, confirmed } = input;
  if (known) {
    // Missing in Data Hub: a re-create only if this object had created (or adopted) it before; a
    // forced reconcile of a never-created object reads first and must still report a first create.
    if (known.client === null) return create(ops, input, input.existedBefore);
    // Known to exist but never managed by this object (a forced reconcile read first, or it was
    // only observed until now): adopting it.
    if (!input.existedBefore) return adopt(ops, input, known.client);
    const fields = input.diff(desired, known.client);
    if (fields.length === 0) return { action: 'unchanged', fields, client: known.client };
    if (confirmed && input.driftPolicy === 'Report') return { action: 'drifted', fields, client: known.client };
    return { action: confirmed ? 'drift-corrected' : 'updated', fields, client: await ops.update(desired) };
  }
  if (confirmed) return { action: 'unchanged', fields: [] };
  if (!input.existedBefore) return create(ops, input, false);
  try {
    return { action: 'updated', fields: [], client: await ops.update(desired) };
  } catch (err) {
    if (isMissing(err)) return create(ops, input, true);
    throw err;
  }
}

async function create<D, R>(ops: RemoteOps<D, R>, input: RemoteSyncInput<D, R>, recreate: boolean): Promise<RemoteResult<R>> {
  const { desired, id } = input;
  try {
    return { action: recreate ? 'recreated' : 'created', fields: [], client: await ops.create(desired) };
  } catch (err) {
    if (!(err instanceof DataHubError && err.status === 409)) throw err;
  }
  // The Id exists: created by an earlier attempt whose answer was lost, or a client to adopt.
  const existing = await ops.observe(id);
  if (!existing) {
    throw new RetryableError(Reason.RemoteUnavailable, `cannot adopt Data Hub client "${id}": Data Hub said it exists, then that it does not; retrying`);
  }
  return adopt(ops, input, existing);
}

/**
 * Takes over a client that exists. Enforce: the spec is applied (one PUT when it differs). Report:
 * nothing is written; the differences are reported (drifted) until the spec or the client is
 * changed to match, or driftPolicy is set to Enforce.
 */
async function adopt<D, R>(ops: RemoteOps<D, R>, input: RemoteSyncInput<D, R>, existing: R): Promise<RemoteResult<R>> {
  const fields = input.diff(input.desired, existing);
  if (fields.length === 0) return { action: 'adopted', fields, client: existing };
  if (input.driftPolicy === 'Report') return { action: 'drifted', fields, client: existing, adopting: true };
  return { action: 'adopted', fields, client: await ops.update(input.desired) };
}
