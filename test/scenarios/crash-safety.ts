// Scenario 1, crash safety (design §3 "Identity and crash safety"): objects are created while the
// operator is killed with SIGKILL at seeded random moments and restarted at once (as the kubelet
// restarts a container: same pod name, so it takes its own Lease back without waiting), while Data
// Hub has latency and drops the response of some applied writes. Afterwards every object must be
// Ready with exactly one Data Hub client, its derived Id, never another Id, and no client may exist
// without an object. Each kill waits (briefly) for a Data Hub request in flight, so kills land
// mid-work rather than at idle moments, and the run fails unless some did.
import { expect } from 'vitest';
import { systemClock, type Clock, type TimerHandle } from '../../src/clock.ts';
import { ROUTES } from '../../src/simulator/index.ts';
import { kubeCall } from '../support/kube-admin.ts';
import { cluster, decode, startOperator, startTestSimulator, testNamespace, sleep, type OperatorProcess, type SecretObject } from '../support/operator-harness.ts';
import { between, ClientIdObserver, crashSigns, expectOneClientPerObject, kubeSystemUid, report, seededRandom, simpleSpec, waitAllReady } from './common.ts';
import { accsOn } from '../support/objects.ts';

export interface CrashSafetyParams {
  seed: number;
  objects: number;
  kills: number;
  /** A kill comes this long after the (re)start of the operator process, uniformly at random. */
  killAfterMs: [number, number];
  /** Fraction of applied Data Hub writes whose response is dropped. */
  dropRate: number;
  latencyMs: number;
  jitterMs: number;
  readyTimeoutMs: number;
}

export interface CrashSafetyFigures {
  seed: number;
  objects: number;
  kills: number;
  /** Data Hub requests the operator gave up mid-flight because it was killed (HTTP 499 in the simulator). */
  requestsCutByKills: number;
  /** Kills that landed while the operator had created at least one object (not only during start-up). */
  killsAfterWork: number;
  /** Kills that landed while a request to the simulator was in flight. */
  killsInFlight: number;
  droppedResponses: number;
  creates201: number;
  conflicts409: number;
  clients: number;
  clientIdChanges: number;
  lost: number;
  readyAfterLastKillMs: number;
  durationMs: number;
}

/**
 * The system clock, counting its pending timers. The simulator waits its injected latency on it, so
 * with latency on, a pending timer is a request the simulator has not answered yet.
 */
export class CountingClock implements Clock {
  pending = 0;
  now(): number {
    return systemClock.now();
  }
  setTimer(fn: () => void, ms: number): TimerHandle {
    this.pending++;
    let done = false;
    const finish = (): void => {
      if (!done) this.pending--;
      done = true;
    };
    const timer = systemClock.setTimer(() => {
      finish();
      fn();
    }, ms);
    return {
      cancel: () => {
        finish();
        timer.cancel();
      },
    };
  }
}

/** Resolves true as soon as a request is in flight, or false after timeoutMs of none. */
export async function requestInFlight(clock: CountingClock, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (clock.pending === 0) {
    if (Date.now() > deadline) return false;
    await sleep(2);
  }
  return true;
}

