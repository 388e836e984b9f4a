// Reliability scenario 5 (bad input), long version: 5 seeded cases from each bad-manifest generator
// for each of 3 seeds (over 400 invalid manifests) plus the edge cases, every malformed Data Hub
// answer on create and on update, and the bad operator settings, with one operator throughout that
// must never crash. RELIABILITY.md records the runs.
import { expect, it } from 'vitest';
import { cluster, operatorFixture } from '../support/operator-harness.ts';
import { badSettings, checkBadSettings, fuzzBadSpecs, malformedResponses } from '../scenarios/bad-input.ts';
import { seeds } from '../scenarios/common.ts';
import { GENERATOR_COUNT } from '../scenarios/fuzz-specs.ts';

const f = operatorFixture('bad-input', { cleanupTimeoutMs: 300_000 });

it.each(seeds([1, 2, 3]))('seed %i: fuzzed invalid manifests: refused with a clear message or Stalled with one; no crash', async (seed) => {
  const { kc } = await cluster();
  const figures = await fuzzBadSpecs(kc, f.sim, f.op, f.ns, seed, 5);
  expect(figures.invalid).toBe(5 * GENERATOR_COUNT);
  expect(figures.rejected + figures.stalled).toBe(figures.invalid);
});

it('malformed Data Hub answers on create and on update: RemoteInvalidResponse, then recovery', async () => {
  const { kc } = await cluster();
  const figures = await malformedResponses(kc, f.sim, f.op, f.ns, undefined, ['create', 'update']);
  expect(figures).toHaveLength(12);
});

it.each(seeds([1, 2, 3]))('seed %i: bad operator settings: exit at once with one clear line, nothing secret', async (seed) => {
  await checkBadSettings(badSettings(seed), `bad-settings-secret-${seed}`);
});
