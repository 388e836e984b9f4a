// Scenario: crash safety of client secrets (issue 14, design §2). ClientCredentialsClients and
// HybridClients are created and their secrets rotated (by a short validFor and by the rotate-now
// annotation) while the operator is SIGKILLed at seeded random moments and restarted at once, with
// Data Hub latency and dropped write responses. Half the kills wait for a request in flight, half
// come right after Data Hub answered a secret (or client) create, inside the window where the only
// copy of the plaintext is in the operator's memory. During the run a sampler checks that no Secret
// ever holds a deleted or expired secret; afterwards: one client per object, zero orphaned
// secrets, people's secrets untouched, every Secret's secret gets a token, no plaintext leaked.
import { expect } from 'vitest';
import { kubeCall } from '../support/kube-admin.ts';
import { isReady } from '../support/objects.ts';
import { cluster, startOperator, startTestSimulator, testNamespace, sleep, type OperatorProcess, type SecretObject } from '../support/operator-harness.ts';
import { between, crashSigns, kubeSystemUid, report, seededRandom } from './common.ts';
import { CountingClock, requestInFlight } from './crash-safety.ts';
import { leaks, oneClientPerObject, orphanCheck, recordIssuedPlaintexts, tokenCheck } from './secret-audit.ts';
import { SecretChaos, type ChaosFigures } from './secret-chaos.ts';
import { secretBearersOn, SECRET_KINDS as ALL_KINDS, type SecretBearer, type SecretKind, type SecretKindName } from './secret-kinds.ts';
import { SecretSampler } from './secret-sampler.ts';

export interface SecretCrashParams {
  seed: number;
  /** Objects created per kind. */
  perKind: number;
  /** Of those, how many rotate on a short schedule (validFor 1m, rotateBefore 40s). */
  scheduledPerKind: number;
  /** Rotate-now annotations per kind during the kill phase. */
  requestedPerKind: number;
  /** Rotations per kind the sampler must have seen completed. */
  minRotationsPerKind: number;
  kills: number;
  killAfterMs: [number, number];
  dropRate: number;
  latencyMs: number;
  jitterMs: number;
  settleTimeoutMs: number;
  /** Default both secret kinds. */
  kinds?: readonly SecretKind[];
}

export interface SecretCrashFigures extends ChaosFigures {
  seed: number;
  objects: number;
  rotationsObserved: Record<SecretKindName, number>;
  secretAddsApplied: number;
  secretAddsDropped: number;
  secretDeletes: number;
  requestsCutByKills: number;
  samples: number;
  secretChecks: number;
  deadSecretSightings: number;
  racesResolved: number;
  /** Operator secrets nobody held (a kill or a dropped answer before the Secret write) that the operator found and deleted (its OrphanSecretDeleted events). */
  orphansDeletedByOperator: number;
  plaintextsIssued: number;
  tokensObtained: number;
  hybridSecretsAuthenticated: number;
  previousInGrace: number;
  settleMs: number;
  durationMs: number;
}

const SCHEDULED = { validFor: '1m', rotateBefore: '40s', gracePeriod: '10s' };
const BY_REQUEST = { gracePeriod: '10s' };
/** How long a fleet that is otherwise settled may take to delete its last orphans before the verdicts run. */
const ORPHAN_WAIT_MS = 60_000;
const RELAXED = { validFor: '2160h', rotateBefore: '720h', gracePeriod: '10s' };

