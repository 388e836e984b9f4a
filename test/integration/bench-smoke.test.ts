// Keeps the benchmark harness working: a 20-object burst through `bench/run.ts` (its own control
// plane, the simulator, the operator process) must print a well-formed result line. The full
// benchmarks are not part of CI; BENCHMARKS.md has their figures.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('benchmark harness (smoke)', () => {
  it('runs a 20-object burst and reports figures and targets', async () => {
    const run = promisify(execFile)(process.execPath, [join(ROOT, 'bench', 'run.ts'), '--scenario', 'burst', '--objects', '20', '--no-record'], { cwd: ROOT, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    // Exit code 1 only means a target was missed, which is expected noise at 20 objects.
    const { stdout } = await run.catch((err: { code?: number; stdout?: string; stderr?: string }) => {
      if (err.code === 1 && err.stdout) return { stdout: err.stdout };
      throw new Error(`bench failed (exit ${err.code ?? "?"}): ${err.stderr ?? ""}`);
    });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown> & { targets: { name: string; pass: boolean; value: unknown }[] };
    expect(result.scenario).toBe('burst');
    expect(result.objects).toBe(20);
    expect(result.totalSeconds).toBeGreaterThan(0);
    expect(result.physicalLimitSeconds).toBeGreaterThan(0);
    expect(result.apiServerWritesPerObject).toBeGreaterThanOrEqual(3);
    expect(result.dataHubRequestsPerObject).toBe(1);
    expect(result.targets.map((t) => t.name)).toEqual(['time to all Ready ÷ physical limit', 'Data Hub requests per new object']);
  }, 300_000);
});
