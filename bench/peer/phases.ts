// The measured phases of the peer scenario, each run the same way for the operator and for the peer:
// a burst of new objects, spec changes, removal, a steady-state window with out-of-band edits, and
// "observed again" after a restart. Figures come from the simulator's log and state, the audit log
// and /proc only.
import type { BenchEnvironment } from '../environment.ts';
import { percentile } from '../environment.ts';
import { countByResource, type AuditWrite } from './audit-log.ts';
import { derivedClientId } from './operator-parity.ts';
import type { MeasuredProcess } from './provider.ts';
import { auditCursor, interventionsIn, createObjects, dataHubCounts, dataHubDelta, dataHubHolds, deleteObjects, patchSpec, secretsWithId, track } from './measure.ts';
import { clientSpec, type Side } from './sides.ts';

export interface PhaseContext {
  env: BenchEnvironment;
  instanceId: string;
  log: (line: string) => void;
}

export type Figures = Record<string, number | string>;

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const seconds = (ms: number): number => round(ms / 1000);

function idsOf(ctx: PhaseContext, namespace: string, names: readonly string[]): Map<string, string> {
  return new Map(names.map((n) => [n, derivedClientId(ctx.instanceId, namespace, n)]));
}

/** Creates `names` at once and waits until all are ready; what a new object costs on each side. */
export async function burst(ctx: PhaseContext, side: Side, proc: MeasuredProcess, namespace: string, names: readonly string[], timeoutMs: number): Promise<Figures> {
  const { env } = ctx;
  const tracker = track(env, side, namespace);
  await tracker.synced();
  const audit = auditCursor(env);
  const dh0 = dataHubCounts(env);
  const cpu0 = proc.cpuSeconds();
  const others0 = env.cpuSecondsBesidesOperator();
  const started = Date.now();
  const created = await createObjects(env, side, namespace, names);
  const createdAll = Date.now();
  await tracker.waitReady(names.length, timeoutMs);
  const totalMs = Date.now() - started;
  const cpu = proc.cpuSeconds() - cpu0;
  const others1 = env.cpuSecondsBesidesOperator();
  // Writes that were already on their way when the last object turned ready are part of the burst.
  await new Promise((r) => setTimeout(r, 2_000));
  const writes = audit.next(side.user);
  const dh = dataHubDelta(dh0, dataHubCounts(env));
  const perObject = names.map((n) => (tracker.readyAt.get(n) ?? Date.now()) - (created.get(n) ?? started));
  await tracker.stop();
  return {
    objects: names.length,
    totalSeconds: seconds(totalMs),
    createSeconds: seconds(createdAll - started),
    perObjectP50Seconds: seconds(percentile(perObject, 50)),
    perObjectP99Seconds: seconds(percentile(perObject, 99)),
    dataHubRequestsPerObject: round(dh.total / names.length, 3),
    dataHubRequests: JSON.stringify(dh.byKind),
    tokenRequests: dh.token,
    apiServerWritesPerObject: round(writes.length / names.length, 2),
    apiServerWrites: JSON.stringify(countByResource(writes)),
    apiServerWritesRefused: writes.filter((w) => w.code >= 400).length,
    secretsWithId: await secretsWithId(env, namespace, idsOf(ctx, namespace, names)),
    // Objects stuck for ever until a person removed an annotation (sides.ts), done by the scenario.
    manualInterventions: interventionsIn(namespace),
    cpuSeconds: round(cpu),
    apiServerCpuSeconds: round(others1.apiServer - others0.apiServer),
    etcdCpuSeconds: round(others1.etcd - others0.etcd),
    peakRssMiB: round(proc.memory().peakMiB, 1),
  };
}

/** Changes the redirect URI of `count` objects, `spacingMs` apart: time until Data Hub holds each. */
export async function specChanges(ctx: PhaseContext, side: Side, namespace: string, names: readonly string[], count: number, spacingMs: number, timeoutMs: number): Promise<Figures> {
  const ids = idsOf(ctx, namespace, names);
  const picked = Array.from({ length: Math.min(count, names.length) }, (_, i) => names[Math.floor((i * names.length) / count)]!);
  const waits: Promise<number | undefined>[] = [];
  for (const [i, name] of picked.entries()) {
    const v = i + 1;
    const changedAt = Date.now();
    await patchSpec(ctx.env, side, namespace, name, v);
    waits.push(dataHubHolds(ctx.env, ids.get(name)!, clientSpec(name, v).redirectUris, changedAt + timeoutMs).then((t) => (t === undefined ? undefined : t - changedAt)));
    await new Promise((r) => setTimeout(r, spacingMs));
  }
  const latencies = (await Promise.all(waits)).filter((t): t is number => t !== undefined);
  return {
    changes: picked.length,
    converged: latencies.length,
    p50Seconds: seconds(percentile(latencies, 50)),
    p99Seconds: seconds(percentile(latencies, 99)),
    maxSeconds: seconds(Math.max(0, ...latencies)),
  };
}

