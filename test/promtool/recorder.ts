// Records a running operator's /metrics the way Prometheus would: one scrape per tick, every sample
// with the target labels a ServiceMonitor scrape adds, and `up` (1: scrape answered 200, 0: failed).
// Turns the recording into promtool input series (one value per tick, `_` where a series was absent).
// Evaluates nothing.
import { parseExposition, seriesText, type Sample } from './exposition.ts';
import type { InputSeries } from './rule-tests.ts';

export interface Recording {
  /** Every successful scrape, raw (for the exposed-metrics check). */
  scrapes: Sample[][];
  /** series text → value per tick (undefined: absent then). */
  series: Map<string, (number | undefined)[]>;
  ticks: number;
}

export class Recorder {
  readonly recording: Recording = { scrapes: [], series: new Map(), ticks: 0 };

  private readonly url: () => string;
  private readonly target: Record<string, string>;

  constructor(url: () => string, target: Record<string, string>) {
    this.url = url;
    this.target = target;
  }

  private set(name: string, labels: Record<string, string>, value: number): void {
    const key = seriesText(name, { ...labels, ...this.target });
    const values = this.recording.series.get(key) ?? [];
    values[this.recording.ticks] = value;
    this.recording.series.set(key, values);
  }

  /** One scrape (bounded by 2 s, as a scrape timeout); returns the tick it was. */
  async scrape(): Promise<number> {
    let samples: Sample[] | undefined;
    try {
      const res = await fetch(this.url(), { signal: AbortSignal.timeout(2_000) });
      if (res.ok) samples = parseExposition(await res.text());
    } catch {
      // A refused or timed-out scrape is up=0, as in Prometheus.
    }
    if (samples) {
      this.recording.scrapes.push(samples);
      for (const s of samples) this.set(s.name, s.labels, s.value);
    }
    this.set('up', {}, samples ? 1 : 0);
    return this.recording.ticks++;
  }
}

const promtoolValue = (v: number | undefined): string => (v === undefined ? '_' : Number.isFinite(v) || Number.isNaN(v) ? String(v) : v > 0 ? 'Inf' : '-Inf');

/** The recording as promtool input series (those `keep` accepts). */
export function inputSeries(recording: Recording, keep: (series: string) => boolean = () => true): InputSeries[] {
  const out: InputSeries[] = [];
  for (const [series, values] of recording.series) {
    if (!keep(series)) continue;
    // A series that vanishes gets a staleness marker, as Prometheus writes when a scrape fails or
    // no longer has it; without one it would stay current for the 5-minute lookback.
    const text = Array.from({ length: recording.ticks }, (_, i) => (values[i] === undefined && values[i - 1] !== undefined && i > 0 ? 'stale' : promtoolValue(values[i])));
    out.push({ series, values: text.join(' ') });
  }
  return out;
}

/** The value of one series at a tick (undefined: absent). */
export function valueAt(recording: Recording, series: string, tick: number): number | undefined {
  return recording.series.get(series)?.[tick];
}
