// The rotation step on small in-memory fakes of its own seams (the Secrets sub-collection, the
// Secret the engine writes, the status checkpoint, events): the first secret from the create,
// scheduled and requested rotation with the previous secret deleted after its grace, secrets made
// by people never touched, an orphan (made, then lost before a Secret held it) found by its mark and
// deleted, the status intent recorded before every add, the 10-secret limit, and the metrics.
import { describe, expect, it } from 'vitest';
import { Annotation } from '../../../../src/api/conditions.ts';
import type { Secret } from '../../../../src/api/objects.ts';
import { Connection } from '../../../../src/connections/connection.ts';
import { SharedBudget } from '../../../../src/connections/shared-budget.ts';
import { DataHubClient, DataHubError, type ClientSecret, type ClientSecretCreate, type IssuedSecret } from '../../../../src/datahub/index.ts';
import { TerminalError } from '../../../../src/engine/errors.ts';
import type { KindStepResult, StepContext } from '../../../../src/engine/kind.ts';
import type { RemoteResult } from '../../../../src/engine/remote-sync.ts';
import { SEALED_PREFIX, sealedDigest } from '../../../../src/engine/secret-seal.ts';
import type { EventSink } from '../../../../src/kube/event-recorder.ts';
import { RotationStep, type MaybeIssued, type SecretObject } from '../../../../src/kinds/client-secrets/rotation-step.ts';
import { secretDescription } from '../../../../src/kinds/client-secrets/secret-marks.ts';
import { FakeClock } from '../../../support/fake-clock.ts';

const UID = '11111111-2222-4333-8444-555555555555';
const CLIENT = 'c0ffee00-0000-4000-8000-000000000001';
const H = 3_600_000;

/** A client's secrets in Data Hub, in memory: Ids per client, plaintexts kept to check what a Secret holds. */
class FakeSecrets {
  readonly items: (ClientSecret & { plaintext: string })[] = [];
  private nextId = 1;
  calls: string[] = [];
  failAdd: Error | undefined;

  list(): Promise<ClientSecret[]> {
    this.calls.push('list');
    return Promise.resolve(this.items.map(({ plaintext: _p, ...s }) => s));
  }

  add(_client: string, body: ClientSecretCreate): Promise<IssuedSecret> {
    this.calls.push('add');
    if (this.failAdd) return Promise.reject(this.failAdd);
    return Promise.resolve(this.put(body.Description, body.Expiration));
  }

  delete(_client: string, id: number): Promise<void> {
    this.calls.push(`delete ${id}`);
    const i = this.items.findIndex((s) => s.Id === id);
    if (i >= 0) this.items.splice(i, 1);
    return Promise.resolve();
  }

  put(description: string, expiration: string): IssuedSecret {
    const s = { Id: this.nextId++, Description: description, Expiration: expiration, Expires: true, plaintext: `plain-${this.nextId}` };
    this.items.push(s);
    return { ...s };
  }
}

type Obj = SecretObject;
type Remote = { Id: string } & MaybeIssued;

/** The engine around the step, as far as the step sees it: status, the Secret (sealed), events. */
class World {
  readonly clock = new FakeClock();
  readonly secrets = new FakeSecrets();
  readonly events: { reason: string; message: string }[] = [];
  readonly checkpoints: Record<string, unknown>[] = [];
  readonly rotations: string[] = [];
  obj: Obj = { apiVersion: 'v', kind: 'ClientCredentialsClient', metadata: { name: 'svc', namespace: 'team-a', uid: UID, generation: 1 }, spec: { secretRotation: { validFor: '90h', gracePeriod: '1h' } } };
  secret: Secret | undefined;
  /** The plaintext the Secret holds (what an app would use). */
  held: string | undefined;
  readonly step = new RotationStep<Obj, object, Remote>({ kind: 'ClientCredentialsClient', secrets: () => this.secrets, metrics: { rotated: (_k, r) => this.rotations.push(r) } });
  private readonly connection: Connection;

