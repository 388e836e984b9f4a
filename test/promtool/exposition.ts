// Parses the Prometheus text exposition format (what the operator's /metrics answers, prom-client's
// output: no timestamps, no exemplars) into samples, and writes a series back as PromQL selector text
// (promtool's input_series notation). Strict: a line it cannot read is an error, not skipped.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;

const unescape = (v: string): string => v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
const escape = (v: string): string => v.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`cannot parse metrics line "${line}": not <name>{<labels>} <value>`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = unescape(l[2]!);
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** `name{a="1",b="2"}` with the labels sorted, the identity of a series. */
export function seriesText(name: string, labels: Record<string, string>): string {
  const inner = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escape(labels[k]!)}"`)
    .join(',');
  return `${name}{${inner}}`;
}
