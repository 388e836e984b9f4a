// Scenario 5, bad input (design §8 "every invalid input rejected with a clear message and never a
// crash"): fuzzed manifests (fuzz-specs.ts) sent as kubectl sends them (strict field validation),
// each refused by the API server with a message naming what is wrong, or accepted and then Stalled by
// the operator with a message; malformed Data Hub answers (HTML, truncated JSON, wrong shape, no Id,
// another Id, a huge body) give RemoteInvalidResponse and recover when they stop; bad operator
// settings end the process at once with one line. Through all of it the operator process stays up
// and logs no error it did not expect.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { MALFORMED_KINDS, type MalformedKind, type Simulator } from '../../src/simulator/index.ts';
import { kubeRequest } from '../support/kube-admin.ts';
import { accPath, runCli, sleep, type Acc, type OperatorProcess } from '../support/operator-harness.ts';
import { between, crashSigns, report, seededRandom, simpleSpec } from './common.ts';
import { accsOn, conditionOf, isReady } from '../support/objects.ts';
import { fuzzSpecs, type FuzzCase } from './fuzz-specs.ts';

export interface BadSpecFigures {
  seed: number;
  cases: number;
  /** Cases built to be invalid (the edge cases that may be valid are counted apart). */
  invalid: number;
  rejected: number;
  stalled: number;
  edgeReady: number;
  edgeStalled: number;
  edgeRejected: number;
}

interface Outcome {
  c: FuzzCase;
  name: string;
  status: number;
  message: string;
  result?: 'stalled' | 'ready';
  reason?: string;
}

const mentions = (message: string, what: string): boolean => message.toLowerCase().includes(what.toLowerCase());

/** A clear message: present, printable, not a serialisation accident. */
function clearMessage(message: string): boolean {
  return message.trim().length > 0 && !/\[object Object\]|undefined|NaN/.test(message);
}

