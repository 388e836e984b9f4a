// Pure functions that decide a Secret's content for any kind: the kind's default keys, the
// template's extra keys with their $(variable) placeholders, labels, annotations and the content
// hash. No I/O. The placeholder syntax is deliberately tiny: it can name the kind's variables and
// nothing else (no files, no environment, no other Secrets).
import { createHash } from 'node:crypto';
import { Annotation, Label, MANAGED_BY } from '../api/conditions.ts';
import type { Secret } from '../api/objects.ts';
import type { ClientObject, SecretContents, SecretSpec } from './kind.ts';
import { formatSealed, holdsSealed, recordedDigest, SEALED_PREFIX, sealedDigest } from './secret-seal.ts';

export type ExpandResult = { ok: true; value: string } | { ok: false; error: string };

/** Expands $(variable) placeholders; `$$` is a literal `$`. Anything else after `$` is an error. */
export function expandPlaceholders(template: string, variables: Readonly<Record<string, string>>): ExpandResult {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch !== '$') {
      out += ch;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next !== '(') return { ok: false, error: `a '$' at position ${i} must start $(variable) or be written $$` };
    const close = template.indexOf(')', i + 2);
    if (close < 0) return { ok: false, error: `the placeholder at position ${i} is not closed with ')'` };
    const name = template.slice(i + 2, close);
    if (!Object.hasOwn(variables, name)) {
      return { ok: false, error: `unknown placeholder $(${name}); known: ${Object.keys(variables).map((v) => `$(${v})`).join(', ')}` };
    }
    out += variables[name];
    i = close;
  }
  return { ok: true, value: out };
}

/** Problems with the template that the CRD schema cannot see, as `<field>: <problem>` lines. */
export function templateProblems(spec: SecretSpec | undefined, variables: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(spec?.template?.data ?? {})) {
    const r = expandPlaceholders(value, variables);
    if (!r.ok) problems.push(`spec.secret.template.data[${key}]: ${r.error}`);
  }
  return problems;
}

/** The keys and plain-text values the operator writes (default keys, then template keys). */
export function secretData(spec: SecretSpec | undefined, contents: SecretContents): Record<string, string> {
  const data: Record<string, string> = { ...contents.data };
  for (const [key, template] of Object.entries(spec?.template?.data ?? {})) {
    const r = expandPlaceholders(template, contents.variables);
    if (r.ok) data[key] = r.value; // invalid templates never get here: validation stops them first
  }
  return data;
}

/**
 * A stable hash of the written content: apps roll on change, and hand edits show as a mismatch.
 * Sealed keys count by their digest, so the hash is known without the plaintext and still changes
 * whenever the sealed value does (every rotation).
 */
export function contentHash(data: Record<string, string>, sealed: Readonly<Record<string, string>> = {}): string {
  const h = createHash('sha256');
  const all: Record<string, string> = { ...data };
  for (const [key, digest] of Object.entries(sealed)) all[key] = SEALED_PREFIX + digest;
  for (const key of Object.keys(all).sort()) h.update(`${key}\0${all[key]}\0`);
  return h.digest('hex').slice(0, 32);
}

export function secretName(obj: ClientObject): string {
  return obj.spec.secret?.name ?? obj.metadata.name;
}

/** A sealed key as desired: its digest, and the plaintext when it is fresh (absent: keep what is there). */
export interface DesiredSealed {
  digest: string;
  plaintext?: string;
}

export interface DesiredSecret {
  name: string;
  namespace: string;
  /** Plain keys and values (sealed keys are in `sealed`). */
  data: Record<string, string>;
  sealed: Record<string, DesiredSealed>;
  /** Sealed keys to keep that the current Secret no longer holds (the kind must make a fresh value). */
  unkeepable: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Whether the operator creates and owns it (false: Merge into a Secret someone else owns). */
  owned: boolean;
}

/**
 * `owner` is the owner annotation's value (keys.ts ownerAnnotationOf); `current` the Secret as
 * cached, which a sealed value to keep is taken from (by digest: the plaintext is not needed).
 */
export function desiredSecret(obj: ClientObject, owner: string, contents: SecretContents, owned: boolean, current?: Secret): DesiredSecret {
  const data = secretData(obj.spec.secret, contents);
  const sealed: Record<string, DesiredSealed> = {};
  const unkeepable: string[] = [];
  for (const [key, value] of Object.entries(contents.sealed ?? {})) {
    delete data[key]; // a sealed key is never also a plain one
    if ('plaintext' in value) sealed[key] = { digest: sealedDigest(value.plaintext), plaintext: value.plaintext };
    else if (holdsSealed(current, key)) sealed[key] = { digest: recordedDigest(current, key) ?? '' };
    else unkeepable.push(key);
  }
  const digests = Object.fromEntries(Object.entries(sealed).map(([k, v]) => [k, v.digest]));
  const template = obj.spec.secret?.template;
  // Ours go last so a template cannot hide the Secret from the operator or fake its hash.
  const labels: Record<string, string> = { ...(owned ? template?.labels : {}), [Label.managed]: 'true' };
  if (owned) labels[Label.managedBy] = MANAGED_BY;
  const annotations: Record<string, string> = {
    ...(owned ? template?.annotations : {}),
    ...contents.annotations,
    [Annotation.owner]: owner,
    [Annotation.secretHash]: contentHash(data, digests),
    [Annotation.secretKeys]: [...Object.keys(data), ...Object.keys(sealed)].sort().join(','),
  };
  if (Object.keys(sealed).length > 0) annotations[Annotation.sealed] = formatSealed(new Map(Object.entries(digests)));
  return { name: secretName(obj), namespace: obj.metadata.namespace ?? '', data, sealed, unkeepable, labels, annotations, owned };
}
