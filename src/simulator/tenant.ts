// One simulated tenant: its clients of every type (with their secrets), its roles, its credentials
// and its own faults. Data and small rules only (what counts toward the client limit, which client
// owns secrets); HTTP, auth and the cross-tenant rules live elsewhere.
import type { Clock } from '../clock.ts';
import { FaultController, type FaultSettingsInput } from './faults.ts';
import { RoleStore, type RoleChange } from './roles.ts';
import { CcClientStore, HybridClientStore, type SecretClientTable } from './secret-clients.ts';
import { expireNow, toSecretInfo, type SecretInfo } from './secrets.ts';
import { ClientStore } from './store.ts';
import type { SimulatorCredential } from './options.ts';

/** `sim.tenant(id).secrets(clientId)`: a client's secrets as a test sees them (never a plaintext, except once from add). */
export interface ClientSecretsView {
  list(): SecretInfo[];
  get(secretId: number): SecretInfo | undefined;
  /** Adds a secret as a person in the portal would (any description, no limit). Returns its plaintext once. */
  add(input?: { Description?: string | null; Expiration?: number | Date | null; Secret?: string }): { secret: SecretInfo; plaintext: string };
  /** Out-of-band delete. */
  delete(secretId: number): boolean;
  /** Sets the expiration one second in the past: the secret no longer gets a token. */
  expireNow(secretId: number): boolean;
}

export interface TenantSetup {
  id: string;
  credentials: readonly SimulatorCredential[];
  faults?: FaultSettingsInput | undefined;
  communityAdministratorRole: boolean;
  clock: Clock;
  random: () => number;
}

export class TenantState {
  readonly id: string;
  readonly authorizationCodeClients = new ClientStore();
  readonly clientCredentialClients = new CcClientStore();
  readonly hybridClients = new HybridClientStore();
  readonly roles: RoleStore;
  readonly faults: FaultController;
  private readonly clock: Clock;
  private readonly startCredentials: readonly SimulatorCredential[];
  private creds: SimulatorCredential[];

  constructor(setup: TenantSetup) {
    this.id = setup.id;
    this.clock = setup.clock;
    this.roles = new RoleStore(setup.id, setup.communityAdministratorRole);
    this.faults = new FaultController(setup.clock, setup.random, setup.faults);
    this.startCredentials = setup.credentials.map((c) => ({ ...c, roles: [...c.roles] }));
    this.creds = [...this.startCredentials];
  }

  get credentials(): readonly SimulatorCredential[] {
    return this.creds;
  }

  /** Adds or replaces a credential (by client id). Uniqueness across tenants is the caller's check. */
  setCredential(c: SimulatorCredential): void {
    this.creds = [...this.creds.filter((x) => x.clientId !== c.clientId), { ...c, roles: [...c.roles] }];
  }

  removeCredential(clientId: string): boolean {
    const before = this.creds.length;
    this.creds = this.creds.filter((c) => c.clientId !== clientId);
    return this.creds.length < before;
  }

  /** What Data Hub's 50,000 limit counts: clients of every type. */
  get clientCount(): number {
    return this.authorizationCodeClients.size + this.clientCredentialClients.size + this.hybridClients.size;
  }

  /** A client of any type, or a credential, has this Id. */
  hasClient(id: string): boolean {
    const lower = id.toLowerCase();
    return (
      this.authorizationCodeClients.has(id) ||
      this.clientCredentialClients.has(id) ||
      this.hybridClients.has(id) ||
      this.creds.some((c) => c.clientId.toLowerCase() === lower)
    );
  }

  /** The table of the secret-carrying client with this Id (client credential first, then hybrid). */
  secretTable(clientId: string): SecretClientTable<{ Id: string }> | undefined {
    if (this.clientCredentialClients.has(clientId)) return this.clientCredentialClients;
    if (this.hybridClients.has(clientId)) return this.hybridClients;
    return undefined;
  }

  /** The secrets of a client credential or hybrid client. Throws if there is no such client. */
  secrets(clientId: string): ClientSecretsView {
    const table = this.secretTable(clientId);
    if (!table) throw new Error(`cannot find client "${clientId}" with secrets in simulator tenant "${this.id}"`);
    const books = table.secrets;
    const now = (): number => this.clock.now();
    return {
      list: () => books.list(clientId).map((s) => toSecretInfo(s, now())),
      get: (secretId) => {
        const s = books.get(clientId, secretId);
        return s ? toSecretInfo(s, now()) : undefined;
      },
      add: (input = {}) => {
        const e = input.Expiration;
        const Expiration = e === undefined || e === null ? null : e instanceof Date ? e.getTime() : e;
        const { secret, plaintext } = books.add(clientId, { Description: input.Description ?? null, Expiration, ...(input.Secret !== undefined ? { Secret: input.Secret } : {}) }, now());
        return { secret: toSecretInfo(secret, now()), plaintext };
      },
      delete: (secretId) => books.delete(clientId, secretId),
      expireNow: (secretId) => {
        const s = books.get(clientId, secretId);
        if (s) expireNow(s, now());
        return s !== undefined;
      },
    };
  }

  /** Deletes a custom role; it leaves every client credential client that had it. */
  deleteRole(id: string): RoleChange {
    const r = this.roles.delete(id);
    if (!r.ok) return r;
    const table = this.clientCredentialClients;
    for (const c of table.filter((x) => x.RoleIds.some((i) => i.toLowerCase() === r.role.Id.toLowerCase()))) {
      table.put({ ...c, RoleIds: c.RoleIds.filter((i) => i.toLowerCase() !== r.role.Id.toLowerCase()) });
    }
    return r;
  }

  /** Clients, secrets and custom roles gone; start-time credentials and faults back. */
  reset(): void {
    this.authorizationCodeClients.clear();
    this.clientCredentialClients.clear();
    this.hybridClients.clear();
    this.roles.reset();
    this.creds = [...this.startCredentials];
    this.faults.restoreInitial();
  }
}
