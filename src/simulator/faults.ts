// Fault injection state and the dice that decide, per request, whether a fault fires: latency,
// injected error statuses, outage windows, the requests-per-minute budget, dropped write responses
// and malformed bodies. It decides only; server.ts applies the decision to the HTTP exchange. One
// controller holds the faults of every tenant, and each tenant has one of its own (fault-scope.ts
// combines them).
import type { Clock } from '../clock.ts';
import { SlidingWindowLimiter } from './rate-limiter.ts';
import { ROUTE_TEMPLATES } from './routes.ts';

/**
 * Fires for the next `next` eligible requests first, then with probability `rate` (0–1). A request
 * is eligible when it matches the optional selectors: `method` (e.g. POST) and `route` (a template
 * from ROUTES).
 */
export interface Trigger {
  rate: number;
  next: number;
  method?: string;
  route?: string;
}

/** What a request is, for the selectors of a trigger. */
export interface FaultMatch {
  method: string;
  route: string;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

export interface ErrorFault extends Trigger {
  status: number;
  /** Raw Retry-After value to send with it (delta-seconds or an HTTP date), if any. */
  retryAfter?: string;
}

export const MALFORMED_KINDS = ['html', 'truncated-json', 'wrong-shape', 'missing-id', 'different-id', 'huge-body'] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export interface MalformedFault extends Trigger {
  kind: MalformedKind;
}

export interface FaultSettings {
  latencyMs: number;
  jitterMs: number;
  errors: ErrorFault[];
  /** Epoch ms (simulator clock) until which every non-inspection request gets 503; null = none. */
  outageUntil: number | null;
  /** Admitted /api/ requests per sliding 60 s window; 0 = unlimited. */
  rateLimitPerMinute: number;
  dropResponses: Trigger;
  malformed: MalformedFault[];
  /** Size of a 'huge-body' response. */
  hugeBodyBytes: number;
}

/** What the inspection API and the options accept: any subset; `outageSeconds` opens a window from now. */
export interface FaultSettingsInput {
  latencyMs?: number;
  jitterMs?: number;
  errors?: (Partial<Trigger> & { status: number; retryAfter?: string })[];
  outageSeconds?: number;
  rateLimitPerMinute?: number;
  dropResponses?: Partial<Trigger>;
  malformed?: (Partial<Trigger> & { kind: MalformedKind })[];
  hugeBodyBytes?: number;
}

export function noFaults(): FaultSettings {
  return { latencyMs: 0, jitterMs: 0, errors: [], outageUntil: null, rateLimitPerMinute: 0, dropResponses: { rate: 0, next: 0 }, malformed: [], hugeBodyBytes: 2 * 1024 * 1024 };
}

export class FaultInputError extends Error {}

function bad(message: string): never {
  throw new FaultInputError(message);
}

const INPUT_KEYS = new Set(['latencyMs', 'jitterMs', 'errors', 'outageSeconds', 'rateLimitPerMinute', 'dropResponses', 'malformed', 'hugeBodyBytes']);

function num(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) bad(`${name} must be a number from ${min} to ${max}`);
  return v;
}

function trigger(v: Record<string, unknown>, name: string): Trigger {
  const allowed = new Set(['rate', 'next', 'status', 'retryAfter', 'kind', 'method', 'route']);
  for (const k of Object.keys(v)) if (!allowed.has(k)) bad(`${name}.${k} is not a known setting`);
  const rate = v['rate'] === undefined ? 0 : num(v['rate'], `${name}.rate`, 0, 1);
  const next = v['next'] === undefined ? 0 : num(v['next'], `${name}.next`, 0, 1e9);
  if (!Number.isInteger(next)) bad(`${name}.next must be an integer`);
  const out: Trigger = { rate, next };
  const method = v['method'];
  if (method !== undefined) {
    if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) bad(`${name}.method must be one of ${[...METHODS].join(', ')}`);
    out.method = method.toUpperCase();
  }
  const route = v['route'];
  if (route !== undefined) {
    if (typeof route !== 'string' || !ROUTE_TEMPLATES.has(route)) bad(`${name}.route must be a route template such as ${ROUTE_TEMPLATES.values().next().value ?? ''} (see ROUTES)`);
    out.route = route;
  }
  return out;
}

