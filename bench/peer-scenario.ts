// `npm run bench -- --scenario peer` (issue 15): the operator side by side with Crossplane's
// provider-http v1.0.14 (its real binary) on the same control plane, simulator and latency, doing the
// same job. Order: the operator first (burst, spec changes, removal, a steady population, restart),
// then provider-http at its defaults (burst, spec changes) and tuned (--max-reconcile-rate=100 and a
// poll interval equal to our resync interval: burst, spec changes, the steady population, restart),
// then at its defaults again on that population (restart, steady state). Each side's objects are
// removed before the next side starts: the peer caches every Secret in the cluster. Figures and the
// comparison table go to BENCHMARKS.md through bench/run.ts.
import { KubeConfig } from '@kubernetes/client-node';
import { ROOT, type BenchEnvironment, type OperatorHandle } from './environment.ts';
import { buildControlPlane } from '../test/support/controlplane-build.ts';
import { createNamespace } from '../test/support/kube-admin.ts';
import { insideBenchNetns, interfaceNames, listenerProblems, listenersNow, ownerLabel } from './peer/netns.ts';
import { burst, markStart, observedAgain, removal, specChanges, steadyWindow, type Figures, type PhaseContext, type Population } from './peer/phases.ts';
import { createObjects, dataHubCounts, dataHubDelta, interventionsIn, track } from './peer/measure.ts';
import { descendantsOf } from './peer/proc-stats.ts';
import { buildProviderHttp, PeerProvider, type MeasuredProcess } from './peer/provider.ts';
import { operatorSide, peerSide, type Side } from './peer/sides.ts';
import { comparisonTable, peerTargets, type SideFigures } from './peer/table.ts';
import type { ScenarioResult } from './scenarios.ts';

export interface PeerScenarioOptions {
  burstObjects: number;
  steadyObjects: number;
  /** Spec changes measured per side (one every 2 s). */
  changes: number;
  /** Our resync interval at its default; the tuned peer polls at this interval. */
  resyncSeconds: number;
  /** Steady-state window of the default peer (its poll is 1 minute; the others get one interval). */
  defaultWindowSeconds: number;
  log: (line: string) => void;
}

/** The operator's default --resync-interval (10m). */
export const OPERATOR_RESYNC_SECONDS = 600;
const LATENCY_MS = 50;
const SETTLE_MS = 30_000;
const DRIFTED = 5;
const HOUR = 3_600_000;
const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);

async function namespace(env: BenchEnvironment, name: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(env.cp.kubeconfigPath);
  await createNamespace(kc, name);
}

/** Every listener on loopback, none of ours in the host's namespace (throws otherwise). */
function checkListeners(log: (line: string) => void, when: string): string {
  if (!insideBenchNetns()) throw new Error('cannot run the peer scenario outside its network namespace: bench/run.ts re-executes it inside one');
  const seen = listenersNow();
  const problems = listenerProblems(seen, new Set([process.pid, ...descendantsOf(process.pid)]), interfaceNames());
  if (problems.length > 0) throw new Error(`cannot keep listeners on loopback (${when}): ${problems.join('; ')}`);
  const summary = seen.inside.map((l) => `${l.address}:${l.port} ${l.owners.map(ownerLabel).join(',')}`).join('; ');
  log(`listeners ${when} (namespace with only lo): ${summary}; none of ours in the host's namespace`);
  return summary;
}

async function populate(ctx: PhaseContext, side: Side, p: Population): Promise<number> {
  const tracker = track(ctx.env, side, p.ns);
  await tracker.synced();
  const started = Date.now();
  await createObjects(ctx.env, side, p.ns, p.list);
  await tracker.waitReady(p.list.length, 2 * HOUR);
  await tracker.stop();
  return Math.round((Date.now() - started) / 100) / 10;
}

/** A burst in a new namespace, then spec changes on those objects (which stay for what follows). */
async function burstAndChanges(ctx: PhaseContext, o: PeerScenarioOptions, side: Side, proc: MeasuredProcess, ns: string, prefix: string, timeoutMs: number): Promise<{ ns: string; list: string[]; burst: Figures; changes: Figures }> {
  const list = names(prefix, o.burstObjects);
  await namespace(ctx.env, ns);
  ctx.log(`${side.label}: burst of ${list.length}`);
  const b = await burst(ctx, side, proc, ns, list, timeoutMs);
  ctx.log(`${side.label}: ${o.changes} spec changes`);
  return { ns, list, burst: b, changes: await specChanges(ctx, side, ns, list, o.changes, 2_000, 20 * 60_000) };
}

