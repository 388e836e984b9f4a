// Each fault mode of the simulator: latency and jitter, injected error statuses by rate and count,
// outage windows, the requests-per-minute budget (429 + Retry-After), dropped write responses and
// every kind of malformed response; plus the sliding-window limiter on its own.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultController, FaultInputError, mergeFaults, noFaults, seededRandom } from '../../../src/simulator/faults.ts';
import { SlidingWindowLimiter } from '../../../src/simulator/rate-limiter.ts';
import { ROUTES } from '../../../src/simulator/server.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { startSim, validBody, type SimFixture } from './support.ts';

let f: SimFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

function sim(): SimFixture {
  if (!f) throw new Error('no simulator');
  return f;
}

describe('SlidingWindowLimiter', () => {
  it('admits at most N in any 60 s window and says when the next slot frees', () => {
    const l = new SlidingWindowLimiter(60_000);
    expect(l.tryAdmit(0, 3)).toBeUndefined();
    expect(l.tryAdmit(10_000, 3)).toBeUndefined();
    expect(l.tryAdmit(20_000, 3)).toBeUndefined();
    expect(l.tryAdmit(30_000, 3)).toBe(30);
    expect(l.tryAdmit(59_999, 3)).toBe(1);
    expect(l.tryAdmit(60_000, 3)).toBeUndefined();
    expect(l.rejected).toBe(2);
    expect(l.admittedInWindow(60_000)).toBe(3);
  });

  it('never admits more than the limit in any window (random arrivals)', () => {
    const l = new SlidingWindowLimiter(60_000);
    const random = seededRandom(7);
    const admitted: number[] = [];
    let t = 0;
    for (let i = 0; i < 5000; i++) {
      t += Math.floor(random() * 200);
      if (l.tryAdmit(t, 50) === undefined) admitted.push(t);
    }
    let lo = 0;
    for (let hi = 0; hi < admitted.length; hi++) {
      while (admitted[hi]! - admitted[lo]! >= 60_000) lo++;
      expect(hi - lo + 1).toBeLessThanOrEqual(50);
    }
    expect(admitted.length).toBeGreaterThan(100);
  });

  it('handles a limit lowered at run time', () => {
    const l = new SlidingWindowLimiter(60_000);
    for (let i = 0; i < 5; i++) l.tryAdmit(i * 1000, 10);
    // 5 in the window, new limit 2: the slot frees when the 4th oldest (t=3000) leaves.
    expect(l.tryAdmit(10_000, 2)).toBe(53);
  });
});

