// Reliability scenario 3, "no silent stall", informer level with production timings: the real
// Informer (src/kube/informer.ts) lists, opens a watch that the server accepts and then never feeds,
// gives up on it after its idle limit (the server-side timeout + 60 s), logs it, and watches again
// from the resourceVersion it had, so the events delivered on the new watch reach the cache.
import { Writable } from 'node:stream';
import { afterAll, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { Informer } from '../../src/kube/informer.ts';
import { KubeHttp } from '../../src/kube/kube-http.ts';
import type { KubeObject } from '../../src/api/objects.ts';
import { createLogger } from '../../src/log.ts';
import { eventually } from '../support/operator-harness.ts';
import { report } from '../scenarios/common.ts';
import { startSilentApiServer, type SilentApiServer } from '../scenarios/silent-apiserver.ts';

let server: SilentApiServer | undefined;
afterAll(async () => {
  await server?.close();
});

it('a watch that goes silent is restarted after the idle limit and later events arrive', async () => {
  const item = (name: string, rv: number): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: String(rv) } });
  server = await startSilentApiServer({ resourceVersion: '5', items: [item('a', 5)] }, [
    { kind: 'silent' },
    { kind: 'events', events: [{ type: 'ADDED', object: item('b', 6) }], everyMs: 100, end: false },
  ]);
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const http = new KubeHttp(server.kubeConfig());
  // watchTimeoutSeconds 1: the server was asked to end the stream after ~1 s; it never does, and
  // sends nothing, like a connection that died without a FIN. The idle limit is then 61 s.
  const informer = new Informer<KubeObject>({ http, path: '/api/v1/namespaces/ns/secrets', clock: systemClock, log: createLogger('info', sink), watchTimeoutSeconds: 1 });
  const started = Date.now();
  informer.start();
  try {
    await informer.synced;
    expect(informer.get('ns/a')).toBeDefined();
    await eventually('the first watch', () => server!.watches.length === 1, 5_000);
    expect(server.watches[0]!.get('resourceVersion')).toBe('5');
    const b = await eventually('the event from the second watch in the cache', () => informer.get('ns/b'), 90_000, 250);
    const tookMs = Date.now() - started;
    expect(b.metadata.resourceVersion).toBe('6');
    expect(server.watches.length).toBe(2);
    expect(server.watches[1]!.get('resourceVersion')).toBe('5'); // resumed, not relisted
    expect(server.lists).toBe(1);
    expect(tookMs).toBeGreaterThanOrEqual(60_000);
    expect(tookMs).toBeLessThan(75_000);
    const failure = lines.find((l) => l.msg === 'list/watch failed; retrying');
    expect(String(failure?.err)).toContain('watch delivered nothing for 61000 ms');
    report('watch-idle', { restartedAfterMs: tookMs, idleLimitMs: 61_000 });
  } finally {
    await informer.stop();
    await http.close();
  }
});
