// Reads a connection's credential from its Secret (one GET of exactly that Secret, in the connection's
// own namespace for a DataHubConnection): the client id and secret under the keys the spec names. A
// missing Secret or key, or a Secret the operator may not read, is reported by name; never a value.
import type { Secret } from '../api/objects.ts';
import type { DataHubCredential } from '../datahub/index.ts';
import { KubeApiError } from '../kube/kube-http.ts';

export interface CredentialLocation {
  namespace: string;
  name: string;
  clientIdKey: string;
  clientSecretKey: string;
}

export type CredentialRead = { kind: 'found'; credential: DataHubCredential } | { kind: 'missing'; message: string; forbidden: boolean };

export async function readCredential(getSecret: (namespace: string, name: string) => Promise<Secret | undefined>, at: CredentialLocation): Promise<CredentialRead> {
  const where = `Secret "${at.namespace}/${at.name}"`;
  let secret: Secret | undefined;
  try {
    secret = await getSecret(at.namespace, at.name);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 403) {
      return { kind: 'missing', forbidden: true, message: `cannot read ${where}: the operator may not read Secrets there (RBAC); grant it get, list and watch on Secrets in namespace "${at.namespace}"` };
    }
    throw err;
  }
  if (!secret) return { kind: 'missing', forbidden: false, message: `cannot read the Data Hub credential: ${where} does not exist; create it with the keys ${at.clientIdKey} and ${at.clientSecretKey}` };
  const value = (key: string): string => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8').trim();
  const missing = [at.clientIdKey, at.clientSecretKey].filter((k) => value(k) === '');
  if (missing.length > 0) {
    return { kind: 'missing', forbidden: false, message: `cannot read the Data Hub credential: ${where} has no ${missing.map((k) => `"${k}"`).join(' or ')} key (or it is empty)` };
  }
  return { kind: 'found', credential: { clientId: value(at.clientIdKey), clientSecret: value(at.clientSecretKey) } };
}