export async function secretCrashSafety(p: SecretCrashParams): Promise<SecretCrashFigures> {
  const started = Date.now();
  const SECRET_KINDS = p.kinds ?? ALL_KINDS;
  // The seed first, so a run that fails half-way can be replayed (RELIABILITY_SEEDS=<seed>).
  report('secret-crash-safety', { seed: p.seed, kinds: SECRET_KINDS.map((k) => k.name), phase: 'start' });
  const random = seededRandom(p.seed);
  const clock = new CountingClock();
  const secretRoutes = new Set(SECRET_KINDS.flatMap((k) => [k.routes.secrets, k.routes.create]));
  let lastSecretCreateAt = 0;
  const sim = await startTestSimulator({
    seed: p.seed,
    clock,
    faults: { latencyMs: p.latencyMs, jitterMs: p.jitterMs, dropResponses: { rate: p.dropRate } },
    onRequest: (e) => {
      if (e.method === 'POST' && e.status === 201 && secretRoutes.has(e.route)) lastSecretCreateAt = Date.now();
    },
  });
  const issued = new Set<string>();
  for (const k of SECRET_KINDS) recordIssuedPlaintexts(k.table(sim).secrets, issued);
  const { kc } = await cluster();
  const ns = await testNamespace(`secret-crash-${p.seed}`);
  const instanceId = await kubeSystemUid(kc);
  const identity = `secret-crash-replica-${p.seed}`;
  const lease = `secret-crash-${p.seed}-${Math.random().toString(36).slice(2, 8)}`;
  const start = (): Promise<OperatorProcess> => startOperator({ simulator: sim, namespaces: [ns], leaderElectionId: lease, args: [`--identity=${identity}`] });
  const processes: OperatorProcess[] = [];
  let op = await start();
  processes.push(op);
  const metricsTexts: { name: string; text: string }[] = [];
  const scrape = async (o: OperatorProcess, name: string): Promise<void> => {
    const port = await Promise.race([o.metricsPort(), sleep(2_000).then(() => undefined)]);
    if (port) metricsTexts.push({ name, text: await (await fetch(`http://127.0.0.1:${port}/metrics`)).text().catch(() => '') });
  };
  const sampler = new SecretSampler(kc, ns, sim);
  sampler.start();
  const meanKillMs = (p.killAfterMs[0] + p.killAfterMs[1]) / 2;
  const chaos = new SecretChaos({ kc, ns, sim, random, spanMs: p.kills * meanKillMs, kinds: SECRET_KINDS, perKind: p.perKind, scheduledPerKind: p.scheduledPerKind, requestedPerKind: p.requestedPerKind, specOf: (kind, i, name) => kind.spec(name, i < p.scheduledPerKind ? SCHEDULED : BY_REQUEST) });
  const driving = chaos.run();

  try {
    for (let k = 0; k < p.kills; k++) {
      await sleep(between(random, p.killAfterMs[0], p.killAfterMs[1]));
      // On a loaded machine the first operator can take longer to start than a kill interval: the
      // first kill also waits (bounded) for its first client, so kills land after work.
      if (k === 0) await until(() => SECRET_KINDS.some((kind) => kind.table(sim).size > 0), 30_000);
      await scrape(op, `metrics of operator ${k}`).catch(() => undefined);
      // Half the kills aim at the moment after Data Hub issued a secret (the plaintext is only in
      // the operator's memory until the Secret write); the others at any request in flight.
      if (random() < 0.5) {
        const since = Date.now();
        const deadline = since + 4_000;
        while (lastSecretCreateAt < since && Date.now() < deadline) await sleep(1);
        await sleep(between(random, 0, 30));
      } else {
        await requestInFlight(clock, 4_000);
      }
      chaos.noteKill(clock.pending > 0, Date.now() - lastSecretCreateAt < 100, sim);
      const exit = await op.kill();
      expect(exit.signal).toBe('SIGKILL');
      op = await start();
      processes.push(op);
    }
    await driving;
    // Quiesce: no more short schedules, so the fleet settles and orphans can be counted exactly.
    const settleStarted = Date.now();
    for (const kind of SECRET_KINDS) for (const name of chaos.scheduled(kind)) await secretBearersOn(kc, kind).patch(ns, name, { spec: { secretRotation: RELAXED } });
    const settled = await waitSettled({ ...p, kinds: SECRET_KINDS }, chaos, sim, kc, ns);
    const settleMs = Date.now() - settleStarted;
    await sampler.stop();

    const secrets = new Map(((await kubeCall(kc, { method: 'GET', path: `/api/v1/namespaces/${ns}/secrets` }, 'list Secrets')) as { items: SecretObject[] }).items.map((s) => [s.metadata.name, s]));
    const problems: string[] = [...sampler.violations.map((v) => `Secret ${v.secret} held a ${v.problem} secret of ${v.clientId} at ${v.at}`)];
    let tokens = 0;
    let authenticated = 0;
    for (const kind of SECRET_KINDS) {
      const objects = settled.get(kind.name) ?? [];
      problems.push(...oneClientPerObject(sim, kind, objects, instanceId).problems);
      const mine = objects.map((o) => secrets.get(o.metadata.name)).filter((s): s is SecretObject => s !== undefined);
      if (mine.length !== objects.length) problems.push(`${objects.length - mine.length} ${kind.name} objects have no Secret`);
      const t = await tokenCheck(sim, kind, mine);
      problems.push(...t.problems);
      tokens += t.tokens;
      authenticated += t.authenticated;
    }
    problems.push(...chaos.portalSecretsIntact(sim));
    const lastProcess = op;
    await scrape(lastProcess, 'metrics of the surviving operator');
    const events = await kubeCall(kc, { method: 'GET', path: `/api/v1/namespaces/${ns}/events` }, 'list Events');
    const texts = [
      ...processes.map((o, i) => ({ name: `log of operator ${i}`, text: readLog(o) })),
      { name: 'Events', text: JSON.stringify(events) },
      ...SECRET_KINDS.map((k) => ({ name: `${k.name} statuses`, text: JSON.stringify((settled.get(k.name) ?? []).map((o) => o.status)) })),
      ...metricsTexts,
    ];
    const plaintexts = new Set([...issued, ...sampler.plaintexts]);
    problems.push(...leaks(plaintexts, texts).map((where) => `a client secret appears in the ${where}`));
    let inGrace = 0;
    for (const kind of SECRET_KINDS) {
      const o = orphanCheck(sim, kind, settled.get(kind.name) ?? [], secrets, 15_000);
      problems.push(...o.problems);
      inGrace += o.inGrace;
    }
    const rotationsObserved = sampler.rotationsObserved();
    const count = (route: 'secrets' | 'secret', method: string, status: number | 'dropped'): number => SECRET_KINDS.reduce((n, k) => n + sim.requests.count({ method, route: k.routes[route], status }), 0);
    const figures: SecretCrashFigures = {
      seed: p.seed,
      objects: p.perKind * SECRET_KINDS.length,
      ...chaos.figures(),
      rotationsObserved,
      secretAddsApplied: count('secrets', 'POST', 201),
      secretAddsDropped: count('secrets', 'POST', 'dropped'),
      secretDeletes: count('secret', 'DELETE', 204) + count('secret', 'DELETE', 'dropped'),
      requestsCutByKills: sim.requests.count({ status: 499 }),
      samples: sampler.samples,
      secretChecks: sampler.checks,
      deadSecretSightings: sampler.violations.length,
      racesResolved: sampler.racesResolved,
      orphansDeletedByOperator: eventCount(events, 'OrphanSecretDeleted'),
      plaintextsIssued: issued.size,
      tokensObtained: tokens,
      hybridSecretsAuthenticated: authenticated,
      previousInGrace: inGrace,
      settleMs,
      durationMs: Date.now() - started,
    };
    report('secret-crash-safety', { ...figures });
    expect(problems).toEqual([]);
    // The survivor runs clean; the killed ones logged no error before they died (their last line may be cut).
    expect(crashSigns(op)).toEqual([]);
    for (const dead of processes.slice(0, -1)) expect(crashSigns({ ...dead, logs: () => dead.logs().slice(0, -1) })).toEqual([]);

    expect(figures.kills).toBe(p.kills);
    // Kills that only ever hit idle moments would prove nothing.
    expect(figures.killsAfterWork, 'kills after the first client existed').toBeGreaterThan(0);
    expect(figures.killsInFlight, 'kills with a Data Hub request in flight').toBeGreaterThan(0);
    expect(figures.killsRightAfterSecretCreate, 'kills within 100 ms of Data Hub issuing a secret').toBeGreaterThan(0);
    expect(figures.killsAfterRotation, 'kills after the first rotation').toBeGreaterThan(0);
    expect(figures.requestsCutByKills, 'requests cut short by a kill (HTTP 499)').toBeGreaterThan(0);
    for (const kind of SECRET_KINDS) expect(rotationsObserved[kind.name], `${kind.name} rotations seen completed`).toBeGreaterThanOrEqual(p.minRotationsPerKind);
    return figures;
  } finally {
    await sampler.stop().catch(() => undefined);
    await driving.catch(() => undefined);
    if (op.component.running()) {
      for (const kind of SECRET_KINDS) await secretBearersOn(kc, kind).deleteAll(ns).catch(() => undefined);
      await op.stop();
    }
    await sim.close();
  }
}