export async function fuzzBadSpecs(kc: KubeConfig, sim: Simulator, op: OperatorProcess, ns: string, seed: number, perGenerator: number): Promise<BadSpecFigures> {
  const cases = fuzzSpecs(seededRandom(seed), perGenerator);
  const outcomes: Outcome[] = [];
  for (const [i, c] of cases.entries()) {
    const name = `fuzz-${seed}-${i}`;
    const res = await kubeRequest(kc, { method: 'POST', path: accPath(ns), query: { fieldValidation: 'Strict' }, body: c.body.replace('"__NAME__"', JSON.stringify(name)), timeoutMs: 60_000 });
    const message = (res.body as { message?: string } | undefined)?.message ?? res.text;
    outcomes.push({ c, name, status: res.status, message });
  }
  // What the API server refused, it refused with a client error and a message saying what is wrong.
  const problems: string[] = [];
  for (const o of outcomes.filter((x) => x.status !== 201)) {
    if (o.c.expect === 'stall') problems.push(`${o.c.id} (${o.c.what}): expected the API server to accept it, got HTTP ${o.status}: ${o.message.slice(0, 200)}`);
    if (![400, 413, 422].includes(o.status)) problems.push(`${o.c.id} (${o.c.what}): HTTP ${o.status} is not a client error: ${o.message.slice(0, 200)}`);
    if (!clearMessage(o.message)) problems.push(`${o.c.id} (${o.c.what}): unclear message ${JSON.stringify(o.message.slice(0, 200))}`);
    if (o.c.mentions && !mentions(o.message, o.c.mentions)) problems.push(`${o.c.id} (${o.c.what}): the message does not mention ${o.c.mentions}: ${o.message.slice(0, 300)}`);
  }
  for (const o of outcomes.filter((x) => x.status === 201 && x.c.expect === 'reject')) problems.push(`${o.c.id} (${o.c.what}): accepted by the API server`);

  // What it accepted, the operator stops with a message (or, for an edge case, makes Ready).
  const accepted = outcomes.filter((o) => o.status === 201);
  const deadline = Date.now() + 90_000;
  while (accepted.some((o) => !o.result) && Date.now() < deadline) {
    const accs = new Map((await accsOn(kc).list(ns)).map((a) => [a.metadata.name, a]));
    for (const o of accepted.filter((x) => !x.result)) {
      const acc = accs.get(o.name);
      if (!acc || acc.status?.observedGeneration !== acc.metadata.generation) continue;
      const stalled = conditionOf(acc, 'Stalled');
      if (stalled?.status === 'True') {
        o.result = 'stalled';
        o.reason = stalled.reason;
        o.message = stalled.message;
      } else if (isReady(acc)) o.result = 'ready';
    }
    await sleep(500);
  }
  for (const o of accepted) {
    if (!o.result) problems.push(`${o.c.id} (${o.c.what}): neither Stalled nor Ready after 90 s`);
    else if (o.result === 'ready' && o.c.expect !== 'any') problems.push(`${o.c.id} (${o.c.what}): became Ready`);
    else if (o.result === 'stalled') {
      if (!['InvalidSpec', 'RemoteRejected'].includes(o.reason ?? '')) problems.push(`${o.c.id} (${o.c.what}): Stalled with reason ${o.reason}`);
      if (!clearMessage(o.message)) problems.push(`${o.c.id} (${o.c.what}): unclear Stalled message ${JSON.stringify(o.message.slice(0, 200))}`);
      if (o.c.mentions && !mentions(o.message, o.c.mentions)) problems.push(`${o.c.id} (${o.c.what}): the Stalled message does not mention ${o.c.mentions}: ${o.message.slice(0, 300)}`);
    }
  }
  expect(problems).toEqual([]);
  // A spec the operator's own validation stopped never reached Data Hub. (A Secret the API server
  // refuses, e.g. too large once expanded, is only found when it is written: after the client.)
  for (const o of accepted.filter((x) => x.reason === 'InvalidSpec' && x.message.startsWith('invalid spec'))) expect(sim.clients.all().some((c) => c.Name === `${ns}/${o.name}`)).toBe(false);
  expect(op.component.running()).toBe(true);
  expect(crashSigns(op)).toEqual([]);

  const edge = outcomes.filter((o) => o.c.expect === 'any');
  const invalid = outcomes.filter((o) => o.c.expect !== 'any');
  const figures: BadSpecFigures = {
    seed,
    cases: outcomes.length,
    invalid: invalid.length,
    rejected: invalid.filter((o) => o.status !== 201).length,
    stalled: invalid.filter((o) => o.result === 'stalled').length,
    edgeReady: edge.filter((o) => o.result === 'ready').length,
    edgeStalled: edge.filter((o) => o.result === 'stalled').length,
    edgeRejected: edge.filter((o) => o.status !== 201).length,
  };
  report('bad-specs', { ...figures, accepted: accepted.map((o) => `${o.c.what.slice(0, 60)} → ${o.result}${o.result === 'stalled' ? ` ${o.reason}: ${o.message.slice(0, 160)}` : ''}`) });
  return figures;
}

export interface MalformedFigures {
  kind: MalformedKind;
  path: 'create' | 'update';
  message: string;
  recoveredMs: number;
}

/**
 * For each kind of broken Data Hub answer: a new object (its create is applied but answered with
 * garbage) and a change to a Ready object (the PUT likewise) report RemoteInvalidResponse while the
 * fault lasts, then become Ready with exactly one client once it stops.
 */
