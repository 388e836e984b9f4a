// `npm run bench [-- --scenario NAME[,NAME] --objects N --workers N --no-record]`: runs the benchmark
// scenarios against a private control plane, the simulator and the operator as a real process;
// prints one JSON line per scenario and a human summary, and appends the results to BENCHMARKS.md
// with the date, the machine and the git revision (unless --no-record).
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchEnvironment, ROOT } from './environment.ts';
import { rotation } from './rotation.ts';
import { burst, CCC_BURST, churn, ratelimit, steadyAndRestart, type ScenarioResult } from './scenarios.ts';
import { tenants } from './tenants-scenario.ts';
import { insideBenchNetns, rerunInNetns } from './peer/netns.ts';
import { OPERATOR_RESYNC_SECONDS, peerComparison, preparePeer } from './peer-scenario.ts';

const ALL = ['burst', 'steady', 'restart', 'ratelimit', 'churn', 'burst-ccc', 'rotation', 'tenants'] as const;
// Selected by name only (about an hour): the side-by-side run against provider-http (issue 15).
const EXTRA = ['peer'] as const;
type Scenario = (typeof ALL)[number] | (typeof EXTRA)[number];
const DEFAULT_OBJECTS: Record<Scenario, number> = { burst: 1000, steady: 10_000, restart: 10_000, ratelimit: 1000, churn: 1000, 'burst-ccc': 1000, rotation: 1000, tenants: 500, peer: 1000 };

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: ALL.join(',') },
    objects: { type: 'string' },
    workers: { type: 'string', default: '16' },
    minutes: { type: 'string', default: '3' },
    // peer only: the steady population, spec changes per side, resync/poll interval, default peer's window
    'steady-objects': { type: 'string', default: '10000' },
    changes: { type: 'string', default: '30' },
    'resync-seconds': { type: 'string', default: String(OPERATOR_RESYNC_SECONDS) },
    'default-window-seconds': { type: 'string', default: '180' },
    'no-record': { type: 'boolean', default: false },
  },
});
const scenarios = (values.scenario ?? '').split(',').map((s) => s.trim()) as Scenario[];
for (const s of scenarios) if (![...ALL, ...EXTRA].includes(s)) throw new Error(`unknown scenario "${s}"; choose from ${[...ALL, ...EXTRA].join(', ')}`);
const workers = Number(values.workers);
const objectsFor = (s: Scenario): number => (values.objects ? Number(values.objects) : DEFAULT_OBJECTS[s]);
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

function machine(): string {
  const revision = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() ? '+dirty' : '';
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, git ${revision}${dirty}`;
}

function summary(r: ScenarioResult): string {
  const figures = Object.entries(r.figures).map(([k, v]) => `    ${k}: ${v}`).join('\n');
  const targets = r.targets.map((t) => `    [${t.pass ? 'PASS' : 'FAIL'}] ${t.name}: ${t.value} (target ${t.target})`).join('\n');
  return `${r.scenario} (${r.objects} objects)\n${figures}\n${targets}`;
}

function markdown(results: ScenarioResult[]): string {
  const rows = results.flatMap((r) => r.targets.map((t) => `| ${r.scenario} | ${r.objects} | ${t.name} | ${t.target} | ${t.value} | ${t.pass ? 'pass' : '**FAIL**'} |`));
  const figures = results.map((r) => `- **${r.scenario}** (${r.objects}): ${Object.entries(r.figures).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const more = results.flatMap((r) => (r.markdown ? [r.markdown, ''] : []));
  return [`\n### Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`, '', `Machine: ${machine()}`, '', '| scenario | objects | target | goal | measured | result |', '|---|---|---|---|---|---|', ...rows, '', ...figures, '', ...more].join('\n');
}

async function main(): Promise<void> {
  log(`scenarios: ${scenarios.join(', ')}; machine: ${machine()}`);
  if (scenarios.includes('peer') && !insideBenchNetns()) {
    // Builds need the network; then the whole run goes into a network namespace of its own.
    await preparePeer(log);
    process.exitCode = await rerunInNetns(log);
    return;
  }
  const env = await BenchEnvironment.start(log);
  const results: ScenarioResult[] = [];
  const emit = (r: ScenarioResult): void => {
    results.push(r);
    process.stdout.write(`${JSON.stringify({ scenario: r.scenario, objects: r.objects, ...r.figures, targets: r.targets })}\n`);
    log(summary(r));
  };
  try {
    for (const s of scenarios) {
      const o = { objects: objectsFor(s), workers, log };
      log(`running ${s} with ${o.objects} objects`);
      if (s === 'burst') emit(await burst(env, o));
      if (s === 'burst-ccc') emit(await burst(env, o, CCC_BURST));
      if (s === 'rotation') emit(await rotation(env, o));
      if (s === 'ratelimit') emit(await ratelimit(env, o));
      if (s === 'churn') emit(await churn(env, o, Number(values.minutes)));
      if (s === 'tenants') emit(await tenants(env, o));
      if (s === 'peer') {
        const p = { burstObjects: o.objects, steadyObjects: Number(values['steady-objects']), changes: Number(values.changes), resyncSeconds: Number(values['resync-seconds']), defaultWindowSeconds: Number(values['default-window-seconds']), log };
        for (const r of await peerComparison(env, p)) emit(r);
      }
      if (s === 'steady' || (s === 'restart' && !scenarios.includes('steady'))) {
        for (const r of await steadyAndRestart(env, o, { steady: scenarios.includes('steady'), restart: scenarios.includes('restart') })) emit(r);
      }
    }
  } finally {
    await env.stop();
  }
  if (!values['no-record'] && results.length > 0) appendFileSync(join(ROOT, 'BENCHMARKS.md'), markdown(results));
  if (results.some((r) => r.targets.some((t) => !t.pass))) process.exitCode = 1;
}

await main();