export async function crashSafety(p: CrashSafetyParams): Promise<CrashSafetyFigures> {
  const started = Date.now();
  const random = seededRandom(p.seed);
  if (p.latencyMs <= 0) throw new Error('cannot run crash safety "latencyMs": kills aim at requests in flight, which needs latency');
  const clock = new CountingClock();
  const sim = await startTestSimulator({ seed: p.seed, clock, faults: { latencyMs: p.latencyMs, jitterMs: p.jitterMs, dropResponses: { rate: p.dropRate } } });
  const { kc } = await cluster();
  const ns = await testNamespace(`crash-${p.seed}`);
  const instanceId = await kubeSystemUid(kc);
  // A fixed identity: a restarted container keeps its pod name and so takes its own Lease back at once.
  const identity = `crash-replica-${p.seed}`;
  const lease = `crash-${p.seed}-${Math.random().toString(36).slice(2, 8)}`;
  const start = (): Promise<OperatorProcess> => startOperator({ simulator: sim, namespaces: [ns], leaderElectionId: lease, args: [`--identity=${identity}`] });
  const killed: OperatorProcess[] = [];
  let op = await start();
  const observer = new ClientIdObserver(kc, ns);
  observer.start();

  // The creator spreads the objects over the whole kill phase in seeded bursts (1-12 at once), so
  // kills find a backlog, creates in flight, and quiet moments.
  const meanKillMs = (p.killAfterMs[0] + p.killAfterMs[1]) / 2;
  const spanMs = p.kills * meanKillMs;
  const names = Array.from({ length: p.objects }, (_, i) => `c${String(i).padStart(3, '0')}`);
  const creating = (async () => {
    const t0 = Date.now();
    for (let i = 0; i < names.length; ) {
      const burst = names.slice(i, i + between(random, 1, 12));
      await Promise.all(burst.map((name) => accsOn(kc).create(ns, name, simpleSpec(name))));
      i += burst.length;
      await sleep(Math.max(0, t0 + (i * spanMs) / p.objects - Date.now()));
    }
  })();

  let lastKill = 0;
  let killsAfterWork = 0;
  let killsInFlight = 0;
  try {
    for (let k = 0; k < p.kills; k++) {
      await sleep(between(random, p.killAfterMs[0], p.killAfterMs[1]));
      // On a loaded machine an operator can take longer to start than the kill interval, so every
      // kill could land before any work: the first one also waits (bounded) for its first create.
      if (k === 0) await op.waitForLog((l) => l.msg === 'reconciled' && l.remote === 'created', 30_000).catch(() => undefined);
      // Once the creator is done and everything is synced nothing is in flight: kill anyway then.
      if (await requestInFlight(clock, 5_000)) killsInFlight++;
      if (op.logs().some((l) => l.msg === 'reconciled' && l.remote === 'created')) killsAfterWork++;
      const exit = await op.kill();
      expect(exit.signal).toBe('SIGKILL');
      lastKill = Date.now();
      killed.push(op);
      op = await start();
    }
    await creating;
    const accs = await waitAllReady(kc, ns, p.objects, p.readyTimeoutMs);
    const readyAfterLastKillMs = Date.now() - lastKill;
    await observer.stop();

    // No object ever showed a second client Id; each has exactly its own client; nothing leaked.
    expect(observer.changed()).toEqual([]);
    const accounting = expectOneClientPerObject(sim, accs, instanceId);
    const secrets = ((await kubeCall(kc, { method: 'GET', path: `/api/v1/namespaces/${ns}/secrets`, query: { labelSelector: 'identity.datahub.dev/managed=true' } }, 'list Secrets')) as { items: SecretObject[] }).items;
    const secretIds = new Map(secrets.map((s) => [s.metadata.name, decode(s).clientId]));
    const wrongSecrets = accs.filter((a) => secretIds.get(a.metadata.name) !== a.status?.clientId).map((a) => a.metadata.name);
    expect(wrongSecrets).toEqual([]);
    expect(secrets).toHaveLength(p.objects);
    // The survivor runs clean; the killed ones logged no error before they died (their last line may be cut).
    expect(crashSigns(op)).toEqual([]);
    for (const dead of killed) expect(crashSigns({ ...dead, logs: () => dead.logs().slice(0, -1) })).toEqual([]);
    expect(op.component.running()).toBe(true);
    // Kills that only ever hit idle moments would prove nothing about crash safety.
    const requestsCutByKills = sim.requests.count({ status: 499 });
    expect(killsInFlight, 'kills that landed with a request in flight').toBeGreaterThan(0);
    expect(killsAfterWork, 'kills after the operator had created an object').toBeGreaterThan(0);
    expect(requestsCutByKills, 'requests cut short by a kill (HTTP 499)').toBeGreaterThan(0);

    const figures: CrashSafetyFigures = {
      seed: p.seed,
      objects: p.objects,
      kills: killed.length,
      requestsCutByKills,
      killsAfterWork,
      killsInFlight,
      droppedResponses: sim.requests.count({ status: 'dropped' }),
      creates201: accounting.createsApplied,
      conflicts409: accounting.conflicts409,
      clients: accounting.clients,
      clientIdChanges: observer.changed().length,
      lost: p.objects - accs.filter((a) => sim.clients.get(a.status?.clientId ?? '')).length,
      readyAfterLastKillMs,
      durationMs: Date.now() - started,
    };
    report('crash-safety', { ...figures, observations: observer.observations, posts: sim.requests.count({ method: 'POST', route: ROUTES.collection }) });
    return figures;
  } finally {
    await observer.stop().catch(() => undefined);
    await creating.catch(() => undefined);
    if (op.component.running()) {
      await accsOn(kc).deleteAll(ns).catch(() => undefined);
      await op.stop();
    }
    await sim.close();
  }
}
