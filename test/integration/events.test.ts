// The normal Kubernetes events the README documents, as `kubectl describe` shows them: Created,
// Adopted, Updated, SecretWritten, DriftCorrected, Deleted and Orphaned, each with its message, on the
// object it is about, and none of them carrying the tenant's credentials.
import { describe, expect, it } from 'vitest';
import { kubeCall } from '../support/kube-admin.ts';
import {
  cluster,
  createAcc,
  deleteAcc,
  eventually,
  getAcc,
  operatorFixture,
  patchAcc,
  waitReady,
} from '../support/operator-harness.ts';

const f = operatorFixture('events', { args: ['--resync-interval=2s', '--propagation-window=3s'] });

interface Event {
  type: string;
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string; uid?: string };
  source?: { component?: string };
  reportingComponent?: string;
}

async function eventsOf(name: string): Promise<Event[]> {
  const { kc } = await cluster();
  const list = (await kubeCall(kc, { method: 'GET', path: `/api/v1/namespaces/${f.ns}/events`, query: { fieldSelector: `involvedObject.name=${name}` } }, 'list events')) as { items: Event[] };
  return list.items.filter((e) => e.involvedObject.kind === 'AuthorizationCodeClient');
}

/** Waits for a Normal event with this reason on the object and returns its message. */
async function normalEvent(name: string, reason: string, timeoutMs = 30_000): Promise<string> {
  const event = await eventually(`a Normal ${reason} event on ${name}`, async () => (await eventsOf(name)).find((e) => e.type === 'Normal' && e.reason === reason), timeoutMs);
  expect(JSON.stringify(event)).not.toContain('simulator-secret');
  return event.message;
}

const spec = (host: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ displayName: host, redirectUris: [`https://${host}/cb`], ...extra });

describe('normal events', () => {
  it('Created on the first reconcile, then Updated, SecretWritten and DriftCorrected, then Deleted', async () => {
    const name = 'web';
    await createAcc(f.ns, name, spec('web.example.com'));
    const ready = await waitReady(f.ns, name);
    const id = ready.status?.clientId ?? '';
    expect(await normalEvent(name, 'Created')).toBe(`Created Data Hub client ${id} and Secret ${name}`);

    await patchAcc(f.ns, name, { spec: { displayName: 'web v2' } });
    // The field list appears when the operator had read the client before the update.
    expect(await normalEvent(name, 'Updated')).toMatch(new RegExp(`^Updated Data Hub client ${id}(: Name)?$`));

    await patchAcc(f.ns, name, { spec: { secret: { template: { data: { issuer: '$(authority)' } } } } });
    expect(await normalEvent(name, 'SecretWritten')).toBe(`Updated Secret ${name}`);

    const client = f.sim.clients.get(id);
    f.sim.clients.set({ ...client, Id: id, Name: 'renamed in the portal' });
    expect(await normalEvent(name, 'DriftCorrected')).toBe(`Put back Name of Data Hub client ${id}, changed outside Kubernetes`);
    expect(f.sim.clients.get(id)?.Name).toBe('web v2');

    await deleteAcc(f.ns, name);
    await eventually('object gone', async () => (await getAcc(f.ns, name)) === undefined, 30_000);
    expect(await normalEvent(name, 'Deleted')).toBe(`Deleted Data Hub client ${id}`);
    expect(f.sim.clients.get(id)).toBeUndefined();
  });

  it('Adopted for a pinned client that already exists in Data Hub', async () => {
    const name = 'legacy';
    const id = '7d1e8a2b-4c3f-4e6d-9a8b-1c2d3e4f5a6b';
    f.sim.clients.set({ Id: id, Name: 'made in the portal', RedirectUris: ['https://legacy.example.com/cb'] });
    await createAcc(f.ns, name, spec('legacy.example.com', { clientId: id }));
    await waitReady(f.ns, name);
    expect(await normalEvent(name, 'Adopted')).toBe(`Adopted existing Data Hub client ${id} and updated Name`);
  });

  it('Orphaned when deleted with deletionPolicy Orphan', async () => {
    const name = 'kept';
    await createAcc(f.ns, name, spec('kept.example.com', { deletionPolicy: 'Orphan' }));
    const id = (await waitReady(f.ns, name)).status?.clientId ?? '';
    await deleteAcc(f.ns, name);
    await eventually('object gone', async () => (await getAcc(f.ns, name)) === undefined, 30_000);
    expect(await normalEvent(name, 'Orphaned')).toBe(`Kept Data Hub client ${id} and its Secret (deletionPolicy: Orphan)`);
    expect(f.sim.clients.get(id)).toBeDefined();
  });
});
