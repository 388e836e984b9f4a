// Runs test/controlplane/build.sh (which caches the binaries outside git and prints their directory)
// and streams its progress to stderr. Never builds anything itself and never edits the Go module.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Runs build.sh (cached: instant when built) and returns the directory with the binaries. */
export async function buildControlPlane(repoRoot: string, log: (line: string) => void): Promise<string> {
  const script = join(repoRoot, 'test/controlplane/build.sh');
  const child = spawn('bash', [script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderrTail = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    // The first build takes minutes: show its progress.
    process.stderr.write(d);
    stderrTail = (stderrTail + d).slice(-4000);
  });
  const code = await new Promise<number | null>((res, rej) => child.once('error', rej).once('close', res));
  const binDir = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !existsSync(join(binDir, 'kube-apiserver'))) {
    throw new Error(`cannot build control plane "${script}": exit code ${code}\n${stderrTail}`);
  }
  log(`binaries in ${binDir}`);
  return binDir;
}