  constructor() {
    const budget = new SharedBudget({ clock: this.clock, random: () => 0.5 });
    const dataHub = new DataHubClient({ baseUrl: 'http://127.0.0.1:9', tenantId: 't', credential: () => Promise.resolve({ clientId: 'x', clientSecret: 'y' }), clock: this.clock });
    this.connection = new Connection({ id: 'default', tenantId: 't', baseUrl: 'https://dh.example.com', instanceId: 'i', dataHub, budget });
  }

  /** One reconcile's step, then what the engine does with its result (Secret first, then status). */
  async run(remote: RemoteResult<Remote> = { action: 'unchanged', fields: [] }, forced = false): Promise<KindStepResult> {
    const events: EventSink = { normal: (_o, reason, message) => void this.events.push({ reason, message }), warning: () => undefined, resolved: () => undefined, forget: () => undefined };
    const ctx: StepContext<Obj, object, Remote> = {
      obj: this.obj,
      clientId: CLIENT,
      connection: this.connection,
      desired: {},
      remote,
      external: undefined as never,
      secret: this.secret,
      readSecret: () => Promise.resolve(this.secret),
      forced,
      now: this.clock.now(),
      events,
      checkpoint: (status) => {
        this.checkpoints.push(status);
        this.obj = { ...this.obj, status: { ...this.obj.status, ...status } };
        return Promise.resolve();
      },
    };
    const result = await this.step.run(ctx);
    this.write(result);
    return result;
  }

  write(result: KindStepResult): void {
    const sealed = result.sealed?.clientSecret;
    if (sealed && 'plaintext' in sealed) this.held = sealed.plaintext;
    const digest = sealedDigest(this.held ?? '');
    this.secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'svc', namespace: 'team-a', annotations: { [Annotation.sealed]: `clientSecret=${digest}`, ...result.secretAnnotations } },
      data: { clientSecret: SEALED_PREFIX + digest },
    };
    const status = Object.fromEntries(Object.entries({ ...this.obj.status, ...result.status }).filter(([, v]) => v !== undefined));
    this.obj = { ...this.obj, status };
  }

  /** The first reconcile: the create answered with the first secret. */
  async create(): Promise<void> {
    const first = this.step.firstDescription(this.obj);
    const issued = this.secrets.put(first.description, new Date(this.clock.now() + 90 * H).toISOString());
    await this.run({ action: 'created', fields: [], client: { Id: CLIENT, issuedSecret: issued } });
  }

  works(plaintext: string | undefined): boolean {
    return this.secrets.items.some((s) => s.plaintext === plaintext && Date.parse(s.Expiration!) > this.clock.now());
  }
}

const status = (w: World): Record<string, unknown> => w.obj.status as Record<string, unknown>;

