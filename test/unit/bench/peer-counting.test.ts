// The counting and parsing behind the peer scenario (bench/peer-scenario.ts), which needs the
// provider-http build and an hour, so CI checks its instruments here instead: audit-log writes per
// user, listener checks from `ss`, the Request that declares the peer's job, and the table/targets.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditCursor, countByResource, parseAuditWrites } from '../../../bench/peer/audit-log.ts';
import { listenerProblems, parseLinkNames, parseListeners } from '../../../bench/peer/netns.ts';
import { derivedClientId, operatorCreateBody } from '../../../bench/peer/operator-parity.ts';
import { peerReady, peerRequest } from '../../../bench/peer/request.ts';
import { operatorSide, peerSide } from '../../../bench/peer/sides.ts';
import { comparisonTable, peerTargets, ratio, type SideFigures } from '../../../bench/peer/table.ts';

const PEER = 'system:serviceaccount:provider-http-system:provider-http';
const OURS = 'system:serviceaccount:datahub-operator-system:datahub-operator';

function event(user: string, verb: string, ref: Record<string, string>, code = 200, at = '2026-01-01T00:00:01.500000Z'): string {
  return JSON.stringify({ kind: 'Event', level: 'Metadata', stage: 'ResponseComplete', verb, user: { username: user, groups: ['system:serviceaccounts'] }, objectRef: ref, responseStatus: { code }, stageTimestamp: at });
}

