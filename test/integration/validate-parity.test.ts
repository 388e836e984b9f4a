// `datahub-operator validate` (the built CLI, offline) and the real API server (kubectl apply
// --dry-run=server, the same crds/) must give the same verdict on every row of the invalid-spec table:
// every bad spec refused by both, every accepted edge case accepted by both. Where the API server
// names the field (the row's first fragment starts with "spec."), validate must name it too.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubectl } from '../support/kube-admin.ts';
import { cluster, REPO_ROOT, testNamespace } from '../support/operator-harness.ts';
import { ACCEPTED_SPECS, BAD_SPECS, type TableKind } from '../scenarios/invalid-spec-table.ts';

interface Row {
  kind: TableKind;
  name: string;
  what: string;
  spec: Record<string, unknown>;
  rejected: boolean;
  /** The field the API server names first, when the row says. */
  field?: string;
}

const ROWS: Row[] = [
  ...BAD_SPECS.map((r, i) => ({ kind: r.kind ?? 'AuthorizationCodeClient', name: `bad-${i}`, what: r.what, spec: r.spec, rejected: true, field: /^spec\.[^:]+/.exec(r.expect[0] ?? '')?.[0].replace(/ .*/, '') })),
  ...ACCEPTED_SPECS.map((r) => ({ kind: r.kind ?? 'AuthorizationCodeClient', name: r.name, what: r.what, spec: r.spec, rejected: false })),
];

const manifest = (kind: TableKind, namespace: string, name: string, spec: unknown): string =>
  stringify({ apiVersion: 'identity.datahub.dev/v1alpha1', kind, metadata: { name, namespace }, spec });

interface ValidateProblem {
  namespace: string;
  name: string;
  field: string;
  message: string;
}

/** Runs the built CLI once on all rows (each in its own namespace, so rows cannot conflict). */
function runValidate(): Promise<{ code: number | null; problems: ValidateProblem[]; stderr: string }> {
  const input = ROWS.map((r) => manifest(r.kind, `row-${r.name}`, r.name, r.spec)).join('---\n');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'main.js'), 'validate', '--output', 'json', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve({ code, problems: (JSON.parse(stdout) as { problems: ValidateProblem[] }).problems, stderr });
      } catch (err) {
        reject(new Error(`validate printed no JSON (exit ${code}): ${stderr}`, { cause: err }));
      }
    });
    child.stdin.end(input);
  });
}

let byName: Map<string, ValidateProblem[]>;
let ns: string;

beforeAll(async () => {
  ns = await testNamespace('validate-parity');
  const result = await runValidate();
  expect(result.code, result.stderr).toBe(1);
  const perKind = new Map<string, number>();
  for (const r of ROWS) perKind.set(r.kind, (perKind.get(r.kind) ?? 0) + 1);
  const counts = [...perKind].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k} ${n}`).join(', ');
  expect(result.stderr).toContain(`${ROWS.length} checked (${counts})`);
  byName = new Map(ROWS.map((r) => [r.name, result.problems.filter((p) => p.name === r.name)]));
});

describe('validate and the API server agree on every row of the invalid-spec table', () => {
  it('covers the whole table', () => {
    expect(ROWS.length).toBe(BAD_SPECS.length + ACCEPTED_SPECS.length);
    expect(BAD_SPECS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(ROWS)('$name: $what', async (row) => {
    const { info } = await cluster();
    const server = await kubectl(info, ['apply', '--dry-run=server', '-f', '-'], { stdin: manifest(row.kind, ns, row.name, row.spec), timeoutMs: 30_000 });
    const problems = byName.get(row.name) ?? [];
    const serverRejected = server.code !== 0;
    const validateRejected = problems.length > 0;
    const detail = `API server: exit ${server.code} ${server.stderr.trim()}\nvalidate: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ') || 'no problem'}`;
    expect(serverRejected, detail).toBe(row.rejected);
    expect(validateRejected, detail).toBe(serverRejected);
    if (row.field) expect(problems.some((p) => p.field.startsWith(row.field!)), detail).toBe(true);
  });
});