describe('RotationStep', () => {
  it('writes the first secret from the create as it is, with no Data Hub call', async () => {
    const w = new World();
    await w.create();
    expect(w.secrets.calls).toEqual([]);
    expect(w.works(w.held)).toBe(true);
    expect(status(w)).toMatchObject({ currentSecret: { id: 1, sequence: 1, origin: 'Created' }, secretSequence: 1 });
    expect(w.secret?.metadata.annotations?.[Annotation.clientSecret]).toMatch(/^1\/1\/.+\/Created$/);
    // The next reconcile trusts the Secret: still no call, nothing new.
    const again = await w.run();
    expect(w.secrets.calls).toEqual([]);
    expect(again.sealed?.clientSecret).toEqual({ keep: true });
  });

  it('rotates rotateBefore (jittered earlier) the expiry, keeps the previous for the grace period, then deletes it', async () => {
    const w = new World();
    await w.create();
    const first = w.held;
    // rotateBefore defaults to a third of 90h = 30h; the jitter moves it up to 3h earlier.
    await w.clock.advance(90 * H - 33 * H - 1000);
    await w.run();
    expect(w.secrets.calls).toEqual([]);
    await w.clock.advance(3 * H + 2000);
    const r = await w.run();
    expect(w.checkpoints.at(-1)).toMatchObject({ pendingSecret: { sequence: 2 }, secretSequence: 2 });
    expect(w.secrets.calls).toEqual(['add']);
    expect(w.held).not.toBe(first);
    expect(w.works(w.held) && w.works(first)).toBe(true);
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 2, origin: 'Scheduled' }, previousSecret: { sequence: 1 } });
    expect(status(w).pendingSecret).toBeUndefined();
    expect(r.requeueAfterMs).toBeLessThanOrEqual(H);
    expect(w.events.map((e) => e.reason)).toEqual(['SecretRotated']);
    // The grace period (1h) ends: the previous secret goes.
    await w.clock.advance(H);
    await w.run();
    expect(w.secrets.calls.at(-1)).toBe('delete 1');
    expect(w.works(first)).toBe(false);
    expect(status(w).previousSecret).toBeUndefined();
    expect(w.events.map((e) => e.reason)).toEqual(['SecretRotated', 'PreviousSecretDeleted']);
    expect(w.rotations).toEqual(['success']);
  });

  it('a rotation that comes after the current secret expired (the operator was down) deletes the expired one too', async () => {
    const w = new World();
    await w.create();
    await w.clock.advance(90 * H + 1000); // past the first secret's expiry, no reconcile in between
    const r = await w.run();
    expect(w.secrets.calls).toEqual(['add']);
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 2 }, previousSecret: { sequence: 1 } });
    expect(r.requeueAfterMs).toBe(1_000);
    await w.clock.advance(1_000);
    await w.run();
    expect(w.secrets.calls).toEqual(['add', 'delete 1']);
    expect(w.secrets.items.map((x) => x.Id)).toEqual([2]);
    expect(status(w).previousSecret).toBeUndefined();
  });

  it('an expired secret the Secret still holds is kept until its replacement is written, even when the secrets are audited', async () => {
    const w = new World();
    await w.create();
    await w.clock.advance(90 * H + 1000);
    await w.run({ action: 'unchanged', fields: [] }, true); // forced: list the secrets first
    // Never deleted before the new one exists: the first call after the list is the add.
    expect(w.secrets.calls).toEqual(['list', 'add']);
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 2 }, previousSecret: { sequence: 1 } });
    await w.clock.advance(1_000);
    await w.run();
    expect(w.secrets.calls).toEqual(['list', 'add', 'delete 1']);
    expect(w.secrets.items.map((x) => x.Id)).toEqual([2]);
  });

  it('rotates at once on the annotation, and only once per value', async () => {
    const w = new World();
    await w.create();
    w.obj = { ...w.obj, metadata: { ...w.obj.metadata, annotations: { [Annotation.rotateRequestedAt]: 'now' } } };
    await w.run();
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 2, origin: 'Requested' }, lastHandledRotateAt: 'now' });
    await w.run();
    expect(w.secrets.calls.filter((c) => c === 'add')).toHaveLength(1);
  });

  it('never touches a secret made in the portal, and deletes an orphan of its own that no Secret holds', async () => {
    const w = new World();
    await w.create();
    const portal = w.secrets.put('added by Ann for the batch job', new Date(w.clock.now() + 900 * H).toISOString());
    // A crash after an add whose answer was never written: the intent is in status, the secret in Data Hub.
    const lost = w.secrets.put(secretDescription('ClientCredentialsClient', 'team-a', 'svc', UID, 2), new Date(w.clock.now() + 90 * H).toISOString());
    w.obj = { ...w.obj, status: { ...w.obj.status, pendingSecret: { sequence: 2, requestedAt: 'x' }, secretSequence: 2 } };
    await w.run();
    expect(w.secrets.calls).toEqual(['list', `delete ${lost.Id}`]);
    expect(w.secrets.items.map((s) => s.Id).sort()).toEqual([1, portal.Id]);
    expect(w.events.map((e) => e.reason)).toEqual(['OrphanSecretDeleted']);
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 1 } });
    expect(status(w).pendingSecret).toBeUndefined();
    // The next number is above the lost one: a sequence is never reused.
    w.obj = { ...w.obj, metadata: { ...w.obj.metadata, annotations: { [Annotation.rotateRequestedAt]: 'r' } } };
    await w.run();
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 3 } });
  });

  it('makes a new secret when the Secret lost its value, and keeps at most two of its own', async () => {
    const w = new World();
    await w.create();
    w.secret = undefined; // deleted by hand
    await w.run();
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 2, origin: 'Replaced' }, previousSecret: { sequence: 1 } });
    w.secret = undefined;
    await w.run();
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 3 }, previousSecret: { sequence: 2 } });
    expect(w.secrets.items.map((s) => s.Id)).toEqual([2, 3]);
  });

  it('is Stalled SecretLimitReached at 10 secrets, naming the ones it did not make, and adds nothing', async () => {
    const w = new World();
    for (let i = 0; i < 10; i++) w.secrets.put(`portal ${i}`, new Date(w.clock.now() + 900 * H).toISOString());
    const err = await w.run({ action: 'adopted', fields: [], client: { Id: CLIENT } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerminalError);
    expect((err as TerminalError).reason).toBe('SecretLimitReached');
    expect((err as Error).message).toMatch(/it has 10 secrets.*1 "portal 0"/);
    expect(w.secrets.calls).toEqual(['list']);
    w.secrets.items.splice(0, 1);
    await w.run({ action: 'unchanged', fields: [] }, true);
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 1, origin: 'Adopted' } });
    expect(w.events.at(-1)?.message).toMatch(/adopted Data Hub client/);
  });

  it('counts a failed add, and leaves the intent in status for the next reconcile', async () => {
    const w = new World();
    await w.create();
    w.secrets.failAdd = new Error('connection reset');
    w.obj = { ...w.obj, metadata: { ...w.obj.metadata, annotations: { [Annotation.rotateRequestedAt]: 'r' } } };
    await expect(w.run()).rejects.toThrow('connection reset');
    expect(w.rotations).toEqual(['failure']);
    expect(status(w)).toMatchObject({ pendingSecret: { sequence: 2 }, currentSecret: { sequence: 1 } });
    w.secrets.failAdd = undefined;
    await w.run();
    expect(w.secrets.calls).toContain('list'); // uncertain: audited first
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 3, origin: 'Requested' } });
  });

  it('an add Data Hub refused (429) made nothing: the retry adds without an audit; a restart audits again', async () => {
    const w = new World();
    await w.create();
    w.secrets.failAdd = new DataHubError({ kind: 'http', status: 429, operation: 'add a client secret to', target: CLIENT, detail: 'Too Many Requests' });
    w.obj = { ...w.obj, metadata: { ...w.obj.metadata, annotations: { [Annotation.rotateRequestedAt]: 'r' } } };
    await expect(w.run()).rejects.toThrow('Too Many Requests');
    expect(status(w)).toMatchObject({ pendingSecret: { sequence: 2 } });
    w.secrets.failAdd = undefined;
    w.secrets.calls = [];
    await w.clock.advance(120_000); // the budget's backoff after a 429
    await w.run();
    expect(w.secrets.calls).toEqual(['add']); // one request for the rotation, no list
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 3, origin: 'Requested' } });
    // A new process does not know the intent was refused: it audits (the safe default).
    const restarted = new World();
    restarted.obj = { ...w.obj, status: { ...w.obj.status, pendingSecret: { sequence: 4, requestedAt: 'x' } } };
    restarted.secret = w.secret;
    await restarted.run();
    expect(restarted.secrets.calls).toContain('list');
  });

  it('a client found again after a crash that lost the create answer is this object\'s own, not adopted', async () => {
    const w = new World();
    // The create went through (its first secret is marked with the object), its answer never arrived.
    w.secrets.put(w.step.firstDescription(w.obj).description, new Date(w.clock.now() + 90 * H).toISOString());
    const r = await w.run({ action: 'adopted', fields: [], client: { Id: CLIENT } });
    expect(r.createdEarlier).toBe(true);
    expect(status(w)).toMatchObject({ currentSecret: { sequence: 2, origin: 'Created' } });
    expect(w.secrets.items.map((s) => s.Id)).toEqual([2]); // the lost first secret: deleted as an orphan
    expect(w.events.map((e) => e.reason)).toEqual(['OrphanSecretDeleted', 'SecretRotated']);
    expect(w.events.at(-1)?.message).not.toMatch(/adopted/);
    // Someone else's client (no mark of this object) is adopted.
    const other = new World();
    const adopted = await other.run({ action: 'adopted', fields: [], client: { Id: CLIENT } });
    expect(adopted.createdEarlier).toBeUndefined();
    expect(status(other)).toMatchObject({ currentSecret: { origin: 'Adopted' } });
  });
});
