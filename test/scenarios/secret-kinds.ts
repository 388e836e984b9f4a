// The two secret-bearing kinds (ClientCredentialsClient, HybridClient) as the secret scenarios and
// benchmarks see them: their kind refs for the generic object helper, small specs, the simulator
// table and routes of each, and the Secret's keys. Only what the scenarios share; no checks here.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClientCredentialsClient, HybridClient } from '../../src/api/types.generated.ts';
import { ROUTES, type Simulator } from '../../src/simulator/index.ts';
import type { SecretClientTable } from '../../src/simulator/secret-clients.ts';
import { Objects, type KindRef } from '../support/objects.ts';

export const CLIENT_CREDENTIALS_CLIENTS: KindRef = { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'ClientCredentialsClient', plural: 'clientcredentialsclients' };
export const HYBRID_CLIENTS: KindRef = { apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'HybridClient', plural: 'hybridclients' };

export type SecretKindName = 'ClientCredentialsClient' | 'HybridClient';
export type SecretBearer = ClientCredentialsClient | HybridClient;

/** The Secret keys of design §2 the scenarios read. */
export const SECRET_KEYS = { clientId: 'clientId', clientSecret: 'clientSecret', tokenUrl: 'tokenUrl', expiresAt: 'secretExpiresAt' } as const;
/** The annotation that asks for a rotation now (design §2). */
export const ROTATE_REQUESTED_AT = 'identity.datahub.dev/rotate-requested-at';

export interface SecretKind {
  name: SecretKindName;
  ref: KindRef;
  /** Short prefix of object names of this kind in a scenario. */
  prefix: string;
  /** Data Hub routes of this kind: client create, secret add, secret delete. */
  routes: { create: string; item: string; secrets: string; secret: string };
  /** The simulator's table of this kind's clients (direct state access: no auth, no faults). */
  table(sim: Simulator): SecretClientTable<{ Id: string; Name?: string | null }>;
  /** A minimal valid spec (plus the rotation settings given). */
  spec(name: string, secretRotation?: Record<string, string>): Record<string, unknown>;
}

export const CCC: SecretKind = {
  name: 'ClientCredentialsClient',
  ref: CLIENT_CREDENTIALS_CLIENTS,
  prefix: 'cc',
  routes: { create: ROUTES.clientCredentialClients, item: ROUTES.clientCredentialClient, secrets: ROUTES.clientCredentialClientSecrets, secret: ROUTES.clientCredentialClientSecret },
  table: (sim) => sim.tenant().clientCredentialClients,
  spec: (_name, secretRotation) => ({ ...(secretRotation ? { secretRotation } : {}) }),
};

export const HC: SecretKind = {
  name: 'HybridClient',
  ref: HYBRID_CLIENTS,
  prefix: 'hc',
  routes: { create: ROUTES.hybridClients, item: ROUTES.hybridClient, secrets: ROUTES.hybridClientSecrets, secret: ROUTES.hybridClientSecret },
  table: (sim) => sim.tenant().hybridClients,
  spec: (name, secretRotation) => ({ redirectUris: [`https://${name}.example.com/callback`], ...(secretRotation ? { secretRotation } : {}) }),
};

export const SECRET_KINDS: readonly SecretKind[] = [CCC, HC];

export function secretBearersOn(kc: KubeConfig, kind: SecretKind): Objects<SecretBearer> {
  return new Objects<SecretBearer>(kc, kind.ref);
}

export function kindOf(name: string): SecretKind {
  const k = SECRET_KINDS.find((x) => x.name === name);
  if (!k) throw new Error(`cannot find secret kind "${name}": expected ${SECRET_KINDS.map((x) => x.name).join(' or ')}`);
  return k;
}

/** A Secret's data as strings (here rather than the harness's, so the benchmarks can use it outside vitest). */
export function decodeSecret(secret: { data?: Record<string, string> } | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}
