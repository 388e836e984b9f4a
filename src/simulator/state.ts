// Everything a running simulator remembers, in one object shared by the request pipeline and the
// inspection API: the tenants (clients, secrets, roles, credentials, faults of each), tokens, the
// faults of every tenant, the request log and the run-time-adjustable settings. Also the rules that
// span tenants: which client Ids are taken, and who a client_id + client_secret is. No HTTP here.
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock.ts';
import { FaultController, seededRandom } from './faults.ts';
import {
  DEFAULT_CREDENTIALS,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_RECENT_REQUESTS,
  DEFAULT_TENANT_ID,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  ROLE_TENANT_MEMBER,
  type ClientIdScope,
  type MemberRolePolicy,
  type SimulatorCredential,
  type SimulatorOptions,
  type SimulatorTenantOptions,
} from './options.ts';
import { RequestLog } from './request-log.ts';
import { BUILT_IN_ROLE_NAMES } from './roles.ts';
import { TokenStore, type ClientAuthentication } from './routes-token.ts';
import { isExpired } from './secrets.ts';
import { TenantState } from './tenant.ts';
import type { ClientStore } from './store.ts';

export class SimulatorState {
  readonly clock: Clock;
  readonly invalidClientStatus: 400 | 401;
  readonly tokens: TokenStore;
  /** Faults of every tenant (each tenant also has its own: `tenant.faults`). */
  readonly faults: FaultController;
  readonly requests: RequestLog;
  readonly defaultTenant: TenantState;
  /** Adjustable at run time (PATCH /_simulator/config), e.g. a low limit for a test. Applies to each tenant. */
  maxClients: number;
  multiStatus: boolean;
  memberRole: MemberRolePolicy;
  readonly clientIdScope: ClientIdScope;
  readonly communityAdministratorRole: boolean;
  readonly generateId: () => string = () => randomUUID();
  private readonly random: () => number;
  private readonly byId = new Map<string, TenantState>();
  private readonly startTenants: readonly SimulatorTenantOptions[];

  constructor(options: SimulatorOptions) {
    this.clock = options.clock ?? systemClock;
    this.invalidClientStatus = options.invalidClientStatus ?? 400;
    this.maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;
    this.multiStatus = options.multiStatus ?? true;
    this.memberRole = options.memberRole ?? 'add';
    this.clientIdScope = options.clientIdScope ?? 'global';
    this.communityAdministratorRole = options.communityAdministratorRole ?? false;
    this.tokens = new TokenStore(this.clock, options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS);
    this.random = options.seed !== undefined ? seededRandom(options.seed) : Math.random;
    this.faults = new FaultController(this.clock, this.random, options.faults);
    this.requests = new RequestLog(options.recentRequests ?? DEFAULT_RECENT_REQUESTS);
    const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
    this.startTenants = options.tenants ?? [];
    const all = [...credentials, ...this.startTenants.flatMap((t) => t.credentials ?? [])];
    if (all.length === 0) throw new Error('the simulator needs at least one credential');
    this.defaultTenant = this.addTenant({ id: options.tenantId ?? DEFAULT_TENANT_ID, credentials, ...(options.tenantFaults ? { faults: options.tenantFaults } : {}) });
    for (const t of this.startTenants) this.addTenant(t);
  }

  get tenantId(): string {
    return this.defaultTenant.id;
  }

  /** The default tenant's authorization code clients. */
  get clients(): ClientStore {
    return this.defaultTenant.authorizationCodeClients;
  }

  /** The default tenant's credentials. */
  get credentials(): readonly SimulatorCredential[] {
    return this.defaultTenant.credentials;
  }

  tenant(id: string): TenantState | undefined {
    return this.byId.get(id.toLowerCase());
  }

  tenants(): TenantState[] {
    return [...this.byId.values()];
  }

  /** Adds a tenant. Throws (one-line message) on a taken tenant id or a credential id in use. */
  addTenant(t: SimulatorTenantOptions): TenantState {
    if (t.id.trim() === '') throw new Error('cannot add a simulator tenant: the id is empty');
    if (this.byId.has(t.id.toLowerCase())) throw new Error(`cannot add simulator tenant "${t.id}": it exists`);
    const credentials = t.credentials ?? [];
    for (const c of credentials) this.checkCredential(t.id, c, credentials);
    const tenant = new TenantState({ id: t.id, credentials, faults: t.faults, communityAdministratorRole: this.communityAdministratorRole, clock: this.clock, random: this.random });
    this.byId.set(t.id.toLowerCase(), tenant);
    return tenant;
  }