/** Deletes every object (the manifests leave Git) and waits until the objects and their clients are gone. */
export async function removal(ctx: PhaseContext, side: Side, namespace: string, names: readonly string[], timeoutMs: number): Promise<Figures> {
  const { env } = ctx;
  const tracker = track(env, side, namespace);
  await tracker.synced();
  const dh0 = dataHubCounts(env);
  const started = Date.now();
  await deleteObjects(env, side, namespace, names);
  await tracker.waitEmpty(timeoutMs);
  const ids = [...idsOf(ctx, namespace, names).values()];
  await tracker.stop();
  const dh = dataHubDelta(dh0, dataHubCounts(env));
  return { objects: names.length, seconds: seconds(Date.now() - started), clientsLeft: ids.filter((id) => env.sim.clients.has(id)).length, dataHubRequestsPerObject: round(dh.total / names.length, 3) };
}

/** Objects of one side in one namespace. */
export interface Population {
  ns: string;
  list: string[];
}

/**
 * A steady-state window over a Ready population: Data Hub reads and API-server writes per minute,
 * memory and CPU. At its start the clients of `drift` (a few more objects, in a namespace of their
 * own so that their repair writes, Events included, can be told apart) are edited out of band in
 * Data Hub, as a portal edit would; the report says when each was put back.
 */
export async function steadyWindow(ctx: PhaseContext, side: Side, proc: MeasuredProcess, drift: Population, windowMs: number, driftWaitMs: number): Promise<Figures> {
  const { env } = ctx;
  const ids = idsOf(ctx, drift.ns, drift.list);
  const audit = auditCursor(env);
  const dh0 = dataHubCounts(env);
  const cpu0 = proc.cpuSeconds();
  const started = Date.now();
  const repaired = drift.list.map((name) => {
    const id = ids.get(name)!;
    const existing = env.sim.clients.get(id);
    if (!existing) throw new Error(`cannot plant drift on "${name}": Data Hub has no client ${id}`);
    env.sim.clients.set({ ...existing, RedirectUris: ['https://drifted.example.com/callback'] });
    return dataHubHolds(env, id, clientSpec(name, 0).redirectUris, started + driftWaitMs).then((t) => (t === undefined ? undefined : t - started));
  });
  let maxRss = 0;
  while (Date.now() < started + windowMs) {
    maxRss = Math.max(maxRss, proc.memory().rssMiB);
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const elapsedMin = (Date.now() - started) / 60_000;
  const writes: AuditWrite[] = audit.next(side.user);
  const dh = dataHubDelta(dh0, dataHubCounts(env));
  const cpu = proc.cpuSeconds() - cpu0;
  const steadyWrites = writes.filter((w) => w.namespace !== drift.ns);
  const repairs = await Promise.all(repaired);
  const fixed = repairs.filter((t): t is number => t !== undefined);
  return {
    windowSeconds: seconds(Date.now() - started),
    dataHubReadsPerMinute: round(dh.reads / elapsedMin, 1),
    dataHubWritesPerMinute: round(dh.writes / elapsedMin, 1),
    apiServerWritesPerMinute: round(steadyWrites.length / elapsedMin, 1),
    apiServerWrites: JSON.stringify(countByResource(steadyWrites)),
    driftPlanted: drift.list.length,
    driftRepaired: fixed.length,
    driftRepairMaxSeconds: seconds(Math.max(0, ...fixed)),
    driftWaitSeconds: seconds(driftWaitMs),
    driftRepairWrites: writes.length - steadyWrites.length,
    cpuSecondsPerMinute: round(cpu / elapsedMin, 2),
    maxRssMiB: round(maxRss, 1),
    peakRssMiB: round(proc.memory().peakMiB, 1),
  };
}

/** Where a (re)start began: its time, the audit log's end and the simulator's counts then. */
export interface StartMark {
  time: number;
  cursor: ReturnType<typeof auditCursor>;
  dataHub: ReturnType<typeof dataHubCounts>;
}

export function markStart(env: BenchEnvironment): StartMark {
  return { time: Date.now(), cursor: auditCursor(env), dataHub: dataHubCounts(env) };
}

/**
 * After a start on an existing population: when every object had been observed again, i.e. had a
 * status write by the side's user after the start (each of the peer's polls ends in one).
 */
export async function observedAgain(ctx: PhaseContext, side: Side, namespace: string, names: readonly string[], start: StartMark, timeoutMs: number): Promise<Figures> {
  const pending = new Set(names);
  let last = start.time;
  let writes = 0;
  const deadline = start.time + timeoutMs;
  while (pending.size > 0) {
    if (Date.now() > deadline) throw new Error(`timed out: ${pending.size} of ${names.length} objects not observed again after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 1_000));
    for (const w of start.cursor.next(side.user)) {
      writes++;
      if (w.namespace === namespace && w.resource.endsWith('/status') && w.name !== undefined && pending.delete(w.name)) last = Math.max(last, w.time);
    }
  }
  return { objects: names.length, seconds: seconds(last - start.time), apiServerWrites: writes, dataHubReads: dataHubDelta(start.dataHub, dataHubCounts(ctx.env)).reads };
}
