// What the integration tests of the secret-bearing kinds (ClientCredentialsClient, HybridClient)
// share on the shared cluster: their object helpers, waiting for a condition of any kind, and asking
// the simulator's token endpoint whether a client secret really works (a token, not a string match).
import type { Simulator } from '../../src/simulator/index.ts';
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
