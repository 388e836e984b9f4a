// The request bounds a Data Hub outage or 503 storm may not exceed (RELIABILITY.md), from the shared
// budget's own defaults. Pure: no vitest, no harness, so the benchmarks import it as the tests do.
import { defaultSharedBudget } from '../../src/connections/shared-budget.ts';

/**
 * The most Data Hub requests an outage of `seconds` can see, from the shared budget's rules
 * (src/workqueue/shared-budget.ts): requests flow freely until `failureThreshold` consecutive
 * failures have been reported; by then at most failureThreshold − 1 have failed and every worker and
 * the drift scanner may have one more in flight. After that the circuit is open: one probe per pause,
 * the pause doubling from pauseBaseMs to pauseMaxMs (±10% jitter, so at least 90% of it). Per-object
 * backoff only lowers the count further. Tokens are cached, so the token endpoint adds nothing.
 */
export function outageRequestBound(seconds: number, workers: number): { bound: number; beforeOpen: number; probes: number } {
  const { failureThreshold, pauseBaseMs, pauseMaxMs } = defaultSharedBudget;
  const beforeOpen = failureThreshold - 1 + workers + 1;
  let elapsed = 0;
  let probes = 0;
  for (let excess = 1; ; excess++) {
    elapsed += 0.9 * Math.min(pauseMaxMs, pauseBaseMs * 2 ** (excess - 1));
    if (elapsed > seconds * 1000) break;
    probes++;
  }
  return { bound: beforeOpen + probes, beforeOpen, probes };
}

/**
 * The bound when some requests succeed (a storm at a rate below 1): each success closes the circuit,
 * so the per-object backoff is what limits the rate: after its k-th failure an object waits at least
 * 0.8 × min(2^(k−1) s, 5 min) (±20% jitter), and a success ends its work. Budget waits are not
 * attempts. So each object with work makes at most 1 + n attempts in `seconds`.
 */
export function stormRequestBound(seconds: number, objectsWithWork: number): { bound: number; attemptsPerObject: number } {
  let elapsed = 0;
  let attempts = 1;
  for (let k = 1; ; k++) {
    elapsed += 0.8 * Math.min(300_000, 1_000 * 2 ** (k - 1));
    if (elapsed > seconds * 1000) break;
    attempts++;
  }
  return { bound: objectsWithWork * attempts, attemptsPerObject: attempts };
}