export async function malformedResponses(kc: KubeConfig, sim: Simulator, op: OperatorProcess, ns: string, kinds: readonly MalformedKind[] = MALFORMED_KINDS, paths: ('create' | 'update')[] = ['create']): Promise<MalformedFigures[]> {
  const figures: MalformedFigures[] = [];
  for (const kind of kinds) {
    for (const path of paths) {
      const name = `malformed-${kind}-${path}`;
      if (path === 'update') {
        await accsOn(kc).create(ns, name, simpleSpec(name));
        await waitFor(kc, ns, name, (a) => isReady(a), 30_000);
      }
      sim.faults.update({ malformed: [{ kind, rate: 1 }], hugeBodyBytes: 8 * 1024 * 1024 });
      if (path === 'create') await accsOn(kc).create(ns, name, simpleSpec(name));
      else await accsOn(kc).patch(ns, name, { spec: { displayName: `${name} changed` } });
      const failing = await waitFor(kc, ns, name, (a) => a.status?.observedGeneration === a.metadata.generation && conditionOf(a, 'Ready')?.reason === 'RemoteInvalidResponse', 30_000);
      const ready = conditionOf(failing, 'Ready')!;
      expect(ready.status).toBe('False');
      expect(conditionOf(failing, 'Reconciling')).toMatchObject({ status: 'True', reason: 'RemoteInvalidResponse' });
      expect(conditionOf(failing, 'Stalled')).toBeUndefined();
      expect(clearMessage(ready.message)).toBe(true);
      // Never the garbage itself in the status: no HTML, no 8 MiB of padding.
      expect(ready.message).not.toMatch(/<html|<!DOCTYPE/i);
      expect(ready.message.length).toBeLessThan(2_000);
      sim.faults.update({ malformed: [] });
      const cleared = Date.now();
      const done = await waitFor(kc, ns, name, (a) => isReady(a), 90_000);
      const clients = sim.clients.all().filter((c) => c.Id === done.status?.clientId);
      expect(clients).toHaveLength(1);
      expect(clients[0]!.Name).toBe(path === 'create' ? `${ns}/${name}` : `${name} changed`);
      figures.push({ kind, path, message: ready.message, recoveredMs: Date.now() - cleared });
    }
  }
  expect(op.component.running()).toBe(true);
  expect(crashSigns(op)).toEqual([]);
  report('malformed-responses', { results: figures.map((f) => ({ ...f, message: f.message.slice(0, 200) })) });
  return figures;
}

