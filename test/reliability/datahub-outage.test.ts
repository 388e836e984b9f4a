// Reliability scenario 2 (Data Hub outages), long version, one operator process throughout: a 60 s
// outage (every request 503), a 5-minute 503 storm on the API (rate 1.0), and a 2-minute storm at
// rate 0.8. Objects created at the start and the middle of each, and Ready objects changed at the
// start, report RemoteUnavailable; the requests that reach Data Hub stay under the stated bound
// (RELIABILITY.md); everything recovers without a restart.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanupHarness } from '../support/operator-harness.ts';
import { dataHubOutage, outageFixture, type OutageFixture } from '../scenarios/outage.ts';

let f: OutageFixture;
let objects = 20;
beforeAll(async () => {
  f = await outageFixture(objects);
});
afterAll(async () => {
  await f?.close();
  cleanupHarness();
});

it('a 60 s outage', async () => {
  objects += 10;
  const figures = await dataHubOutage({ ...f, label: 'outage60', kind: 'outage', seconds: 60, create: 10, change: f.steady.slice(0, 5), expectedObjects: () => objects, recoveryTimeoutMs: 120_000 });
  expect(figures.lost).toBe(0);
});

it('a 5-minute 503 storm (rate 1.0)', async () => {
  objects += 10;
  const figures = await dataHubOutage({ ...f, label: 'storm300', kind: 'storm', stormRate: 1, seconds: 300, create: 10, change: f.steady.slice(5, 10), expectedObjects: () => objects, recoveryTimeoutMs: 120_000 });
  expect(figures.lost).toBe(0);
});

it('a 2-minute 503 storm (rate 0.8)', async () => {
  objects += 10;
  const figures = await dataHubOutage({ ...f, label: 'storm120', kind: 'storm', stormRate: 0.8, seconds: 120, create: 10, change: f.steady.slice(10, 15), expectedObjects: () => objects, recoveryTimeoutMs: 360_000 });
  expect(figures.lost).toBe(0);
});