describe('audit log counting', () => {
  const lines = [
    event(PEER, 'update', { resource: 'requests', subresource: 'status', namespace: 'ns', name: 'a' }),
    event(PEER, 'update', { resource: 'secrets', namespace: 'ns', name: 'a' }, 409),
    event(PEER, 'create', { resource: 'events', namespace: 'ns', name: 'a.17f0c0ffee' }),
    event(PEER, 'create', { resource: 'events', namespace: 'ns', name: 'ab.17f0c0ffee' }),
    event(PEER, 'get', { resource: 'secrets', namespace: 'ns', name: 'a' }),
    event(PEER, 'update', { resource: 'leases', namespace: 'kube-system', name: 'lock' }),
    event(OURS, 'patch', { resource: 'authorizationcodeclients', subresource: 'status', namespace: 'ns', name: 'a' }),
    // another user whose name contains the peer's: must not count
    event(`${PEER}-other`, 'update', { resource: 'secrets', namespace: 'ns', name: 'a' }),
  ];

  it('counts one user\'s writes by verb and resource, leaving out reads and leases, keeping refused writes', () => {
    const writes = parseAuditWrites(lines.join('\n'), PEER);
    expect(countByResource(writes)).toEqual({ 'update requests/status': 1, 'update secrets': 1, 'create events': 2 });
    expect(writes.filter((w) => w.code >= 400)).toHaveLength(1);
    expect(writes[0]!.time).toBe(Date.parse('2026-01-01T00:00:01.500Z'));
    expect(countByResource(parseAuditWrites(lines.join('\n'), OURS))).toEqual({ 'patch authorizationcodeclients/status': 1 });
  });

  const dir = mkdtempSync(join(tmpdir(), 'bench-peer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads on from a mark, and leaves a line still being written for the next read', () => {
    const path = join(dir, 'audit.log');
    writeFileSync(path, `${lines[0]}\n`);
    const cursor = new AuditCursor(path);
    expect(cursor.next(PEER)).toEqual([]);
    const half = lines[1]!.slice(0, 40);
    appendFileSync(path, `${lines[2]}\n${half}`);
    expect(cursor.next(PEER).map((w) => w.resource)).toEqual(['events']);
    appendFileSync(path, `${lines[1]!.slice(40)}\n`);
    expect(cursor.next(PEER).map((w) => `${w.resource} ${w.code}`)).toEqual(['secrets 409']);
    expect(cursor.next(PEER)).toEqual([]);
  });
});

describe('listener checks', () => {
  const inside = [
    'LISTEN 0 4096 127.0.0.1:2379 0.0.0.0:* users:(("etcd",pid=11,fd=7))',
    'LISTEN 0 511 127.0.0.1:41234 0.0.0.0:* users:(("node",pid=10,fd=30))',
    'LISTEN 0 4096 *:8080 *:* users:(("provider",pid=12,fd=3))',
    'LISTEN 0 4096 [::1]:9443 [::]:* users:(("kube-apiserver",pid=13,fd=3))',
  ].join('\n');

  it('parses ss output: address, port and owners', () => {
    const l = parseListeners(`${inside}\nLISTEN 0 128 0.0.0.0:2024 0.0.0.0:*\n`);
    expect(l.map((x) => `${x.address}:${x.port}`)).toEqual(['127.0.0.1:2379', '127.0.0.1:41234', '*:8080', '[::1]:9443', '0.0.0.0:2024']);
    expect(l[2]!.owners).toEqual([{ name: 'provider', pid: 12 }]);
    expect(l[4]!.owners).toEqual([]);
  });

  it('accepts a wildcard only in a namespace that has nothing but lo, and refuses any of ours in the host', () => {
    const seen = { inside: parseListeners(inside), host: parseListeners('LISTEN 0 128 0.0.0.0:2024 0.0.0.0:*\nLISTEN 0 5 127.0.0.1:5000 0.0.0.0:* users:(("python3",pid=99,fd=3))') };
    const ours = new Set([10, 11, 12, 13]);
    expect(listenerProblems(seen, ours, ['lo'])).toEqual([]);
    expect(listenerProblems(seen, ours, ['lo', 'eth0'])).toEqual(['*:8080 (provider) is not on loopback']);
    expect(listenerProblems({ inside: [], host: parseListeners(inside) }, ours, ['lo'])).toHaveLength(4);
    expect(parseLinkNames('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536\n2: veth0@if3: <BROADCAST> mtu 1500\n')).toEqual(['lo', 'veth0']);
  });
});

describe('the peer\'s Request', () => {
  const body = operatorCreateBody('instance-1', 'team-a', 'web', { redirectUris: ['https://web.example.com/callback'], allowedCorsOrigins: ['https://web.example.com'] });
  const r = peerRequest({ namespace: 'team-a', name: 'web', collectionUrl: 'http://127.0.0.1:1/api/v1/Tenants/t/AuthorizationCodeClients', body }) as unknown as {
    spec: { forProvider: { payload: { body: string }; mappings: { action: string; method: string; url: string; body?: string }[]; secretInjectionConfigs: { secretRef: { name: string; namespace: string }; keyMappings: { secretKey: string }[] }[] } };
  };

  it('pins the Id the operator would derive and sends the operator\'s create body', () => {
    const sent = JSON.parse(r.spec.forProvider.payload.body) as Record<string, unknown>;
    expect(sent['Id']).toBe(derivedClientId('instance-1', 'team-a', 'web'));
    expect(sent).toMatchObject({ Name: 'team-a/web', Enabled: true, AccessTokenLifetime: 3600, RedirectUris: ['https://web.example.com/callback'], PostLogoutRedirectUris: [], AllowedCorsOrigins: ['https://web.example.com'], AllowOfflineAccess: false });
  });

  it('maps create, observe, update and remove onto the collection and the pinned item, and copies the Id into the object\'s Secret', () => {
    expect(r.spec.forProvider.mappings.map((m) => `${m.action} ${m.method} ${m.url}`)).toEqual([
      'CREATE POST .payload.baseUrl',
      'OBSERVE GET (.payload.baseUrl + "/" + .payload.body.Id)',
      'UPDATE PUT (.payload.baseUrl + "/" + .payload.body.Id)',
      'REMOVE DELETE (.payload.baseUrl + "/" + .payload.body.Id)',
    ]);
    expect(r.spec.forProvider.secretInjectionConfigs[0]).toMatchObject({ secretRef: { name: 'web', namespace: 'team-a' }, setOwnerReference: true, keyMappings: [{ secretKey: 'clientId', responseJQ: '.body.Id' }] });
  });

  it('is ready only when Ready and Synced are both True', () => {
    const cond = (ready: string, synced: string) => ({ status: { conditions: [{ type: 'Ready', status: ready }, { type: 'Synced', status: synced }] } });
    expect(peerReady(cond('True', 'True'))).toBe(true);
    expect(peerReady(cond('True', 'False'))).toBe(false);
    expect(peerReady(cond('False', 'True'))).toBe(false);
    expect(peerReady({})).toBe(false);
  });
});

describe('objects that wait for a person', () => {
  const peer = peerSide('provider-http default', 'instance-1', 'http://127.0.0.1:1/c');
  const obj = (message: string) => ({ apiVersion: 'v', kind: 'Request', metadata: { name: 'x' }, status: { conditions: [{ type: 'Synced', status: 'False', reason: 'ReconcileError', message }] } });

  it('knows the peer\'s "cannot determine creation result" and the annotation a person removes', () => {
    expect(peer.stuck?.is(obj('cannot determine creation result - remove the crossplane.io/external-create-pending annotation if it is safe to proceed'))).toBe(true);
    expect(peer.stuck?.is(obj('cannot observe external resource: timeout'))).toBe(false);
    expect(peer.stuck?.patch).toEqual({ metadata: { annotations: { 'crossplane.io/external-create-pending': null } } });
    expect(operatorSide().stuck).toBeUndefined();
  });
});

describe('the comparison table and targets', () => {
  const side = (burst: number, dh: number, writes: number, reads: number, steadyWrites: number, p50: number): SideFigures => ({
    burst: { totalSeconds: burst, dataHubRequestsPerObject: dh, apiServerWritesPerObject: writes, manualInterventions: 0 },
    changes: { changes: 30, converged: 30, p50Seconds: p50, p99Seconds: p50 * 2 },
    steady: { dataHubReadsPerMinute: reads, apiServerWritesPerMinute: steadyWrites, maxRssMiB: 100, cpuSecondsPerMinute: 1 },
    restart: { seconds: 4 },
  });
  const ours = side(10, 1, 4, 10, 0, 0.1);

  it('writes ratios as peer ÷ ours, with ∞ against our zero', () => {
    expect(ratio(190, 10)).toBe('19×');
    expect(ratio(3, 2)).toBe('1.5×');
    expect(ratio(300, 0)).toBe('∞');
    expect(ratio(0, 0)).toBe('—');
    const table = comparisonTable({ ours, def: side(200, 3, 13, 600, 1200, 40), tuned: side(30, 3, 13, 1000, 2000, 1) }, 10_000, 1000);
    expect(table).toContain('| 1,000-object burst: time to all Ready | 10 s | 200 s | 30 s | 20× / 3× |');
    expect(table).toContain('| steady state, 10,000 objects: API-server writes per minute | 0 | 1200 | 2000 | ∞ / ∞ |');
    expect(table).toContain('| a spec change → Data Hub updated (p50 / p99) | 0.1 s / 0.2 s | 40 s / 80 s | 1 s / 2 s | 400× / 10× (p50) |');
  });

  it('passes the targets only against both peer settings', () => {
    const pass = peerTargets({ ours, def: side(200, 3, 13, 600, 1200, 40), tuned: side(30, 3, 13, 1000, 2000, 1) });
    expect(pass.map((t) => t.pass)).toEqual([true, true, true, true, true]);
    const fail = peerTargets({ ours: side(10, 1, 5, 20, 3, 0.1), def: side(40, 3, 13, 600, 1200, 40), tuned: side(12, 3, 13, 900, 2000, 1) });
    expect(fail.map((t) => t.pass)).toEqual([false, false, false, false, false]);
  });
});
