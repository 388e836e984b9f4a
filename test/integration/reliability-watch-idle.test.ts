// Reliability scenario 3, "no silent stall", CI part: a watch stream that stays open but delivers
// nothing (not even headers, or headers and then silence: a half-open connection, a wedged proxy) is
// aborted by the idle watchdog of src/kube/kube-http.ts, so the informer can restart it; a stream that
// keeps delivering is left alone. The informer-level version (the real Informer relists/re-watches and
// sees later events, with its production idle limit of timeoutSeconds + 60 s) is
// test/reliability/watch-idle.test.ts. Needs no control plane: a fake endpoint on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { KubeHttp, KubeTransportError } from '../../src/kube/kube-http.ts';
import { startSilentApiServer, type SilentApiServer } from '../scenarios/silent-apiserver.ts';

let server: SilentApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const event = (name: string, rv: number): unknown => ({ type: 'ADDED', object: { metadata: { name, namespace: 'ns', resourceVersion: String(rv) } } });

async function watchOnce(s: SilentApiServer, idleMs: number): Promise<{ error: unknown; events: number; tookMs: number }> {
  const http = new KubeHttp(s.kubeConfig());
  let events = 0;
  const started = Date.now();
  try {
    await http.watch('/api/v1/namespaces/ns/secrets', { resourceVersion: '1' }, () => events++, idleMs, new AbortController().signal);
    return { error: undefined, events, tookMs: Date.now() - started };
  } catch (error) {
    return { error, events, tookMs: Date.now() - started };
  } finally {
    await http.close();
  }
}

describe('the watch idle watchdog', () => {
  it('aborts a watch that sent headers and then nothing', async () => {
    server = await startSilentApiServer({ resourceVersion: '1', items: [] }, [{ kind: 'silent' }]);
    const r = await watchOnce(server, 400);
    expect(r.error).toBeInstanceOf(KubeTransportError);
    expect((r.error as Error).message).toContain('watch delivered nothing for 400 ms');
    expect(r.tookMs).toBeGreaterThanOrEqual(390);
    expect(r.tookMs).toBeLessThan(3_000);
  });

  it('aborts a watch whose server never answers at all', async () => {
    server = await startSilentApiServer({ resourceVersion: '1', items: [] }, [{ kind: 'no-headers' }]);
    const r = await watchOnce(server, 400);
    expect(r.error).toBeInstanceOf(KubeTransportError);
    expect((r.error as Error).message).toContain('watch delivered nothing for 400 ms');
    expect(r.tookMs).toBeLessThan(3_000);
  });

  it('aborts a watch that goes silent after some events', async () => {
    server = await startSilentApiServer({ resourceVersion: '1', items: [] }, [{ kind: 'events', events: [event('a', 2), event('b', 3)], everyMs: 100, end: false }]);
    const r = await watchOnce(server, 500);
    expect(r.events).toBe(2);
    expect((r.error as Error).message).toContain('watch delivered nothing for 500 ms');
  });

  it('leaves a slow but live stream alone (each event resets the watchdog)', async () => {
    const events = Array.from({ length: 8 }, (_, i) => event(`e${i}`, i + 2));
    server = await startSilentApiServer({ resourceVersion: '1', items: [] }, [{ kind: 'events', events, everyMs: 250, end: true }]);
    const r = await watchOnce(server, 400);
    expect(r.error).toBeUndefined();
    expect(r.events).toBe(8);
    expect(r.tookMs).toBeGreaterThanOrEqual(1_900);
  });
});
