// Pausing an object that is already Ready (acc-lifecycle.test.ts covers pausing at creation): while
// the identity.datahub.dev/paused annotation is "true" an edit, a portal change or a deletion writes
// nothing to Data Hub or the Secret and Paused=True says so; removing the annotation applies the edit
// or completes the deletion.
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/simulator/index.ts';
import {
  conditionOf,
  createAcc,
  decode,
  deleteAcc,
  eventually,
  getAcc,
  getSecret,
  operatorFixture,
  patchAcc,
  sleep,
  waitReady,
} from '../support/operator-harness.ts';

const PAUSED = 'identity.datahub.dev/paused';
// A short resync: were pausing broken, the periodic re-read would write within the quiet period.
const f = operatorFixture('pause', { args: ['--resync-interval=2s', '--propagation-window=3s'] });

/** Data Hub writes (create, update, delete) so far. */
const writes = (): number => f.sim.requests.count({ method: 'POST', route: ROUTES.collection }) + f.sim.requests.count({ method: 'PUT' }) + f.sim.requests.count({ method: 'DELETE' });

async function readyThenPaused(name: string): Promise<{ clientId: string }> {
  await createAcc(f.ns, name, { displayName: `${name} v1`, redirectUris: [`https://${name}.example.com/cb`] });
  const ready = await waitReady(f.ns, name);
  await patchAcc(f.ns, name, { metadata: { annotations: { [PAUSED]: 'true' } } });
  await eventually('Paused=True', async () => conditionOf(await getAcc(f.ns, name), 'Paused')?.status === 'True');
  return { clientId: ready.status?.clientId ?? '' };
}

describe('pausing a Ready object', () => {
  it('an edit while paused writes nothing; Paused=True; unpausing applies it', async () => {
    const name = 'edit';
    const { clientId } = await readyThenPaused(name);
    const clientBefore = f.sim.clients.get(clientId);
    const secretBefore = await getSecret(f.ns, name);
    const writesBefore = writes();

    const edited = await patchAcc(f.ns, name, { spec: { displayName: `${name} v2`, redirectUris: [`https://${name}.example.com/new-cb`] } });
    // A portal edit too: with driftPolicy Enforce it would be put back at the next resync.
    f.sim.clients.set({ ...clientBefore, Id: clientId, Name: 'edited in the portal' });
    const portal = f.sim.clients.get(clientId);
    await sleep(5_000); // two resync intervals and the edit's own reconcile

    const paused = await getAcc(f.ns, name);
    expect(conditionOf(paused, 'Paused')).toMatchObject({ status: 'True', reason: 'PausedByAnnotation' });
    expect(paused?.status?.observedGeneration).toBeLessThan(edited.metadata.generation ?? 0);
    expect(writes()).toBe(writesBefore);
    expect(f.sim.clients.get(clientId)).toEqual(portal);
    expect((await getSecret(f.ns, name))?.metadata.resourceVersion).toBe(secretBefore?.metadata.resourceVersion);

    await patchAcc(f.ns, name, { metadata: { annotations: { [PAUSED]: null } } });
    const resumed = await waitReady(f.ns, name);
    expect(resumed.status?.observedGeneration).toBe(edited.metadata.generation);
    expect(conditionOf(resumed, 'Paused')).toBeUndefined();
    expect(f.sim.clients.get(clientId)).toMatchObject({ Name: `${name} v2`, RedirectUris: [`https://${name}.example.com/new-cb`] });
    expect(decode(await eventually('the Secret updated', async () => {
      const s = await getSecret(f.ns, name);
      return decode(s).redirectUri === `https://${name}.example.com/new-cb` ? s : undefined;
    }, 30_000)).clientId).toBe(clientId);
  });

  it('a deletion while paused waits and deletes nothing in Data Hub; unpausing completes it', async () => {
    const name = 'delete';
    const { clientId } = await readyThenPaused(name);
    const writesBefore = writes();

    await deleteAcc(f.ns, name);
    await sleep(5_000);
    const waiting = await getAcc(f.ns, name);
    expect(waiting?.metadata.deletionTimestamp).toBeDefined();
    expect(conditionOf(waiting, 'Paused')?.status).toBe('True');
    expect(writes()).toBe(writesBefore);
    expect(f.sim.clients.get(clientId)).toBeDefined();
    expect(await getSecret(f.ns, name)).toBeDefined();

    await patchAcc(f.ns, name, { metadata: { annotations: { [PAUSED]: null } } });
    await eventually('object gone', async () => (await getAcc(f.ns, name)) === undefined, 30_000);
    expect(f.sim.clients.get(clientId)).toBeUndefined(); // deletionPolicy Delete, now honoured
    expect(f.sim.requests.count({ method: 'DELETE' })).toBe(1);
  });
});
