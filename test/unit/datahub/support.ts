// Test fixture: a real in-process simulator on 127.0.0.1:0 and a DataHubClient pointed at it with its
// own undici Agent, plus a collector of every error message so tests can assert no secret leaks.
import { randomUUID } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { DataHubClient, type DataHubClientOptions } from '../../../src/datahub/client.ts';
import type { DataHubCredential } from '../../../src/datahub/types.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/server.ts';
import type { SimulatorOptions } from '../../../src/simulator/options.ts';
import type { StoredClient } from '../../../src/simulator/store.ts';

export const ADMIN: DataHubCredential = { clientId: 'test-admin-client', clientSecret: 'test-admin-secret-0123456789' };
export const READONLY: DataHubCredential = { clientId: 'test-readonly-client', clientSecret: 'test-readonly-secret-0123456789' };

export interface Fixture {
  sim: Simulator;
  client: DataHubClient;
  agent: Agent;
  /** Every bearer token the client sent (captured by an interceptor), to prove none leaks into errors. */
  tokensSent: Set<string>;
  requests: { method: string; route: string; status: number | 'error'; durationMs: number }[];
  credentialCalls: () => number;
  makeClient(extra?: Partial<DataHubClientOptions>): DataHubClient;
  close(): Promise<void>;
}

export async function setup(simOptions: SimulatorOptions = {}, clientOptions: Partial<DataHubClientOptions> = {}): Promise<Fixture> {
  const sim = await startSimulator({
    credentials: [
      { clientId: ADMIN.clientId, clientSecret: ADMIN.clientSecret, roles: ['Tenant Administrator', 'Tenant Member'] },
      { clientId: READONLY.clientId, clientSecret: READONLY.clientSecret, roles: ['Tenant Member'] },
    ],
    ...simOptions,
  });
  const agent = new Agent({ keepAliveTimeout: 1000 });
  const tokensSent = new Set<string>();
  const dispatcher: Dispatcher = agent.compose((dispatch) => (opts, handler) => {
    const headers = opts.headers as Record<string, string> | undefined;
    const auth = headers?.['authorization'];
    if (auth?.startsWith('Bearer ')) tokensSent.add(auth.slice('Bearer '.length));
    return dispatch(opts, handler);
  });
  const requests: Fixture['requests'] = [];
  let calls = 0;
  const makeClient = (extra: Partial<DataHubClientOptions> = {}): DataHubClient =>
    new DataHubClient({
      baseUrl: sim.url,
      tenantId: sim.tenantId,
      credential: () => {
        calls += 1;
        return Promise.resolve(ADMIN);
      },
      dispatcher,
      requestTimeoutMs: 5_000,
      onRequest: (m) => requests.push(m),
      ...clientOptions,
      ...extra,
    });
  return {
    sim,
    agent,
    tokensSent,
    requests,
    client: makeClient(),
    credentialCalls: () => calls,
    makeClient,
    close: async () => {
      // destroy, not close: close() would wait for requests a test left hanging on injected latency.
      await agent.destroy();
      await sim.close();
    },
  };
}

export function newClient(overrides: Partial<StoredClient> = {}): StoredClient {
  return {
    Id: randomUUID(),
    Name: 'planted',
    Enabled: true,
    AccessTokenLifetime: 3600,
    Tags: [],
    RedirectUris: ['https://app.example.com/callback'],
    PostLogoutRedirectUris: [],
    ClientUri: null,
    LogoUri: null,
    AllowedCorsOrigins: [],
    AllowOfflineAccess: false,
    ...overrides,
  };
}

/** Awaits a promise that must reject, and returns the rejection. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
