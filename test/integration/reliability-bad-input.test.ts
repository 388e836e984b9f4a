// Reliability scenario 5 (bad input), CI size: 2 seeded cases from each of the bad-manifest
// generators (over 60 invalid specs: URLs, counts, huge and unicode strings, wrong types, duplicates,
// nulls, deep junk, broken numbers, names, templates) plus the edge cases, each refused by the API
// server with a message naming the problem or Stalled by the operator with one; every kind of
// malformed Data Hub answer on create; 21 bad operator settings. The operator never crashes. The
// schema table of invalid-specs.test.ts and the start-up errors of runtime.test.ts are not repeated.
// The long version (5 per generator, 3 seeds, updates too) is test/reliability/bad-input.test.ts.
import { expect, it } from 'vitest';
import { cluster, operatorFixture } from '../support/operator-harness.ts';
import { badSettings, checkBadSettings, fuzzBadSpecs, malformedResponses } from '../scenarios/bad-input.ts';
import { seeds } from '../scenarios/common.ts';
import { GENERATOR_COUNT } from '../scenarios/fuzz-specs.ts';

const f = operatorFixture('bad-input');

it.each(seeds([31]))('seed %i: over 50 fuzzed invalid manifests: refused with a clear message or Stalled with one; no crash', async (seed) => {
  const { kc } = await cluster();
  const figures = await fuzzBadSpecs(kc, f.sim, f.op, f.ns, seed, 2);
  expect(figures.invalid).toBe(2 * GENERATOR_COUNT);
  expect(figures.invalid).toBeGreaterThanOrEqual(50);
  expect(figures.rejected + figures.stalled).toBe(figures.invalid);
}, 240_000);

it('malformed Data Hub answers (html, truncated-json, wrong-shape, missing-id, different-id, huge-body): RemoteInvalidResponse, then recovery', async () => {
  const { kc } = await cluster();
  const figures = await malformedResponses(kc, f.sim, f.op, f.ns);
  expect(figures).toHaveLength(6);
}, 240_000);

it('bad operator settings: exit at once with one clear line, nothing secret', async () => {
  const outcomes = await checkBadSettings(badSettings(31), 'bad-settings-secret-Zq7');
  expect(outcomes.length).toBeGreaterThanOrEqual(20);
}, 240_000); // 21 process starts one after another: minutes on a loaded 2-core machine
