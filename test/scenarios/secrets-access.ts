// Scenario 6, secrets and access (design §4 "the Data Hub credential, tokens and Secret values never
// appear in logs, events or status"; least-privilege RBAC): an operator with a distinctive credential
// (read from a credentials directory, rotated to a wrong value and back), short-lived tokens (many
// refreshes, a mass revocation), Data Hub failures of every kind (so error paths log and report
// too), Secrets with distinctive template values; afterwards its whole log, every Event in the
// cluster, every object's status and the metrics are searched for each of those values. Also: the
// audit log shows it wrote Secrets (and everything else) only in the namespaces of the objects that
// own them, and an object in a namespace it does not watch got nothing at all.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, expect } from 'vitest';
import { derivedClientId } from '../../src/engine/identity.ts';
import { ROLE_TENANT_ADMINISTRATOR, ROLE_TENANT_MEMBER, type Simulator } from '../../src/simulator/index.ts';
import { kubeCall } from '../support/kube-admin.ts';
import { cluster, decode, OPERATOR_NAMESPACE, sleep, startOperator, startTestSimulator, testNamespace, type Acc, type OperatorProcess, type SecretObject } from '../support/operator-harness.ts';
import { kubeSystemUid, report, simpleSpec, waitAllReady } from './common.ts';
import { accsOn, conditionOf, isReady } from '../support/objects.ts';

const SA_USER = `system:serviceaccount:${OPERATOR_NAMESPACE}:datahub-operator`;

export interface LeakParams {
  objectsPerNamespace: number;
  /** Access token lifetime: short means many refreshes. */
  tokenLifetimeSeconds: number;
  /** How long to keep the operator busy (drift checks every 2 s) before searching. */
  soakMs: number;
}

export interface LeakFigures {
  tokensIssued: number;
  secretsWritten: number;
  needles: number;
  logLines: number;
  events: number;
  objectsSearched: number;
  auditWrites: number;
  leaks: number;
}

interface AuditEvent {
  stage: string;
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; namespace?: string; name?: string; subresource?: string };
  requestReceivedTimestamp: string;
}

function auditEvents(since: number): AuditEvent[] {
  const path = inject('controlPlane').auditLogPath;
  if (!path) throw new Error('cannot check writes: the shared control plane has no audit log');
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent)
    // Same host, same clock: no slack, or the last writes of the previous test file's operator count.
    .filter((e) => e.stage === 'ResponseComplete' && e.user.username === SA_USER && Date.parse(e.requestReceivedTimestamp) >= since);
}

