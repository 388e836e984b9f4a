// What the expiry metrics count (datahub_secrets_expiring, datahub_secret_expiry_soonest_seconds):
// the expiry of every object's current client secret, read from the status in the informer cache at
// scrape time, leaving out an object that is already making a newer one. Pure; no I/O.
import type { ClientObject } from '../../engine/kind.ts';
import type { SecretStatus } from './secret-state.ts';

export function currentExpiries(objects: Iterable<ClientObject>): number[] {
  const out: number[] = [];
  for (const obj of objects) {
    const status = obj.status as SecretStatus | undefined;
    const current = status?.currentSecret;
    if (!current) continue;
    const pending = status?.pendingSecret;
    if (pending && pending.sequence > current.sequence) continue;
    const at = Date.parse(current.expiresAt);
    if (!Number.isNaN(at)) out.push(at);
  }
  return out;
}
