// The external client of a secret-bearing kind: observe, create, update and delete its Data Hub
// client, every call through the gateway calls it was given (the connection's shared budget). The
// create sends the first secret planned by desired() and hands its answer on with the plaintext,
// which the rotation step writes to the Secret; nothing here keeps it.
import type { Clock } from '../../clock.ts';
import type { GatewayCalls } from '../../connections/gateway.ts';
import type { Created, FirstSecretFields } from '../../datahub/index.ts';
import type { ExternalClient } from '../../engine/kind.ts';
import type { FirstSecretPlans } from './first-secret.ts';

/** The calls of a client collection this client makes (a seam for unit-test fakes). */
export interface SecretClientCalls<R, C, U> {
  get(id: string): Promise<R | undefined>;
  getMany(ids: readonly string[]): Promise<Map<string, R>>;
  create(body: C): Promise<Created<R>>;
  update(id: string, body: U): Promise<R>;
  delete(id: string): Promise<void>;
}

export interface SecretClientBodies<D, C, U> {
  create(desired: D, first: FirstSecretFields): C;
  update(desired: D): U;
}

export class SecretClientExternal<D extends { Id: string }, R, C, U> implements ExternalClient<D, R | Created<R>> {
  private readonly collection: SecretClientCalls<R, C, U>;
  private readonly calls: GatewayCalls;
  private readonly bodies: SecretClientBodies<D, C, U>;
  private readonly plans: FirstSecretPlans<D>;
  private readonly clock: Clock;

  constructor(collection: SecretClientCalls<R, C, U>, calls: GatewayCalls, bodies: SecretClientBodies<D, C, U>, plans: FirstSecretPlans<D>, clock: Clock) {
    this.collection = collection;
    this.calls = calls;
    this.bodies = bodies;
    this.plans = plans;
    this.clock = clock;
  }

  observe(id: string): Promise<R | undefined> {
    return this.calls.run(() => this.collection.get(id));
  }

  observeMany(ids: string[]): Promise<Map<string, R>> {
    return this.calls.run(() => this.collection.getMany(ids));
  }

  create(desired: D): Promise<Created<R>> {
    return this.calls.run(() => this.collection.create(this.bodies.create(desired, this.plans.fields(desired, this.clock.now()))));
  }

  update(desired: D): Promise<R> {
    return this.calls.run(() => this.collection.update(desired.Id, this.bodies.update(desired)));
  }

  delete(id: string): Promise<void> {
    return this.calls.run(() => this.collection.delete(id));
  }
}
