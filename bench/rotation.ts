// The `rotation` benchmark (issue 14, design §8): N ClientCredentialsClients (default 1,000) made
// with the default secretRotation (90-day secrets), then one spec change makes every secret due at
// once (validFor 17520h, rotateBefore 2200h: each current secret expires within 2160h, so its
// rotation time has passed), under a Data Hub budget the simulator enforces (1,200 requests per
// minute, learnt by the operator from the first 429). Measured: time until every object holds a new
// secret and its previous one is deleted (grace 30 s), Data Hub requests per rotation, 429s after the
// first, the most requests admitted in any minute, API-server writes per rotation, and a sampler
// that checks all the time that no Secret holds a deleted or expired secret. At the end every
// Secret's secret must get a token from the simulator (none lost).
import { KubeConfig } from '@kubernetes/client-node';
import { ROUTES } from '../src/simulator/index.ts';
import { tokenCheck } from '../test/scenarios/secret-audit.ts';
import { CCC } from '../test/scenarios/secret-kinds.ts';
import { SecretSampler } from '../test/scenarios/secret-sampler.ts';
import type { Secret as SecretObject } from '../src/api/objects.ts';
import { CLIENT_CREDENTIALS_CLIENTS, isReady, type Ccc } from '../test/support/objects.ts';
import { sleep, type BenchEnvironment } from './environment.ts';
import { dataHubCounts, names, scenarioNamespace, startLeader, type ScenarioOptions, type ScenarioResult } from './scenarios.ts';

const BUDGET_PER_MINUTE = 1200;
const LATENCY_MS = 50;
const STORM = { validFor: '17520h', rotateBefore: '2200h', gracePeriod: '30s' };
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const YEAR_MS = 365 * 24 * 3_600_000;