function matches(t: Trigger, m: FaultMatch | undefined): boolean {
  if (t.method === undefined && t.route === undefined) return true;
  if (!m) return false;
  return (t.method === undefined || t.method === m.method) && (t.route === undefined || t.route === m.route);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges validated input into `base` (only the given keys change). Throws FaultInputError. */
export function mergeFaults(base: FaultSettings, input: unknown, now: number): FaultSettings {
  if (!isObject(input)) bad('fault settings must be a JSON object');
  for (const k of Object.keys(input)) if (!INPUT_KEYS.has(k)) bad(`${k} is not a known fault setting`);
  const out: FaultSettings = { ...base, errors: [...base.errors], malformed: [...base.malformed], dropResponses: { ...base.dropResponses } };
  if (input['latencyMs'] !== undefined) out.latencyMs = num(input['latencyMs'], 'latencyMs', 0, 600_000);
  if (input['jitterMs'] !== undefined) out.jitterMs = num(input['jitterMs'], 'jitterMs', 0, 600_000);
  if (input['hugeBodyBytes'] !== undefined) out.hugeBodyBytes = Math.floor(num(input['hugeBodyBytes'], 'hugeBodyBytes', 1, 256 * 1024 * 1024));
  if (input['rateLimitPerMinute'] !== undefined) {
    out.rateLimitPerMinute = num(input['rateLimitPerMinute'], 'rateLimitPerMinute', 0, 10_000_000);
    if (!Number.isInteger(out.rateLimitPerMinute)) bad('rateLimitPerMinute must be an integer');
  }
  if (input['outageSeconds'] !== undefined) {
    const s = num(input['outageSeconds'], 'outageSeconds', 0, 86_400 * 365);
    out.outageUntil = s === 0 ? null : now + s * 1000;
  }
  if (input['dropResponses'] !== undefined) {
    if (!isObject(input['dropResponses'])) bad('dropResponses must be an object like {"rate":0.1} or {"next":1}');
    out.dropResponses = trigger(input['dropResponses'], 'dropResponses');
  }
  if (input['errors'] !== undefined) {
    if (!Array.isArray(input['errors'])) bad('errors must be a list like [{"status":503,"rate":0.2}]');
    out.errors = input['errors'].map((e: unknown, i) => {
      if (!isObject(e)) bad(`errors[${i}] must be an object`);
      const status = num(e['status'], `errors[${i}].status`, 400, 599);
      if (!Number.isInteger(status)) bad(`errors[${i}].status must be an integer`);
      const retryAfter = e['retryAfter'];
      if (retryAfter !== undefined && (typeof retryAfter !== 'string' || /[\r\n]/.test(retryAfter))) bad(`errors[${i}].retryAfter must be a one-line string`);
      return { status, ...trigger(e, `errors[${i}]`), ...(retryAfter !== undefined ? { retryAfter } : {}) };
    });
  }
  if (input['malformed'] !== undefined) {
    if (!Array.isArray(input['malformed'])) bad('malformed must be a list like [{"kind":"html","next":1}]');
    out.malformed = input['malformed'].map((m: unknown, i) => {
      if (!isObject(m)) bad(`malformed[${i}] must be an object`);
      const kind = m['kind'];
      if (typeof kind !== 'string' || !(MALFORMED_KINDS as readonly string[]).includes(kind)) bad(`malformed[${i}].kind must be one of ${MALFORMED_KINDS.join(', ')}`);
      return { kind: kind as MalformedKind, ...trigger(m, `malformed[${i}]`) };
    });
  }
  return out;
}

/** mulberry32: a tiny seeded PRNG so a seeded simulator rolls the same dice every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultController {
  private settings: FaultSettings;
  private readonly initial: FaultSettings;
  private readonly clock: Clock;
  private readonly random: () => number;
  readonly limiter: SlidingWindowLimiter;

  constructor(clock: Clock, random: () => number, initialInput?: FaultSettingsInput) {
    this.clock = clock;
    this.random = random;
    this.initial = initialInput ? mergeFaults(noFaults(), initialInput, clock.now()) : noFaults();
    // A copy: counted triggers count down in place, and a reset must see the start-time counts.
    this.settings = structuredClone(this.initial);
    this.limiter = new SlidingWindowLimiter(60_000);
  }

  /** Current settings, with outage and rate-limit state for display. */
  snapshot(): FaultSettings & { outageRemainingMs: number } {
    const now = this.clock.now();
    const s = structuredClone(this.settings);
    return { ...s, outageRemainingMs: s.outageUntil === null ? 0 : Math.max(0, s.outageUntil - now) };
  }

  /** Merges a partial update (throws FaultInputError on bad input; nothing changes then). */
  update(input: unknown): void {
    this.settings = mergeFaults(this.settings, input, this.clock.now());
  }

  /** Replaces all settings with the input on top of "no faults". */
  replace(input: unknown): void {
    this.settings = mergeFaults(noFaults(), input, this.clock.now());
  }

  clear(): void {
    this.settings = noFaults();
    this.limiter.reset();
  }

  /** Back to the start-time settings (options or CLI flags). */
  restoreInitial(): void {
    this.settings = structuredClone(this.initial);
    this.limiter.reset();
  }

  latencyMs(): number {
    const { latencyMs, jitterMs } = this.settings;
    return latencyMs + (jitterMs > 0 ? this.random() * jitterMs : 0);
  }

  inOutage(): boolean {
    const until = this.settings.outageUntil;
    return until !== null && this.clock.now() < until;
  }

  /** Counts an /api/ request against the budget: undefined if admitted, else Retry-After seconds. */
  admit(): number | undefined {
    const full = this.budgetFull();
    if (full === undefined) this.consumeBudget();
    else this.limiter.refuse();
    return full;
  }

  /** Retry-After seconds if the budget is used up now, else undefined. Records nothing. */
  budgetFull(): number | undefined {
    const limit = this.settings.rateLimitPerMinute;
    if (limit <= 0) return undefined;
    return this.limiter.check(this.clock.now(), limit);
  }

  /** Records an admitted request (when a budget is set). */
  consumeBudget(): void {
    if (this.settings.rateLimitPerMinute > 0) this.limiter.record(this.clock.now());
  }

  pickError(match?: FaultMatch): ErrorFault | undefined {
    const hit = this.pick(this.settings.errors, match);
    return hit ? { ...hit } : undefined;
  }

  /** Asked only after a write was applied with a success status. */
  shouldDrop(match?: FaultMatch): boolean {
    const t = this.settings.dropResponses;
    return matches(t, match) && this.fire(t);
  }

  /** Asked only for success responses that carry a body. */
  pickMalformed(match?: FaultMatch): MalformedKind | undefined {
    return this.pick(this.settings.malformed, match)?.kind;
  }

  hugeBodyBytes(): number {
    return this.settings.hugeBodyBytes;
  }

  private pick<T extends Trigger>(all: T[], match: FaultMatch | undefined): T | undefined {
    const list = all.filter((f) => matches(f, match));
    // Counted faults first (deterministic tests), in list order; then one roll against the rates.
    for (const f of list) {
      if (f.next > 0) {
        f.next -= 1;
        return f;
      }
    }
    const roll = list.some((f) => f.rate > 0) ? this.random() : 1;
    let acc = 0;
    for (const f of list) {
      acc += f.rate;
      if (roll < acc) return f;
    }
    return undefined;
  }

  private fire(t: Trigger): boolean {
    if (t.next > 0) {
      t.next -= 1;
      return true;
    }
    return t.rate > 0 && this.random() < t.rate;
  }
}
