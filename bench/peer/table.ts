// Turns the figures of one peer-scenario run into BENCHMARKS.md's comparison table and the targets
// for the operator (issue 15). Pure: numbers in, markdown and pass/fail out.
import type { Figures } from './phases.ts';

/** Everything measured for one side, by phase. */
export interface SideFigures {
  burst: Figures;
  changes: Figures;
  steady: Figures;
  restart: Figures;
}

export interface Target {
  name: string;
  target: string;
  value: number | string;
  pass: boolean;
}

const num = (f: Figures, key: string): number => Number(f[key] ?? NaN);

/** "12.3×" (peer ÷ ours), "∞" when ours is 0 and the peer is not, "—" when both are 0. */
export function ratio(peer: number, ours: number): string {
  if (!Number.isFinite(peer) || !Number.isFinite(ours)) return '—';
  if (ours === 0) return peer === 0 ? '—' : '∞';
  const r = peer / ours;
  return `${r >= 10 ? Math.round(r) : Math.round(r * 10) / 10}×`;
}

function row(label: string, ours: string, def: string, tuned: string, ratios: string): string {
  return `| ${label} | ${ours} | ${def} | ${tuned} | ${ratios} |`;
}

function numericRow(label: string, phase: keyof SideFigures, key: string, unit: string, s: { ours: SideFigures; def: SideFigures; tuned: SideFigures }): string {
  const v = (x: SideFigures): number => num(x[phase], key);
  const show = (x: SideFigures): string => `${v(x)}${unit}`;
  return row(label, show(s.ours), show(s.def), show(s.tuned), `${ratio(v(s.def), v(s.ours))} / ${ratio(v(s.tuned), v(s.ours))}`);
}

/** The table of issue 15: columns ours | provider-http default | provider-http tuned | ratio (default ÷ ours / tuned ÷ ours). */
export function comparisonTable(s: { ours: SideFigures; def: SideFigures; tuned: SideFigures }, steadyObjects: number, burstObjects: number): string {
  const latency = (x: SideFigures): string => `${num(x.changes, 'p50Seconds')} s / ${num(x.changes, 'p99Seconds')} s${num(x.changes, 'converged') < num(x.changes, 'changes') ? ` (${num(x.changes, 'converged')} of ${num(x.changes, 'changes')})` : ''}`;
  const n = steadyObjects.toLocaleString('en-US');
  return [
    '| figure | ours | provider-http default | provider-http tuned | ratio (default ÷ ours / tuned ÷ ours) |',
    '|---|---|---|---|---|',
    numericRow(`${burstObjects.toLocaleString('en-US')}-object burst: time to all Ready`, 'burst', 'totalSeconds', ' s', s),
    numericRow('Data Hub requests per new object', 'burst', 'dataHubRequestsPerObject', '', s),
    numericRow('burst: objects stuck until a person removes an annotation (done at once by the bench)', 'burst', 'manualInterventions', '', s),
    numericRow('API-server writes per new object', 'burst', 'apiServerWritesPerObject', '', s),
    numericRow(`steady state, ${n} objects: Data Hub reads per minute`, 'steady', 'dataHubReadsPerMinute', '', s),
    numericRow(`steady state, ${n} objects: API-server writes per minute`, 'steady', 'apiServerWritesPerMinute', '', s),
    numericRow(`resident memory at ${n} objects (max in the window)`, 'steady', 'maxRssMiB', ' MiB', s),
    numericRow(`CPU at ${n} objects, steady state (seconds per minute)`, 'steady', 'cpuSecondsPerMinute', '', s),
    numericRow(`restart with ${n} objects: time until every object was observed again`, 'restart', 'seconds', ' s', s),
    row('a spec change → Data Hub updated (p50 / p99)', latency(s.ours), latency(s.def), latency(s.tuned), `${ratio(num(s.def.changes, 'p50Seconds'), num(s.ours.changes, 'p50Seconds'))} / ${ratio(num(s.tuned.changes, 'p50Seconds'), num(s.ours.changes, 'p50Seconds'))} (p50)`),
  ].join('\n');
}

/** The operator's targets against the peer (issue 15). */
export function peerTargets(s: { ours: SideFigures; def: SideFigures; tuned: SideFigures }): Target[] {
  const burst = (x: SideFigures): number => num(x.burst, 'totalSeconds');
  const writes = (x: SideFigures): number => num(x.burst, 'apiServerWritesPerObject');
  const reads = (x: SideFigures): number => num(x.steady, 'dataHubReadsPerMinute');
  const fasterDefault = burst(s.def) / burst(s.ours);
  const fasterTuned = burst(s.tuned) / burst(s.ours);
  const peerWrites = Math.min(writes(s.def), writes(s.tuned));
  const peerReads = Math.min(reads(s.def), reads(s.tuned));
  const steadyWrites = num(s.ours.steady, 'apiServerWritesPerMinute');
  const r = (x: number): number | string => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : 'n/a');
  return [
    { name: 'burst: times faster than provider-http at its defaults', target: '≥ 5', value: r(fasterDefault), pass: fasterDefault >= 5 },
    { name: 'burst: times faster than provider-http tuned', target: '≥ 1.5', value: r(fasterTuned), pass: fasterTuned >= 1.5 },
    { name: 'API-server writes per new object ÷ the peer\'s', target: '≤ 0.33', value: r(writes(s.ours) / peerWrites), pass: writes(s.ours) * 3 <= peerWrites },
    { name: 'steady-state API-server writes per minute', target: '0', value: steadyWrites, pass: steadyWrites === 0 },
    { name: 'steady-state Data Hub reads ÷ the peer\'s', target: '≤ 0.02', value: r(reads(s.ours) / peerReads), pass: reads(s.ours) * 50 <= peerReads },
  ];
}