export async function rotation(env: BenchEnvironment, o: ScenarioOptions): Promise<ScenarioResult> {
  const ns = await scenarioNamespace(env, 'rotation');
  env.sim.reset();
  env.sim.faults.replace({ latencyMs: LATENCY_MS, rateLimitPerMinute: BUDGET_PER_MINUTE });
  const op = await startLeader(env, [`--namespaces=${ns}`, `--workers=${o.workers}`, '--leader-election-id=bench-rotation']);
  const kc = new KubeConfig();
  kc.loadFromFile(env.cp.kubeconfigPath);
  const tracker = env.watchReadiness(ns, CLIENT_CREDENTIALS_CLIENTS);
  await tracker.synced();
  const list = names('rot', o.objects);
  const loadStarted = Date.now();
  await env.createObjects(ns, list, () => ({}), 32, CLIENT_CREDENTIALS_CLIENTS);
  await tracker.waitFor(o.objects, 900_000);
  o.log(`rotation: ${o.objects} ClientCredentialsClients Ready in ${round((Date.now() - loadStarted) / 1000)} s (under the budget); the storm starts`);
  const sampler = new SecretSampler(kc, ns, env.sim);
  await sampler.sample();
  sampler.start(1_000);

  env.markAudit();
  const dh0 = dataHubCounts(env);
  const stormStarted = env.sim.state.clock.now();
  const started = Date.now();
  await Promise.all(chunks(list, 32).map(async (part) => { for (const n of part) await env.patchSpec(ns, n, { secretRotation: STORM }, CLIENT_CREDENTIALS_CLIENTS); }));
  const patchedMs = Date.now() - started;
  // Done: every object Ready with a secret that lasts about two years and no previous one left.
  const doneAt = await until(() => list.every((n) => rotatedAndClean(tracker.get(ns, n))), 900_000, () => `${list.filter((n) => !rotatedAndClean(tracker.get(ns, n))).length} of ${o.objects} not rotated and cleaned yet`);
  const totalMs = doneAt - started;
  await sleep(2_000); // one more sample after the last delete
  await sampler.stop();
  const writes = env.writesSinceMark();
  const dh1 = dataHubCounts(env);
  const { peakMiB } = op.memory(); // before the process is gone
  await tracker.stop();
  await op.stop();

  const api = env.sim.requests.recent().filter((e) => e.time >= stormStarted && e.route !== ROUTES.token && e.route !== ROUTES.discovery);
  const firstEver429 = env.sim.requests.recent().find((e) => e.status === 429)?.time;
  const late429 = firstEver429 === undefined ? 0 : api.filter((e) => e.status === 429 && e.time > firstEver429 + 1_000).length;
  const admitted = api.filter((e) => e.status !== 429).sort((a, b) => a.time - b.time);
  let maxInAnyMinute = 0;
  for (let i = 0, j = 0; i < admitted.length; i++) {
    while (admitted[i]!.time - admitted[j]!.time >= 60_000) j++;
    maxInAnyMinute = Math.max(maxInAnyMinute, i - j + 1);
  }
  const adds = api.filter((e) => e.method === 'POST' && e.route === ROUTES.clientCredentialClientSecrets && e.status === 201).length;
  const deletes = api.filter((e) => e.method === 'DELETE' && e.route === ROUTES.clientCredentialClientSecret && e.status === 204).length;
  const others = admitted.filter((e) => e.route !== ROUTES.clientCredentialClientSecrets && e.route !== ROUTES.clientCredentialClientSecret);
  const byRoute: Record<string, number> = {};
  for (const e of admitted) {
    const key = `${e.method} ${e.route.replace(/^.*\/Tenants\/\{tenantId\}\//, '')} ${e.status}`;
    byRoute[key] = (byRoute[key] ?? 0) + 1;
  }
  // The ring must still hold the whole storm, or the counts above would be short.
  const ringCovered = (env.sim.requests.recent()[0]?.time ?? Infinity) <= stormStarted;
  const perRotation = admitted.length / o.objects;

  env.sim.faults.replace({});
  const secrets = (await env.http.json<{ items: SecretObject[] }>('GET', `/api/v1/namespaces/${ns}/secrets`, { verb: 'list', what: ns })).items.filter((s) => list.includes(s.metadata.name));
  const tokens = await tokenCheck(env.sim, CCC, secrets);
  const lost = o.objects - tokens.tokens;
  return {
    scenario: 'rotation',
    objects: o.objects,
    figures: {
      workers: o.workers,
      budgetPerMinute: BUDGET_PER_MINUTE,
      dataHubLatencyMs: LATENCY_MS,
      gracePeriod: STORM.gracePeriod,
      patchSeconds: round(patchedMs / 1000),
      totalSeconds: round(totalMs / 1000),
      // The floor the budget sets: an add and a delete per rotation.
      budgetFloorSeconds: round((2 * o.objects * 60) / BUDGET_PER_MINUTE),
      secretAdds: adds,
      secretDeletes: deletes,
      otherDataHubRequests: others.length,
      dataHubRequestsByRoute: JSON.stringify(byRoute),
      dataHubRequestsPerRotation: round(perRotation, 3),
      dataHubRequestsCounted: dh1.total - dh0.total,
      requestLogCoversStorm: String(ringCovered),
      rejected429: api.filter((e) => e.status === 429).length,
      rejected429AfterFirst: late429,
      maxAdmittedInAnyMinute: maxInAnyMinute,
      apiServerWrites: JSON.stringify(writes.byResource),
      apiServerWritesPerRotation: round(writes.total / o.objects, 2),
      samples: sampler.samples,
      secretChecks: sampler.checks,
      racesResolved: sampler.racesResolved,
      deadSecretSightings: sampler.violations.length,
      tokensObtained: tokens.tokens,
      peakRssMiB: round(peakMiB, 1),
    },
    targets: [
      { name: 'Data Hub requests per rotation', target: '≤ 2', value: round(perRotation, 3), pass: perRotation <= 2 && ringCovered },
      { name: '429s after the first one (1 s grace for requests in flight)', target: '0', value: late429, pass: late429 === 0 },
      { name: 'requests admitted in any minute', target: `≤ ${BUDGET_PER_MINUTE}`, value: maxInAnyMinute, pass: maxInAnyMinute <= BUDGET_PER_MINUTE },
      { name: 'sampled moments a Secret held a deleted or expired secret', target: '0', value: sampler.violations.length, pass: sampler.violations.length === 0 && sampler.samples > 0 },
      { name: 'Secrets whose client secret gets no token (lost)', target: '0', value: lost, pass: lost === 0 && tokens.problems.length === 0 },
    ],
  };
}

function rotatedAndClean(o: Ccc | undefined): boolean {
  if (!o || !isReady(o) || o.status?.observedGeneration !== o.metadata.generation) return false;
  const s = o.status as { currentSecret?: { expiresAt?: string }; previousSecret?: unknown } | undefined;
  return Date.parse(s?.currentSecret?.expiresAt ?? '') > Date.now() + YEAR_MS && s?.previousSecret === undefined;
}

async function until(done: () => boolean, timeoutMs: number, why: () => string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`cannot finish the rotation storm within ${timeoutMs / 1000} s: ${why()}`);
    await sleep(200);
  }
  return Date.now();
}

function chunks<T>(items: T[], n: number): T[][] {
  const out: T[][] = Array.from({ length: n }, () => []);
  items.forEach((x, i) => out[i % n]!.push(x));
  return out;
}
