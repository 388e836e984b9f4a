// Value parsers of the simulator's command line, each failing with one line that names the flag.
// No flag table here (cli.ts owns it) and no I/O.

export class FlagError extends Error {}

export function flagError(message: string): never {
  throw new FlagError(message);
}

export function parseInteger(name: string, v: string, min: number): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min) flagError(`--${name} must be an integer ≥ ${min}, got "${v}"`);
  return Number(v);
}

export function parseRate(name: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) flagError(`--${name}: rate must be a number from 0 to 1, got "${v}"`);
  return n;
}

export function parseDuration(name: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v.trim());
  if (!m) flagError(`--${name} must be a duration like 50, 50ms or 1.5s, got "${v}"`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

export function parseChoice<T extends string>(name: string, v: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(v)) flagError(`--${name} must be ${choices.join(' or ')}, got "${v}"`);
  return v as T;
}