/** The steady population (and a few objects to edit out of band), then one window over it. */
async function steadyPopulation(ctx: PhaseContext, o: PeerScenarioOptions, side: Side, proc: MeasuredProcess, ns: string, prefix: string, windowSeconds: number): Promise<{ main: Population; drift: Population; steady: Figures }> {
  const main = { ns, list: names(prefix, o.steadyObjects) };
  const drift = { ns: `${ns}-drift`, list: names(prefix, DRIFTED) };
  await namespace(ctx.env, main.ns);
  await namespace(ctx.env, drift.ns);
  const populateSeconds = await populate(ctx, side, main);
  await populate(ctx, side, drift);
  ctx.log(`${side.label}: ${main.list.length} objects ready in ${populateSeconds} s; settling, then a steady window of ${windowSeconds} s`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const steady = await steadyWindow(ctx, side, proc, drift, windowSeconds * 1000, windowSeconds * 1200);
  return { main, drift, steady: { objects: main.list.length, ...steady, populateSeconds, populateManualInterventions: interventionsIn(main.ns) + interventionsIn(drift.ns) } };
}

async function operatorRun(ctx: PhaseContext, o: PeerScenarioOptions, listeners: string[]): Promise<SideFigures & { removal: Figures }> {
  const { env, log } = ctx;
  const side = operatorSide();
  const start = async (): Promise<{ op: OperatorHandle; proc: MeasuredProcess }> => {
    // Its defaults: only where to find things and loopback listeners (as every bench run), and a
    // shorter resync interval only when a quick run asks for one (the tuned peer polls at the same).
    const op = env.startOperator(['--leader-election-id=bench-peer', ...(o.resyncSeconds === OPERATOR_RESYNC_SECONDS ? [] : [`--resync-interval=${o.resyncSeconds}s`])]);
    await env.waitForLog(op, 'became leader', 60_000);
    return { op, proc: { label: 'ours', pid: op.component.pid, cpuSeconds: () => op.cpuSeconds(), memory: () => op.memory(), stop: () => op.stop() } };
  };
  const first = await start();
  const proc = first.proc;
  let op = first.op;
  listeners.push(checkListeners(log, 'with the operator running'));
  const b = await burstAndChanges(ctx, o, side, proc, 'peer-ours-burst', 'ours', HOUR);
  const removed = await removal(ctx, side, b.ns, b.list, HOUR);
  const s = await steadyPopulation(ctx, o, side, proc, 'peer-ours-steady', 'ours', o.resyncSeconds);
  await op.stop();
  const mark = markStart(env);
  op = (await start()).op;
  // Ours observes every object again from its caches (Ready for the current generation is trusted;
  // drift checks stay spread over the interval) and says so in one log line.
  await env.waitForLog(op, 'initial reconcile complete', HOUR);
  const readyMs = Date.now() - mark.time;
  await new Promise((r) => setTimeout(r, 10_000));
  const restart: Figures = { objects: s.main.list.length, seconds: Math.round(readyMs / 10) / 100, apiServerWrites: mark.cursor.next(side.user).length, dataHubReads: dataHubDelta(mark.dataHub, dataHubCounts(env)).reads };
  await removal(ctx, side, s.main.ns, s.main.list, HOUR);
  await removal(ctx, side, s.drift.ns, s.drift.list, HOUR);
  await op.stop();
  return { burst: b.burst, changes: b.changes, steady: s.steady, restart, removal: removed };
}

async function peerRun(ctx: PhaseContext, o: PeerScenarioOptions, peer: PeerProvider, listeners: string[]): Promise<{ def: SideFigures; tuned: SideFigures & { removal: Figures } }> {
  const { env, log } = ctx;
  const url = `${env.sim.url}/api/v1/Tenants/${env.sim.tenantId}/AuthorizationCodeClients`;
  const defSide = peerSide('provider-http default', ctx.instanceId, url);
  const tunedSide = peerSide('provider-http tuned', ctx.instanceId, url);
  const tunedArgs = ['--max-reconcile-rate=100', `--poll=${o.resyncSeconds}s`];
  let proc = await peer.start('default', []);
  listeners.push(checkListeners(log, 'with provider-http running'));
  const def = await burstAndChanges(ctx, o, defSide, proc, 'peer-default-burst', 'peer', 2 * HOUR);
  await proc.stop();

  proc = await peer.start('tuned', tunedArgs);
  await removal(ctx, tunedSide, def.ns, def.list, HOUR);
  const tuned = await burstAndChanges(ctx, o, tunedSide, proc, 'peer-tuned-burst', 'peer', HOUR);
  const removed = await removal(ctx, tunedSide, tuned.ns, tuned.list, HOUR);
  const s = await steadyPopulation(ctx, o, tunedSide, proc, 'peer-steady', 'peer', o.resyncSeconds);
  const restartOn = async (label: string, args: string[], side: Side): Promise<{ proc: MeasuredProcess; figures: Figures }> => {
    const mark = markStart(env);
    const started = await peer.start(label, args);
    log(`${side.label}: restarted on ${s.main.list.length} objects`);
    return { proc: started, figures: await observedAgain(ctx, side, s.main.ns, s.main.list, mark, 2 * HOUR) };
  };
  await proc.stop();
  const tunedRestart = await restartOn('tuned', tunedArgs, tunedSide);
  await tunedRestart.proc.stop();
  const defRestart = await restartOn('default', [], defSide);
  proc = defRestart.proc;
  log('provider-http default: steady window');
  const defSteady = await steadyWindow(ctx, defSide, proc, s.drift, o.defaultWindowSeconds * 1000, o.defaultWindowSeconds * 1000 + 120_000);
  await proc.stop();
  return {
    def: { burst: def.burst, changes: def.changes, steady: { objects: s.main.list.length, ...defSteady }, restart: defRestart.figures },
    tuned: { burst: tuned.burst, changes: tuned.changes, steady: s.steady, restart: tunedRestart.figures, removal: removed },
  };
}

function asResult(scenario: string, objects: number, f: Record<string, Figures>, extra: Figures = {}): ScenarioResult {
  const figures: Record<string, number | string> = { ...extra };
  for (const [phase, values] of Object.entries(f)) for (const [k, v] of Object.entries(values)) figures[`${phase}.${k}`] = v;
  return { scenario, objects, figures, targets: [] };
}

/** Outside the network namespace (Go may need the module proxy): both builds, cached after the first. */
export async function preparePeer(log: (line: string) => void): Promise<void> {
  await buildControlPlane(ROOT, log);
  const { buildSeconds } = await buildProviderHttp(log);
  log(`provider-http ready after ${Math.round(buildSeconds)} s`);
}

export async function peerComparison(env: BenchEnvironment, o: PeerScenarioOptions): Promise<ScenarioResult[]> {
  const { dir: buildDir, buildSeconds } = await buildProviderHttp(o.log);
  const kubeSystem = await env.http.json<{ metadata: { uid: string } }>('GET', '/api/v1/namespaces/kube-system', { verb: 'get', what: 'kube-system' });
  const ctx: PhaseContext = { env, instanceId: kubeSystem.metadata.uid, log: o.log };
  env.sim.reset();
  env.sim.faults.replace({ latencyMs: LATENCY_MS });
  const listeners: string[] = [];
  // Its CRDs and configuration go in first (nothing of it runs yet): kube-controller-manager's
  // garbage collector learns new kinds from discovery only every 30 s, and it deletes the peer's
  // Secrets through their owner references.
  const peer = await PeerProvider.install(env, buildDir);
  let ours: Awaited<ReturnType<typeof operatorRun>>;
  let peers: Awaited<ReturnType<typeof peerRun>>;
  try {
    ours = await operatorRun(ctx, o, listeners);
    peers = await peerRun(ctx, o, peer, listeners);
  } finally {
    await peer.close();
  }
  const { def, tuned } = peers;
  const sides = { ours, def, tuned };
  const results = [
    asResult('peer: ours', o.burstObjects, { ...ours }, { dataHubLatencyMs: LATENCY_MS, steadyObjects: o.steadyObjects, resyncIntervalSeconds: o.resyncSeconds }),
    asResult('peer: provider-http default', o.burstObjects, { ...def }),
    asResult('peer: provider-http tuned', o.burstObjects, { ...tuned }, { args: `--max-reconcile-rate=100 --poll=${o.resyncSeconds}s`, providerHttpBuildSeconds: Math.round(buildSeconds) }),
  ];
  results[0]!.targets = peerTargets(sides);
  results[0]!.markdown = [comparisonTable(sides, o.steadyObjects, o.burstObjects), '', `Listeners: ${listeners.join(' | ')}`].join('\n');
  return results;
}
