// Pure functions that decide the Secret's content: the default keys, the template's extra keys with
// their $(variable) placeholders, labels, annotations and the content hash. No I/O. The placeholder
// syntax is deliberately tiny: it can name the listed variables and nothing else (no files, no
// environment, no other Secrets).
import { createHash } from 'node:crypto';
import { Annotation, Label, MANAGED_BY } from '../api/conditions.ts';
import type { AuthorizationCodeClient } from '../api/types.generated.ts';

export const DEFAULT_SCOPE = 'openid ocsapi';

export interface SecretValues {
  clientId: string;
  tenantId: string;
  resource: string;
  authority: string;
  redirectUri: string;
  scope: string;
  namespace: string;
  name: string;
}

const VARIABLES: ReadonlySet<string> = new Set<keyof SecretValues>(['clientId', 'tenantId', 'resource', 'authority', 'redirectUri', 'scope', 'namespace', 'name']);

export function secretValues(obj: AuthorizationCodeClient, clientId: string, tenantId: string, resource: string): SecretValues {
  const base = resource.replace(/\/+$/, '');
  return {
    clientId,
    tenantId,
    resource: base,
    authority: `${base}/identity`,
    redirectUri: obj.spec.redirectUris[0] ?? '',
    scope: DEFAULT_SCOPE,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
  };
}

export function secretName(obj: AuthorizationCodeClient): string {
  return obj.spec.secret?.name ?? obj.metadata.name;
}

export type ExpandResult = { ok: true; value: string } | { ok: false; error: string };

/** Expands $(variable) placeholders; `$$` is a literal `$`. Anything else after `$` is an error. */
export function expandPlaceholders(template: string, values: SecretValues): ExpandResult {
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
    if (!VARIABLES.has(name)) return { ok: false, error: `unknown placeholder $(${name}); known: ${[...VARIABLES].map((v) => `$(${v})`).join(', ')}` };
    out += values[name as keyof SecretValues];
    i = close;
  }
  return { ok: true, value: out };
}

/** Problems with the template that the CRD schema cannot see, as `<field>: <problem>` lines. */
export function templateProblems(obj: AuthorizationCodeClient): string[] {
  const data = obj.spec.secret?.template?.data ?? {};
  const dummy = secretValues(obj, 'x', 'x', 'x');
  const problems: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    const r = expandPlaceholders(value, dummy);
    if (!r.ok) problems.push(`spec.secret.template.data[${key}]: ${r.error}`);
  }
  return problems;
}

/** The keys and plain-text values the operator writes (default keys, then template keys). */
export function secretData(obj: AuthorizationCodeClient, values: SecretValues): Record<string, string> {
  const data: Record<string, string> = {
    clientId: values.clientId,
    tenantId: values.tenantId,
    resource: values.resource,
    authority: values.authority,
    redirectUri: values.redirectUri,
    scope: values.scope,
  };
  for (const [key, template] of Object.entries(obj.spec.secret?.template?.data ?? {})) {
    const r = expandPlaceholders(template, values);
    if (r.ok) data[key] = r.value; // invalid templates never get here: validation stops them first
  }
  return data;
}

/** A stable hash of the written content: apps roll on change, and hand edits show as a mismatch. */
export function contentHash(data: Record<string, string>): string {
  const h = createHash('sha256');
  for (const key of Object.keys(data).sort()) h.update(`${key}\0${data[key]}\0`);
  return h.digest('hex').slice(0, 32);
}

export interface DesiredSecret {
  name: string;
  namespace: string;
  data: Record<string, string>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Whether the operator creates and owns it (false: Merge into a Secret someone else owns). */
  owned: boolean;
}

export function desiredSecret(obj: AuthorizationCodeClient, values: SecretValues, owned: boolean): DesiredSecret {
  const data = secretData(obj, values);
  const template = obj.spec.secret?.template;
  // Ours go last so a template cannot hide the Secret from the operator or fake its hash.
  const labels: Record<string, string> = { ...(owned ? template?.labels : {}), [Label.managed]: 'true' };
  if (owned) labels[Label.managedBy] = MANAGED_BY;
  const annotations: Record<string, string> = {
    ...(owned ? template?.annotations : {}),
    [Annotation.owner]: `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`,
    [Annotation.secretHash]: contentHash(data),
    [Annotation.secretKeys]: Object.keys(data).sort().join(','),
  };
  return { name: secretName(obj), namespace: obj.metadata.namespace ?? '', data, labels, annotations, owned };
}