export async function secretsAndAccess(p: LeakParams): Promise<LeakFigures> {
  const started = Date.now();
  const { kc } = await cluster();
  const tag = Math.random().toString(36).slice(2, 10);
  const clientId = `leak-admin-${tag}`;
  const secret = `leak-secret-${tag}-Zq9/+=`;
  const wrongSecret = `rotated-wrong-${tag}-Xk4`;
  const marker = `marker-${tag}`;
  const tokens: string[] = [];
  const sim: Simulator = await startTestSimulator({ tokenLifetimeSeconds: p.tokenLifetimeSeconds, credentials: [{ clientId, clientSecret: secret, roles: [ROLE_TENANT_ADMINISTRATOR, ROLE_TENANT_MEMBER] }] });
  const issue = sim.tokens.issue.bind(sim.tokens);
  sim.tokens.issue = (credential) => {
    const t = issue(credential);
    tokens.push(t.token);
    return t;
  };
  const credDir = mkdtempSync(join(tmpdir(), 'leak-credentials-'));
  const writeCredential = (s: string): void => {
    writeFileSync(join(credDir, 'client-id'), `${clientId}\n`);
    writeFileSync(join(credDir, 'client-secret'), `${s}\n`);
  };
  writeCredential(secret);

  const [a, b, unwatched] = [await testNamespace('leak-a'), await testNamespace('leak-b'), await testNamespace('leak-unwatched')];
  // Created before the operator starts: its first list must already leave it alone.
  await accsOn(kc).create(unwatched, 'ignored-early', simpleSpec('ignored-early'));
  let op: OperatorProcess | undefined;
  try {
    op = await startOperator({
      simulator: sim,
      namespaces: [a, b],
      args: [`--credentials-dir=${credDir}`, '--log-level=trace', '--resync-interval=2s', '--workers=4'],
      env: { DATAHUB_CLIENT_ID: '', DATAHUB_CLIENT_SECRET: '' },
    });
    // Every Secret carries a distinctive value; every third one has its own name.
    const specFor = (ns: string, i: number): Record<string, unknown> => ({
      ...simpleSpec(`${ns}-${i}`),
      secret: { ...(i % 3 === 1 && { name: `renamed-${i}` }), template: { data: { config: `${marker}-${ns}-${i}:$(clientId)@$(authority)` } } },
    });
    for (const ns of [a, b]) for (let i = 0; i < p.objectsPerNamespace; i++) await accsOn(kc).create(ns, `app-${i}`, specFor(ns, i));
    // A foreign Secret that an object merges into (Merge mode).
    await kubeCall(kc, { method: 'POST', path: `/api/v1/namespaces/${a}/secrets`, body: { metadata: { name: 'shared' }, stringData: { theirs: `their-value-${tag}` } } }, 'create foreign Secret');
    await accsOn(kc).create(a, 'merger', { ...simpleSpec('merger'), secret: { name: 'shared', creationPolicy: 'Merge', template: { data: { merged: `${marker}-merged-$(clientId)` } } } });
    await accsOn(kc).create(unwatched, 'ignored-late', simpleSpec('ignored-late'));
    const total = 2 * p.objectsPerNamespace + 1;
    const ready = async (): Promise<Acc[]> => [...(await waitAllReady(kc, a, p.objectsPerNamespace + 1, 120_000)), ...(await waitAllReady(kc, b, p.objectsPerNamespace, 120_000))];
    await ready();

    // Error paths, each of which logs, reports and emits a warning: 503s, a 400, a malformed answer, token revocation,
    // then a credential rotated to a wrong secret (401 invalid_client) and back.
    const poke = async (label: string): Promise<void> => {
      await kubeCall(kc, { method: 'PATCH', path: `/apis/identity.datahub.dev/v1alpha1/namespaces/${a}/authorizationcodeclients/app-0`, body: { spec: { displayName: `${label} ${tag}` } }, contentType: 'application/merge-patch+json' }, 'patch');
    };
    const waitReason = async (reason: string): Promise<void> => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(300)) {
        const acc = (await accsOn(kc).list(a)).find((x) => x.metadata.name === 'app-0');
        if (acc?.status?.observedGeneration === acc?.metadata.generation && conditionOf(acc, 'Ready')?.reason === reason) return;
      }
      throw new Error(`app-0 never reported ${reason}`);
    };
    for (const [label, faults, reason] of [
      ['during 503s', { errors: [{ status: 503, rate: 1 }] }, 'RemoteUnavailable'],
      ['rejected', { errors: [{ status: 400, rate: 1 }] }, 'RemoteRejected'],
      ['malformed', { malformed: [{ kind: 'html', rate: 1 }] }, 'RemoteInvalidResponse'],
    ] as const) {
      sim.faults.update(faults);
      await poke(label);
      await waitReason(reason);
      sim.faults.update({ errors: [], malformed: [] });
    }
    await poke('fixed');
    await ready();
    writeCredential(wrongSecret);
    sim.tokens.revokeAll();
    await poke('wrong credential');
    await waitReason('RemoteUnauthorized');
    writeCredential(secret);
    sim.tokens.revokeAll();
    // Retried slowly (a minute) after a 401: a reconcile request makes it try again now.
    await kubeCall(kc, { method: 'PATCH', path: `/apis/identity.datahub.dev/v1alpha1/namespaces/${a}/authorizationcodeclients/app-0`, body: { metadata: { annotations: { 'identity.datahub.dev/reconcile-requested-at': tag } } }, contentType: 'application/merge-patch+json' }, 'request reconcile');
    await ready();
    await sleep(p.soakMs); // drift checks, token refreshes
    const accs = await ready();
    expect(accs).toHaveLength(total);
    expect(tokens.length).toBeGreaterThanOrEqual(3);

    // What must never show up, and where to look.
    const managed = ((await kubeCall(kc, { method: 'GET', path: '/api/v1/secrets', query: { labelSelector: 'identity.datahub.dev/managed=true' } }, 'list Secrets')) as { items: SecretObject[] }).items;
    const ours = managed.filter((s) => [a, b].includes(s.metadata.namespace ?? ''));
    const publicValues = new Set(accs.flatMap((x) => [x.status?.clientId ?? '', x.status?.tenantId ?? '', sim.url, `${sim.url}/identity`, 'openid ocsapi', ...((x.spec.redirectUris as string[]) ?? [])]));
    const needles: Record<string, string> = {
      'client secret': secret,
      'client secret (base64)': Buffer.from(secret).toString('base64'),
      'client secret (URL-encoded)': encodeURIComponent(secret),
      'rotated wrong secret': wrongSecret,
      'rotated wrong secret (URL-encoded)': encodeURIComponent(wrongSecret),
      ...Object.fromEntries(tokens.map((t, i) => [`access token #${i + 1}`, t])),
    };
    for (const s of ours) {
      for (const [k, v] of Object.entries(decode(s))) {
        if (!publicValues.has(v)) needles[`Secret ${s.metadata.namespace}/${s.metadata.name} key ${k}`] = v;
        needles[`Secret ${s.metadata.namespace}/${s.metadata.name} key ${k} (base64)`] = Buffer.from(v).toString('base64');
      }
    }
    const events = (await kubeCall(kc, { method: 'GET', path: '/api/v1/events' }, 'list events')) as { items: unknown[] };
    const allAccs = (await kubeCall(kc, { method: 'GET', path: '/apis/identity.datahub.dev/v1alpha1/authorizationcodeclients' }, 'list objects')) as { items: Acc[] };
    const metricsText = await (await fetch(`http://127.0.0.1:${await op.metricsPort()}/metrics`)).text();
    const haystacks: Record<string, string> = {
      'operator log (raw file)': readFileSync(op.logFile, 'utf8'),
      'events (all namespaces)': JSON.stringify(events),
      'object status (all namespaces)': JSON.stringify(allAccs.items.map((x) => x.status ?? {})),
      metrics: metricsText,
    };
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [what, needle] of Object.entries(needles)) if (needle.length >= 8 && text.includes(needle)) leaks.push(`${what} in ${where}`);
      if (/bearer\s+[A-Za-z0-9._~+/-]{8,}/i.test(text)) leaks.push(`a bearer token in ${where}`);
    }
    expect(leaks).toEqual([]);

    // Writes: only in the namespaces of the objects that own them.
    const writes = auditEvents(started).filter((e) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(e.verb));
    const wrongPlace = writes.filter((e) => {
      const r = e.objectRef ?? {};
      if (r.resource === 'leases') return r.namespace !== OPERATOR_NAMESPACE;
      return ![a, b].includes(r.namespace ?? '');
    });
    expect(wrongPlace.map((e) => `${e.verb} ${e.objectRef?.resource}/${e.objectRef?.subresource ?? ''} ${e.objectRef?.namespace}/${e.objectRef?.name}`)).toEqual([]);
    const secretWrites = writes.filter((e) => e.objectRef?.resource === 'secrets');
    expect(secretWrites.length).toBeGreaterThanOrEqual(total);
    const expectedSecrets = new Set(accs.map((x) => `${x.metadata.namespace}/${x.status?.secretName}`));
    expect(secretWrites.filter((e) => !expectedSecrets.has(`${e.objectRef?.namespace}/${e.objectRef?.name}`)).map((e) => `${e.verb} ${e.objectRef?.namespace}/${e.objectRef?.name}`)).toEqual([]);
    for (const s of managed) {
      const owner = s.metadata.annotations?.['identity.datahub.dev/owner'] ?? '';
      expect(owner.split('/')[0], `Secret ${s.metadata.namespace}/${s.metadata.name} owned by ${owner}`).toBe(s.metadata.namespace);
    }

    // The namespace nobody told it to watch: nothing at all.
    const instanceId = await kubeSystemUid(kc);
    for (const name of ['ignored-early', 'ignored-late']) {
      const acc = (await accsOn(kc).list(unwatched)).find((x) => x.metadata.name === name)!;
      expect(acc.metadata.finalizers ?? []).toEqual([]);
      expect(acc.status?.conditions).toBeUndefined();
      expect(acc.status?.clientId).toBeUndefined();
      expect([undefined, -1]).toContain(acc.status?.observedGeneration);
      expect(isReady(acc)).toBe(false);
      expect(sim.clients.get(derivedClientId(instanceId, unwatched, name))).toBeUndefined();
      expect(sim.clients.all().some((c) => c.Name === `${unwatched}/${name}`)).toBe(false);
    }
    expect(JSON.stringify(events)).not.toContain(`"namespace":"${unwatched}"`);
    expect(managed.filter((s) => s.metadata.namespace === unwatched)).toEqual([]);
    expect(sim.clients.size).toBe(total);

    const figures: LeakFigures = { tokensIssued: tokens.length, secretsWritten: ours.length, needles: Object.keys(needles).length, logLines: op.logs().length, events: events.items.length, objectsSearched: allAccs.items.length, auditWrites: writes.length, leaks: leaks.length };
    report('secrets-and-access', { ...figures, secretWrites: secretWrites.length, durationMs: Date.now() - started });
    return figures;
  } finally {
    sim.faults.clear();
    writeCredential(secret);
    if (op?.component.running()) {
      for (const ns of [a, b]) await accsOn(kc).deleteAll(ns).catch(() => undefined);
      await op.stop();
    }
    // The unwatched objects never got a finalizer: they go without an operator.
    await accsOn(kc).deleteAll(unwatched, 30_000).catch(() => undefined);
    await sim.close();
    rmSync(credDir, { recursive: true, force: true });
  }
}