  /** Removes a tenant other than the default one. Its tokens then meet a tenant that does not exist (404). */
  removeTenant(id: string): boolean {
    const t = this.tenant(id);
    if (!t || t === this.defaultTenant) return false;
    return this.byId.delete(id.toLowerCase());
  }

  /** Adds or replaces a credential of a tenant. Throws if the client id is used elsewhere. */
  setCredential(tenant: TenantState, c: SimulatorCredential): void {
    this.checkCredential(tenant.id, c, tenant.credentials.filter((x) => x.clientId === c.clientId));
    tenant.setCredential(c);
  }

  /** Whether a new client with this Id in this tenant would be a duplicate (409). */
  clientIdTaken(tenant: TenantState, id: string): boolean {
    if (this.clientIdScope === 'tenant') return tenant.hasClient(id);
    return this.tenants().some((t) => t.hasClient(id));
  }

  /** The tenant a token request's client_id belongs to (for its faults and the request log). */
  tenantOfClient(clientId: string): TenantState | undefined {
    return this.tenants().find((t) => t.credentials.some((c) => c.clientId === clientId) || t.clientCredentialClients.has(clientId) || t.hybridClients.has(clientId));
  }

  /**
   * client_id + client_secret at the token endpoint: a credential of any tenant, or an enabled
   * ClientCredentialClient with a secret that exists and has not expired. A hybrid client's valid
   * secret is unauthorized_client (it may not use this grant).
   */
  authenticateClient(clientId: string, secret: string): ClientAuthentication {
    const now = this.clock.now();
    for (const t of this.tenants()) {
      const cred = t.credentials.find((c) => c.clientId === clientId);
      if (cred) return cred.clientSecret === secret ? { ok: true, subject: { clientId, tenantId: t.id, roles: [...cred.roles, ROLE_TENANT_MEMBER] } } : { ok: false, error: 'invalid_client' };
    }
    for (const t of this.tenants()) {
      const cc = t.clientCredentialClients.get(clientId);
      const s = cc ? t.clientCredentialClients.secrets.match(clientId, secret) : undefined;
      if (cc && s && cc.Enabled && !isExpired(s, now)) {
        const issued = (): void => {
          s.lastUsedAt = this.clock.now();
          s.tokensIssued += 1;
        };
        const roles = [...t.roles.namesOf(cc.RoleIds), ROLE_TENANT_MEMBER];
        return { ok: true, subject: { clientId: cc.Id, tenantId: t.id, roles, lifetimeSeconds: cc.AccessTokenLifetime }, issued };
      }
      const hybrid = t.hybridClients.get(clientId);
      const hs = hybrid ? t.hybridClients.secrets.match(clientId, secret) : undefined;
      if (hybrid && hs && hybrid.Enabled && !isExpired(hs, now)) return { ok: false, error: 'unauthorized_client' };
    }
    return { ok: false, error: 'invalid_client' };
  }

  /** Every tenant back to how the simulator started (run-time tenants removed), log and faults too. Issued tokens stay valid. */
  reset(): void {
    for (const t of this.tenants()) {
      if (t !== this.defaultTenant && !this.startTenants.some((s) => s.id.toLowerCase() === t.id.toLowerCase())) this.byId.delete(t.id.toLowerCase());
    }
    for (const s of this.startTenants) if (!this.byId.has(s.id.toLowerCase())) this.addTenant(s);
    for (const t of this.tenants()) t.reset();
    this.requests.reset();
    this.faults.restoreInitial();
  }

  private checkCredential(tenantId: string, c: SimulatorCredential, sameTenant: readonly SimulatorCredential[]): void {
    const where = `credential "${c.clientId}" of simulator tenant "${tenantId}"`;
    if (c.clientId.trim() === '' || c.clientSecret === '') throw new Error(`cannot add a credential of simulator tenant "${tenantId}": client id and secret must not be empty`);
    const unknown = c.roles.find((r) => !BUILT_IN_ROLE_NAMES.includes(r));
    if (unknown !== undefined) throw new Error(`cannot add ${where}: unknown role "${unknown}" (one of ${BUILT_IN_ROLE_NAMES.join(', ')})`);
    if (sameTenant.filter((x) => x.clientId === c.clientId).length > 1) throw new Error(`cannot add ${where}: the client id is given twice`);
    // The token endpoint knows only the client id, so a credential's id names one tenant.
    const other = this.tenants().find((t) => t.id.toLowerCase() !== tenantId.toLowerCase() && t.credentials.some((x) => x.clientId === c.clientId));
    if (other) throw new Error(`cannot add ${where}: tenant "${other.id}" has a credential with that client id`);
  }
}
