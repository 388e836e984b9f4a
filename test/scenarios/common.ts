// Shared by the reliability scenarios (the long files in test/reliability/ and their shortened CI
// versions in test/integration/reliability-*.test.ts): seeds, waiting for a fleet on any cluster
// (the shared one or a private one), the client-Id observer, the "one Data Hub client per object"
// verdict, crash checks on the operator's log, and figures printed for RELIABILITY.md. Objects are
// created and read with the kind-generic helper in test/support/objects.ts. Nothing here starts an
// operator or a cluster.
import type { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { derivedClientId } from '../../src/engine/identity.ts';
import { seededRandom } from '../../src/simulator/faults.ts';
import { ROUTES, type Simulator } from '../../src/simulator/index.ts';
import { kubeCall } from '../support/kube-admin.ts';
import { accsOn, conditionOf, isReady, type Acc } from '../support/objects.ts';
import type { OperatorProcess } from '../support/operator-harness.ts';
import { sleep } from '../support/wait.ts';

export { seededRandom };

/**
 * Seeds for a scenario: RELIABILITY_SEEDS=1,2,3 overrides the defaults, so a failing run can be
 * repeated exactly (every random choice in a scenario is drawn from a PRNG with that seed).
 */
export function seeds(defaults: number[]): number[] {
  const env = process.env.RELIABILITY_SEEDS;
  if (!env) return defaults;
  const parsed = env.split(',').map((s) => Number(s.trim()));
  if (parsed.some((n) => !Number.isInteger(n))) throw new Error(`cannot use RELIABILITY_SEEDS "${env}": expected comma-separated integers`);
  return parsed;
}

/** A uniform integer in [min, max] from the PRNG. */
export function between(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Prints a scenario's figures as one tagged JSON line (collected into RELIABILITY.md). */
export function report(scenario: string, figures: Record<string, unknown>): void {
  process.stderr.write(`[reliability] ${JSON.stringify({ scenario, ...figures })}\n`);
}

export const simpleSpec = (name: string): Record<string, unknown> => ({ redirectUris: [`https://${name}.example.com/callback`] });

/** Polls until every object in the namespace is Ready (and there are `count` of them); returns them. */
export async function waitAllReady(kc: KubeConfig, namespace: string, count: number, timeoutMs: number): Promise<Acc[]> {
  const deadline = Date.now() + timeoutMs;
  let last: Acc[] = [];
  for (;;) {
    try {
      last = await accsOn(kc).list(namespace);
      if (last.length === count && last.every(isReady)) return last;
    } catch {
      // the API server may be restarting: keep polling
    }
    if (Date.now() > deadline) {
      const notReady = last.filter((a) => !isReady(a)).slice(0, 5).map((a) => `${a.metadata.name}: ${JSON.stringify(conditionOf(a, 'Ready') ?? 'no status')}`);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${count} Ready objects in "${namespace}": ${last.filter(isReady).length}/${last.length} Ready; e.g. ${notReady.join('; ')}`);
    }
    await sleep(500);
  }
}

/**
 * Records every status.clientId ever seen per object, by polling the list (cheap: one request per
 * interval). An object whose Id changed between observations is a failure of crash safety.
 */
export class ClientIdObserver {
  readonly seen = new Map<string, Set<string>>();
  observations = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly kc: KubeConfig;
  private readonly namespace: string;

  constructor(kc: KubeConfig, namespace: string) {
    this.kc = kc;
    this.namespace = namespace;
  }

  start(intervalMs = 250): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.observe().catch(() => undefined);
        await sleep(intervalMs);
      }
    })();
  }

  async observe(): Promise<void> {
    for (const acc of await accsOn(this.kc).list(this.namespace)) {
      const id = acc.status?.clientId;
      if (!id) continue;
      const set = this.seen.get(acc.metadata.name) ?? new Set<string>();
      set.add(id);
      this.seen.set(acc.metadata.name, set);
    }
    this.observations += 1;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.observe();
  }

  /** Objects that were seen with more than one client Id. */
  changed(): string[] {
    return [...this.seen].filter(([, ids]) => ids.size > 1).map(([name, ids]) => `${name}: ${[...ids].join(' → ')}`);
  }
}

export interface ClientAccounting {
  objects: number;
  clients: number;
  createsApplied: number;
  createsDropped: number;
  conflicts409: number;
}

/**
 * The crash-safety verdict: every object has exactly one Data Hub client, the one derived from its
 * namespace and name (or its pin), no client exists without an object, and Data Hub applied exactly
 * one create per client (201s plus creates whose response was dropped; `deletedByTest` clients
 * removed out of band by the test are re-created once each), so no create ever made a second client. The simulator must be this scenario's own.
 */
export function expectOneClientPerObject(sim: Simulator, accs: Acc[], instanceId: string | undefined, deletedByTest = 0): ClientAccounting {
  const problems: string[] = [];
  const byName = new Map<string, string[]>();
  for (const c of sim.clients.all()) {
    const list = byName.get(c.Name ?? '') ?? [];
    list.push(c.Id.toLowerCase());
    byName.set(c.Name ?? '', list);
  }
  const managed = new Set<string>();
  for (const acc of accs) {
    const key = `${acc.metadata.namespace}/${acc.metadata.name}`;
    const id = acc.status?.clientId?.toLowerCase();
    if (!id) {
      problems.push(`${key} has no status.clientId`);
      continue;
    }
    if (instanceId && !acc.spec.clientId && id !== derivedClientId(instanceId, acc.metadata.namespace ?? '', acc.metadata.name)) problems.push(`${key} manages ${id}, not its derived Id`);
    if (managed.has(id)) problems.push(`${id} is managed by two objects`);
    managed.add(id);
    if (!sim.clients.get(id)) problems.push(`${key}: client ${id} does not exist in Data Hub`);
    const named = byName.get(typeof acc.spec.displayName === 'string' ? acc.spec.displayName : key) ?? [];
    if (named.length !== 1 || named[0] !== id) problems.push(`${key}: Data Hub has ${named.length} clients with its name (${named.join(', ')})`);
  }
  for (const c of sim.clients.all()) if (!managed.has(c.Id.toLowerCase())) problems.push(`client ${c.Id} ("${c.Name}") has no object`);
  const createsApplied = sim.requests.count({ method: 'POST', route: ROUTES.collection, status: 201 });
  const createsDropped = sim.requests.count({ method: 'POST', route: ROUTES.collection, status: 'dropped' });
  const accounting = { objects: accs.length, clients: sim.clients.size, createsApplied, createsDropped, conflicts409: sim.requests.count({ method: 'POST', route: ROUTES.collection, status: 409 }) };
  // Each applied create made one client; only the test itself deletes clients (out of band).
  if (createsApplied + createsDropped !== sim.clients.size + deletedByTest) problems.push(`Data Hub applied ${createsApplied + createsDropped} creates for ${sim.clients.size} clients (${deletedByTest} deleted by the test)`);
  expect(problems).toEqual([]);
  expect(sim.clients.size).toBe(accs.length);
  return accounting;
}

/** Log lines that mean a crash or a bug: non-JSON output (a stack trace), errors and fatals we do not expect. */
export function crashSigns(op: OperatorProcess, allowed: (line: Record<string, unknown>) => boolean = () => false): string[] {
  return op
    .logs()
    .filter((l) => 'raw' in l || l.level === 'fatal' || (l.level === 'error' && !allowed(l)) || /reconcile threw|handler threw|uncaught|unhandled/i.test(String(l.msg)))
    .map((l) => JSON.stringify(l).slice(0, 400));
}

/** The instance id an operator with default settings derives client Ids from: the kube-system UID. */
export async function kubeSystemUid(kc: KubeConfig): Promise<string> {
  return ((await kubeCall(kc, { method: 'GET', path: '/api/v1/namespaces/kube-system' }, 'read namespace "kube-system"')) as { metadata: { uid: string } }).metadata.uid;
}