/** How often an event reason was recorded (a deduplicated Event counts its repeats). */
function eventCount(events: unknown, reason: string): number {
  const items = (events as { items: { reason?: string; count?: number; series?: { count?: number } }[] }).items;
  return items.filter((e) => e.reason === reason).reduce((n, e) => n + (e.series?.count ?? e.count ?? 1), 0);
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(20);
}

function readLog(o: OperatorProcess): string {
  return o.logs().map((l) => JSON.stringify(l)).join('\n');
}

/**
 * Every object Ready for its generation, its last rotate request handled, its Secret holding a
 * secret that expires in more than a day (the relaxed schedule is in force), and zero orphans.
 * Once all else holds, orphans get ORPHAN_WAIT_MS to go (previous secrets' grace is 10 s); after that
 * the fleet is returned as it is, so the verdicts name the orphans next to every other figure.
 */
async function waitSettled(p: SecretCrashParams & { kinds: readonly SecretKind[] }, chaos: SecretChaos, sim: Awaited<ReturnType<typeof startTestSimulator>>, kc: Awaited<ReturnType<typeof cluster>>['kc'], ns: string): Promise<Map<SecretKindName, SecretBearer[]>> {
  const deadline = Date.now() + p.settleTimeoutMs;
  let nextReport = Date.now() + 30_000;
  let onlyOrphansSince: number | undefined;
  let why: string;
  for (;;) {
    try {
      const byKind = new Map<SecretKindName, SecretBearer[]>();
      const secrets = new Map(((await kubeCall(kc, { method: 'GET', path: `/api/v1/namespaces/${ns}/secrets` }, 'list Secrets')) as { items: SecretObject[] }).items.map((s) => [s.metadata.name, s]));
      const problems: string[] = [];
      for (const kind of p.kinds) {
        const objects = await secretBearersOn(kc, kind).list(ns);
        byKind.set(kind.name, objects);
        if (objects.length !== p.perKind) problems.push(`${objects.length}/${p.perKind} ${kind.name} objects`);
        const notReady = objects.filter((o) => !isReady(o));
        if (notReady.length > 0) problems.push(`${notReady.length} ${kind.name} not Ready (e.g. ${notReady[0]!.metadata.name}: ${JSON.stringify(notReady[0]!.status?.conditions?.find((c) => c.type === 'Ready') ?? 'no status')})`);
        problems.push(...chaos.unhandledRequests(kind, objects));
        const dayFromNow = Date.now() + 24 * 3600_000;
        const short = objects.filter((o) => Date.parse((o.status as { currentSecret?: { expiresAt?: string } } | undefined)?.currentSecret?.expiresAt ?? '') < dayFromNow);
        if (short.length > 0) problems.push(`${short.length} ${kind.name} still on a short-lived secret`);
      }
      if (problems.length === 0) {
        onlyOrphansSince ??= Date.now();
        for (const kind of p.kinds) problems.push(...orphanCheck(sim, kind, byKind.get(kind.name) ?? [], secrets, 15_000).problems);
        if (problems.length === 0 || Date.now() - onlyOrphansSince > ORPHAN_WAIT_MS) return byKind;
      } else {
        onlyOrphansSince = undefined;
      }
      why = problems.slice(0, 6).join('; ');
    } catch (e) {
      why = String(e);
    }
    if (Date.now() > deadline) throw new Error(`cannot settle the secret fleet in "${ns}" within ${p.settleTimeoutMs} ms: ${why}`);
    // A slow settle says why while it waits (a run cut short by a timeout still shows it).
    if (Date.now() >= nextReport) {
      report('secret-crash-safety', { seed: p.seed, phase: 'settling', waitingFor: why });
      nextReport = Date.now() + 30_000;
    }
    await sleep(1_000);
  }
}