async function waitFor(kc: KubeConfig, ns: string, name: string, ok: (a: Acc) => boolean, timeoutMs: number): Promise<Acc> {
  const deadline = Date.now() + timeoutMs;
  let last: Acc | undefined;
  for (;;) {
    last = (await accsOn(kc).list(ns)).find((a) => a.metadata.name === name);
    if (last && ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${ns}/${name}: ${JSON.stringify(last?.status ?? 'no status')}`);
    await sleep(250);
  }
}

export interface SettingCase {
  what: string;
  args: string[];
  env?: Record<string, string>;
  /** Exit code: 2 for a bad setting, 1 for a file that cannot be used. */
  code: 1 | 2;
  mentions: string;
}

/** Bad operator settings not already in runtime.test.ts, some with seeded junk values. */
export function badSettings(seed: number): SettingCase[] {
  const r = seededRandom(seed);
  const junk = (): string => Array.from({ length: between(r, 3, 12) }, () => String.fromCodePoint(between(r, 0x21, 0x7e), between(r, 0x370, 0x3ff))).join('');
  const dir = tmpdir();
  const badYaml = join(dir, `bad-kubeconfig-${seed}.yaml`);
  // A broken kubeconfig whose token sits next to the syntax error: the error must not quote it.
  writeFileSync(badYaml, 'apiVersion: v1\nusers: [{name: u, user: {token: KUBECONFIG-TOKEN-MUST-NOT-LEAK}}\nclusters: [\n  - {{{\n');
  return [
    { what: 'workers not a number', args: [`--workers=${junk()}`], code: 2, mentions: '--workers' },
    { what: 'workers negative', args: ['--workers=-1'], code: 2, mentions: '--workers' },
    { what: 'workers from env with a newline', args: [], env: { WORKERS: '4\n8' }, code: 2, mentions: '--workers' },
    { what: 'tenant with a newline and an escape sequence', args: [], env: { DATAHUB_TENANT_ID: 'abc\ndef\u001b[31m' }, code: 2, mentions: '--tenant-id' },
    { what: 'tenant of 100,000 characters', args: [`--tenant-id=${'t'.repeat(100_000)}`], code: 2, mentions: '--tenant-id' },
    { what: 'javascript: Data Hub URL', args: ['--datahub-url=javascript:alert(1)'], code: 2, mentions: '--datahub-url' },
    { what: 'Data Hub URL of junk', args: [`--datahub-url=${junk()}`], code: 2, mentions: '--datahub-url' },
    { what: 'namespace list with a bad entry', args: ['--namespaces=a,,B'], code: 2, mentions: '--namespaces' },
    { what: 'label selector with an open parenthesis', args: ['--label-selector=tier in (web'], code: 2, mentions: '--label-selector' },
    { what: 'label selector of junk', args: [`--label-selector=${junk()}`], code: 2, mentions: '--label-selector' },
    { what: 'Lease name with a slash', args: ['--leader-election-id=Bad/Lease'], code: 2, mentions: '--leader-election-id' },
    { what: 'Lease namespace with a space', args: [], env: { POD_NAMESPACE: 'my namespace' }, code: 2, mentions: '--leader-election-namespace' },
    { what: 'log level in upper case', args: ['--log-level=INFO'], code: 2, mentions: '--log-level' },
    { what: 'rate limit in exponent notation', args: ['--datahub-rate-limit=1e3'], code: 2, mentions: '--datahub-rate-limit' },
    { what: 'instance id of unicode', args: [`--instance-id=${junk()}`], code: 2, mentions: '--instance-id' },
    { what: 'negative shutdown timeout', args: ['--shutdown-timeout=-1s'], code: 2, mentions: '--shutdown-timeout' },
    { what: 'resync interval with two dots', args: ['--resync-interval=1.5.5s'], code: 2, mentions: '--resync-interval' },
    { what: 'IPv6 probe address without its bracket', args: ['--health-probe-bind-address=[::1:8081'], code: 2, mentions: '--health-probe-bind-address' },
    { what: 'boolean flag as 1', args: ['--leader-elect=1'], code: 2, mentions: '--leader-elect' },
    { what: 'a kubeconfig that is a directory', args: [`--kubeconfig=${dir}`], code: 1, mentions: 'kubeconfig' },
    { what: 'a kubeconfig with a YAML syntax error next to a token', args: [`--kubeconfig=${badYaml}`], code: 1, mentions: 'kubeconfig' },
  ];
}

export interface SettingOutcome {
  what: string;
  code: number | null;
  stderr: string;
}

/** Runs `datahub-operator run` with each bad setting: exit code, exactly one stderr line, nothing secret. */
export async function checkBadSettings(cases: SettingCase[], secret: string): Promise<SettingOutcome[]> {
  const outcomes: SettingOutcome[] = [];
  for (const c of cases) {
    const env = { DATAHUB_TENANT_ID: 'tenant-1', DATAHUB_CLIENT_ID: 'id', DATAHUB_CLIENT_SECRET: secret, ...c.env };
    const { code, stdout, stderr } = await runCli(['run', '--metrics-bind-address=0', '--health-probe-bind-address=0', ...c.args], env);
    outcomes.push({ what: c.what, code, stderr });
    expect({ what: c.what, code }).toEqual({ what: c.what, code: c.code });
    expect(stderr.endsWith('\n') && stderr.split('\n').length === 2, `${c.what}: ${JSON.stringify(stderr.slice(0, 500))}`).toBe(true);
    expect(stderr).toMatch(/^datahub-operator: /);
    expect(stderr).toContain(c.mentions);
    // No control characters (a value cannot drive the terminal), bounded length, nothing secret.
    expect([...stderr.slice(0, -1)].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), c.what).toBe(false);
    expect(stderr.length).toBeLessThan(1_000);
    for (const s of [secret, 'KUBECONFIG-TOKEN-MUST-NOT-LEAK']) expect(stderr + stdout).not.toContain(s);
    // A bad setting is refused before anything starts: no log output at all; a bad kubeconfig after one start line.
    if (c.code === 2) expect(stdout).toBe('');
  }
  report('bad-settings', { cases: outcomes.length, lines: outcomes.map((o) => `${o.what}: exit ${o.code}: ${o.stderr.trim().slice(0, 160)}`) });
  return outcomes;
}