describe('FaultController', () => {
  it('rolls the same dice for the same seed (jitter, rates)', () => {
    const clock = new FakeClock();
    const input = { latencyMs: 10, jitterMs: 100, errors: [{ status: 503, rate: 0.2 }] };
    const a = new FaultController(clock, seededRandom(42), input);
    const b = new FaultController(clock, seededRandom(42), input);
    const seqA = Array.from({ length: 50 }, () => [a.latencyMs(), a.pickError()?.status]);
    const seqB = Array.from({ length: 50 }, () => [b.latencyMs(), b.pickError()?.status]);
    expect(seqA).toEqual(seqB);
    for (const [lat] of seqA) {
      expect(lat).toBeGreaterThanOrEqual(10);
      expect(lat).toBeLessThan(110);
    }
  });

  it('injects each status at roughly its rate', () => {
    const c = new FaultController(new FakeClock(), seededRandom(1), { errors: [{ status: 503, rate: 0.2 }, { status: 500, rate: 0.05 }] });
    const counts = new Map<number | undefined, number>();
    for (let i = 0; i < 20_000; i++) {
      const s = c.pickError()?.status;
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    expect(counts.get(503)! / 20_000).toBeCloseTo(0.2, 1);
    expect(counts.get(500)! / 20_000).toBeCloseTo(0.05, 1);
  });

  it('fires counted faults first, then stops', () => {
    const c = new FaultController(new FakeClock(), seededRandom(1), { errors: [{ status: 500, next: 2 }], dropResponses: { next: 1 } });
    expect([c.pickError()?.status, c.pickError()?.status, c.pickError()?.status]).toEqual([500, 500, undefined]);
    expect([c.shouldDrop(), c.shouldDrop()]).toEqual([true, false]);
  });

  it('validates input strictly and leaves settings unchanged on error', () => {
    const base = noFaults();
    for (const bad of [[], { latencyMs: -1 }, { errors: [{ status: 200 }] }, { errors: [{ status: 503, rate: 2 }] }, { malformed: [{ kind: 'nope' }] }, { dropResponses: { next: 1.5 } }, { typo: 1 }, { errors: [{ status: 503, retryAfter: 'a\nb' }] }]) {
      expect(() => mergeFaults(base, bad, 0)).toThrow(FaultInputError);
    }
    const c = new FaultController(new FakeClock(), Math.random, { latencyMs: 5 });
    expect(() => c.update({ latencyMs: 10, jitterMs: -1 })).toThrow(FaultInputError);
    expect(c.snapshot().latencyMs).toBe(5);
  });
});

describe('faults over HTTP', () => {
  it('adds latency to every request, token endpoint included', async () => {
    f = await startSim({ faults: { latencyMs: 150 } });
    const started = performance.now();
    await sim().token();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(sim().sim.requests.recent().at(-1)?.fault).toBe('latency');
  });

  it('injects error statuses on API routes only, with Retry-After when asked', async () => {
    f = await startSim({ faults: { errors: [{ status: 503, next: 2, retryAfter: '9' }] } });
    await sim().token(); // not affected, does not consume the count
    const first = await sim().call(sim().tenantPath);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('9');
    expect(((await first.json()) as Record<string, string>)['OperationId']).toBe(first.headers.get('operation-id'));
    expect((await sim().call(sim().tenantPath)).status).toBe(503);
    expect((await sim().call(sim().tenantPath)).status).toBe(200);
    expect(sim().sim.requests.count({ status: 503 })).toBe(2);
  });

  it('answers 503 to everything during an outage window, then recovers', async () => {
    const clock = new FakeClock();
    f = await startSim({ clock });
    const t = await sim().token();
    sim().sim.faults.update({ outageSeconds: 10 });
    expect((await sim().call(sim().tenantPath, { auth: t })).status).toBe(503);
    expect((await fetch(`${sim().sim.url}/identity/.well-known/openid-configuration`)).status).toBe(503);
    await expect(sim().token()).rejects.toThrow('HTTP 503');
    // The inspection API stays up so tests can see and end the outage.
    expect((await fetch(`${sim().sim.url}/_simulator/faults`)).status).toBe(200);
    await clock.advance(10_000);
    expect((await sim().call(sim().tenantPath, { auth: t })).status).toBe(200);
  });

  it('enforces a requests-per-minute budget with 429 and Retry-After (sliding window)', async () => {
    const clock = new FakeClock();
    f = await startSim({ clock, faults: { rateLimitPerMinute: 3 } });
    const t = await sim().token(); // token requests are not counted
    for (let i = 0; i < 3; i++) {
      expect((await sim().call(sim().tenantPath, { auth: t })).status).toBe(200);
      await clock.advance(10_000);
    }
    const limited = await sim().call(sim().tenantPath, { auth: t });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    await clock.advance(29_000);
    const still = await sim().call(sim().tenantPath, { auth: t });
    expect(still.status).toBe(429);
    expect(still.headers.get('retry-after')).toBe('1');
    await clock.advance(1_000);
    expect((await sim().call(sim().tenantPath, { auth: t })).status).toBe(200);
    const stats = (await (await fetch(`${sim().sim.url}/_simulator/requests`)).json()) as { rateLimit: Record<string, number> };
    expect(stats.rateLimit).toEqual({ limitPerMinute: 3, admittedInWindow: 3, rejected: 2 });
  });

  it('answers 429 and outage 503 at arrival, without the injected latency', async () => {
    f = await startSim({ faults: { rateLimitPerMinute: 1, latencyMs: 400 } });
    const t = await sim().token();
    expect((await sim().call(sim().tenantPath, { auth: t })).status).toBe(200);
    let started = performance.now();
    expect((await sim().call(sim().tenantPath, { auth: t })).status).toBe(429);
    expect(performance.now() - started).toBeLessThan(300);
    sim().sim.faults.update({ outageSeconds: 60 });
    started = performance.now();
    expect((await sim().call(sim().tenantPath, { auth: t })).status).toBe(503);
    expect(performance.now() - started).toBeLessThan(300);
  });

  it('applies a write, then drops the response (and only successful writes count)', async () => {
    f = await startSim({ faults: { dropResponses: { next: 1 } } });
    // A rejected write is answered normally and leaves the drop pending.
    expect((await sim().call(sim().tenantPath, { method: 'POST', json: { Name: 'invalid' } })).status).toBe(400);
    // Reads are never dropped.
    expect((await sim().call(sim().tenantPath)).status).toBe(200);
    const id = randomUUID();
    await expect(sim().call(sim().tenantPath, { method: 'POST', json: validBody({ Id: id }) })).rejects.toThrow();
    expect(sim().sim.clients.has(id)).toBe(true);
    expect(sim().sim.requests.count({ method: 'POST', route: ROUTES.collection, status: 'dropped' })).toBe(1);
    // The next write goes through normally; the client learns the truth from a 409.
    expect((await sim().call(sim().tenantPath, { method: 'POST', json: validBody({ Id: id }) })).status).toBe(409);
  });

  it('drops PUT and DELETE responses after applying them', async () => {
    f = await startSim({ faults: { dropResponses: { rate: 1 } } });
    const c = sim().sim.clients.set({ Id: randomUUID(), Name: 'a', Enabled: true, AccessTokenLifetime: 3600, Tags: [], RedirectUris: ['https://a.example/cb'], PostLogoutRedirectUris: [], ClientUri: null, LogoUri: null, AllowedCorsOrigins: [], AllowOfflineAccess: false });
    await expect(sim().call(`${sim().tenantPath}/${c.Id}`, { method: 'PUT', json: { Name: 'b' } })).rejects.toThrow();
    expect(sim().sim.clients.get(c.Id)?.Name).toBe('b');
    await expect(sim().call(`${sim().tenantPath}/${c.Id}`, { method: 'DELETE' })).rejects.toThrow();
    expect(sim().sim.clients.has(c.Id)).toBe(false);
  });

  describe('malformed responses', () => {
    async function planted(): Promise<string> {
      f = await startSim();
      const r = await sim().call(sim().tenantPath, { method: 'POST', json: validBody() });
      return ((await r.json()) as { Id: string }).Id;
    }

    it('html: an HTML page with the success status', async () => {
      const id = await planted();
      sim().sim.faults.update({ malformed: [{ kind: 'html', next: 1 }] });
      const res = await sim().call(`${sim().tenantPath}/${id}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toMatch(/^<!DOCTYPE html>/);
    });

    it('truncated-json: JSON text cut half-way', async () => {
      const id = await planted();
      sim().sim.faults.update({ malformed: [{ kind: 'truncated-json', next: 1 }] });
      const text = await (await sim().call(`${sim().tenantPath}/${id}`)).text();
      expect(() => JSON.parse(text) as unknown).toThrow();
      expect(text.startsWith('{"Id":')).toBe(true);
    });

    it('wrong-shape: a list for an object and an object for a list', async () => {
      const id = await planted();
      sim().sim.faults.update({ malformed: [{ kind: 'wrong-shape', next: 2 }] });
      expect(Array.isArray(await (await sim().call(`${sim().tenantPath}/${id}`)).json())).toBe(true);
      expect(Array.isArray(await (await sim().call(sim().tenantPath)).json())).toBe(false);
    });

    it('missing-id and different-id', async () => {
      const id = await planted();
      sim().sim.faults.update({ malformed: [{ kind: 'missing-id', next: 1 }] });
      expect('Id' in ((await (await sim().call(`${sim().tenantPath}/${id}`)).json()) as object)).toBe(false);
      sim().sim.faults.update({ malformed: [{ kind: 'different-id', next: 1 }] });
      const list = (await (await sim().call(`${sim().tenantPath}?id=${id}`)).json()) as { Id: string }[];
      expect(list[0]?.Id).not.toBe(id);
    });

    it('huge-body: valid JSON padded past the size, sent chunked without Content-Length', async () => {
      const id = await planted();
      sim().sim.faults.update({ malformed: [{ kind: 'huge-body', next: 1 }], hugeBodyBytes: 3 * 1024 * 1024 });
      const res = await sim().call(`${sim().tenantPath}/${id}`);
      expect(res.headers.get('content-length')).toBeNull();
      const text = await res.text();
      expect(text.length).toBe(3 * 1024 * 1024);
      expect((JSON.parse(text) as { Id: string }).Id).toBe(id);
    });

    it('never breaks error responses, HEAD or 204, and keeps the count for a response with a body', async () => {
      const id = await planted();
      sim().sim.faults.update({ malformed: [{ kind: 'html', next: 1 }] });
      expect((await sim().call(`${sim().tenantPath}/${randomUUID()}`)).headers.get('content-type')).toMatch(/json/);
      expect((await sim().call(sim().tenantPath, { method: 'HEAD' })).status).toBe(200);
      expect((await sim().call(`${sim().tenantPath}/${id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await sim().call(sim().tenantPath)).headers.get('content-type')).toMatch(/html/);
      expect(sim().sim.requests.recent().at(-1)?.fault).toBe('malformed:html');
    });

    it('applies malformed faults at a rate', async () => {
      await planted();
      sim().sim.faults.update({ malformed: [{ kind: 'html', rate: 1 }] });
      for (let i = 0; i < 3; i++) expect((await sim().call(sim().tenantPath)).headers.get('content-type')).toMatch(/html/);
    });
  });
});
