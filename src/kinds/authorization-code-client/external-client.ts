// The AuthorizationCodeClient's external client: observe, create, update and delete its Data Hub
// client in the connection's AuthorizationCodeClients collection, every call through the gateway
// calls it was given (the connection's shared budget).
import type { GatewayCalls } from '../../connections/gateway.ts';
import type { AuthorizationCodeClient as RemoteClient, AuthorizationCodeClients } from '../../datahub/index.ts';
import type { ExternalClient } from '../../engine/kind.ts';
import { createBody, updateBody, type DesiredClient } from './desired-client.ts';

/** The calls of the collection this client makes (a seam for unit-test fakes). */
export type AuthorizationCodeClientCalls = Pick<AuthorizationCodeClients, 'get' | 'getMany' | 'create' | 'update' | 'delete'>;

export class AuthorizationCodeClientExternal implements ExternalClient<DesiredClient, RemoteClient> {
  private readonly collection: AuthorizationCodeClientCalls;
  private readonly calls: GatewayCalls;

  constructor(collection: AuthorizationCodeClientCalls, calls: GatewayCalls) {
    this.collection = collection;
    this.calls = calls;
  }

  observe(id: string): Promise<RemoteClient | undefined> {
    return this.calls.run(() => this.collection.get(id));
  }

  observeMany(ids: string[]): Promise<Map<string, RemoteClient>> {
    return this.calls.run(() => this.collection.getMany(ids));
  }

  create(desired: DesiredClient): Promise<RemoteClient> {
    return this.calls.run(() => this.collection.create(createBody(desired)));
  }

  update(desired: DesiredClient): Promise<RemoteClient> {
    return this.calls.run(() => this.collection.update(desired.Id, updateBody(desired)));
  }

  delete(id: string): Promise<void> {
    return this.calls.run(() => this.collection.delete(id));
  }
}
