// What the integration tests of the secret-bearing kinds (ClientCredentialsClient, HybridClient)
// share on the shared cluster: their object helpers, waiting for a condition of any kind, and asking
// the simulator's token endpoint whether a client secret really works (a token, not a string match).
import type { Simulator } from '../../src/simulator/index.ts';
import { gitopsHealth } from '../gitops-health/gitops-health.ts';
import { cluster } from './operator-harness.ts';
import { cccsOn, conditionOf, hcsOn, type Ccc, type CustomObject, type Hc, type Objects } from './objects.ts';
import { eventually } from './wait.ts';

export async function cccs(): Promise<Objects<Ccc>> {
  return cccsOn((await cluster()).kc);
}

export async function hcs(): Promise<Objects<Hc>> {
  return hcsOn((await cluster()).kc);
}

/** Waits until the object has the condition for its current generation, and returns it. */
export function waitFor<T extends CustomObject>(objects: Objects<T>, namespace: string, name: string, type: string, status: string, reason?: string, timeoutMs = 60_000): Promise<T> {
  return eventually(
    `${namespace}/${name} ${type}=${status}${reason ? ` (${reason})` : ''}`,
    async () => {
      const obj = await objects.get(namespace, name);
      const c = conditionOf(obj, type);
      const current = obj?.status?.observedGeneration === obj?.metadata.generation;
      return current && c?.status === status && (reason === undefined || c.reason === reason) ? obj : undefined;
    },
    timeoutMs,
  );
}

export function waitObjectReady<T extends CustomObject>(objects: Objects<T>, namespace: string, name: string, timeoutMs = 60_000): Promise<T> {
  return waitFor(objects, namespace, name, 'Ready', 'True', undefined, timeoutMs);
}

/** The token endpoint's answer for a client id and secret: the HTTP status and the OAuth error, if any. */
export async function tokenFor(sim: Simulator, clientId: string, clientSecret: string): Promise<{ status: number; error?: string }> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  const res = await fetch(`${sim.url}/identity/connect/token`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const json = (await res.json()) as { error?: string };
  return { status: res.status, ...(json.error !== undefined && { error: json.error }) };
}

/**
 * Whether a hybrid client's secret is alive: Data Hub authenticates it at the token endpoint but
 * refuses the client-credentials grant to a hybrid client (unauthorized_client); a deleted or
 * expired secret is invalid_client. (A hybrid client signs users in; the grant is what a test can send.)
 */
export async function hybridSecretAccepted(sim: Simulator, clientId: string, clientSecret: string): Promise<boolean> {
  const answer = await tokenFor(sim, clientId, clientSecret);
  if (answer.error !== 'unauthorized_client' && answer.error !== 'invalid_client') throw new Error(`unexpected token endpoint answer for a hybrid client: ${answer.status} ${answer.error ?? ''}`);
  return answer.error === 'unauthorized_client';
}

/** What Argo CD (deploy/argocd, its own code) and kstatus (cli-utils and Flux's fork) say about a live object. */
export async function gitopsVerdict(obj: CustomObject): Promise<{ argocd: string | undefined; kstatus: string; flux: string }> {
  const [h] = await gitopsHealth([obj]);
  if (!h) throw new Error('cannot compute the GitOps health: no result');
  return { argocd: h.argocd?.status, kstatus: h.kstatus.status, flux: h.fluxKstatus.status };
}
