// Everything a running simulator remembers, in one object shared by the request pipeline and the
// inspection API: clients, tokens, faults, the request log and the run-time-adjustable settings.
// No HTTP here.
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock.ts';
import { FaultController, seededRandom } from './faults.ts';
import {
  DEFAULT_CREDENTIALS,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_RECENT_REQUESTS,
  DEFAULT_TENANT_ID,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  type SimulatorCredential,
  type SimulatorOptions,
} from './options.ts';
import { RequestLog } from './request-log.ts';
import { TokenStore } from './routes-token.ts';
import { ClientStore } from './store.ts';

export class SimulatorState {
  readonly clock: Clock;
  readonly tenantId: string;
  readonly credentials: readonly SimulatorCredential[];
  readonly invalidClientStatus: 400 | 401;
  readonly clients = new ClientStore();
  readonly tokens: TokenStore;
  readonly faults: FaultController;
  readonly requests: RequestLog;
  /** Adjustable at run time (PATCH /_simulator/config), e.g. a low limit for a test. */
  maxClients: number;
  readonly generateId: () => string = () => randomUUID();

  constructor(options: SimulatorOptions) {
    this.clock = options.clock ?? systemClock;
    this.tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
    this.credentials = options.credentials ?? DEFAULT_CREDENTIALS;
    if (this.credentials.length === 0) throw new Error('the simulator needs at least one credential');
    this.invalidClientStatus = options.invalidClientStatus ?? 400;
    this.maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;
    this.tokens = new TokenStore(this.clock, options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS);
    const random = options.seed !== undefined ? seededRandom(options.seed) : Math.random;
    this.faults = new FaultController(this.clock, random, options.faults);
    this.requests = new RequestLog(options.recentRequests ?? DEFAULT_RECENT_REQUESTS);
  }

  /** Clients, request log and faults back to how the simulator started. Issued tokens stay valid. */
  reset(): void {
    this.clients.clear();
    this.requests.reset();
    this.faults.restoreInitial();
  }
}
