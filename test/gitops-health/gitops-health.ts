// Runs the gitops-health tool (main.go beside this file): builds it with build.sh (cached outside git,
// instant once built) and asks it what Argo CD (deploy/argocd/argocd-cm-patch.yaml through Argo CD's
// own settings, Lua and health code) and kstatus say about Kubernetes objects. Computes nothing itself.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const HERE = import.meta.dirname;
export const ARGOCD_CM_PATCH = join(HERE, '..', '..', 'deploy', 'argocd', 'argocd-cm-patch.yaml');

export interface Verdict {
  status: string;
  message: string;
  /** Set when the code returned an error (Argo CD then reports Unknown with the error's text). */
  error?: string;
}

export interface GitOpsHealth {
  /** null: Argo CD has no health for the object (no customization matched it, no built-in check). */
  argocd: Verdict | null;
  /** sigs.k8s.io/cli-utils kstatus. */
  kstatus: Verdict;
  /** github.com/fluxcd/cli-utils kstatus, the fork Flux's controllers link. */
  fluxKstatus: Verdict;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], input: string | undefined, timeoutMs: number, streamStderr = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      // The first build takes minutes: show its progress.
      if (streamStderr) process.stderr.write(d);
      stderr = (stderr + d).slice(-8000);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

let built: Promise<string> | undefined;

/** The tool's path, built by build.sh on first use (a cold build takes minutes; see the README). */
export function gitopsHealthBinary(): Promise<string> {
  built ??= (async () => {
    const script = join(HERE, 'build.sh');
    const r = await run('bash', [script], undefined, 30 * 60_000, true);
    const dir = r.stdout.trim().split('\n').pop() ?? '';
    const binary = join(dir, 'gitops-health');
    if (r.code !== 0 || !existsSync(binary)) throw new Error(`cannot build gitops-health "${script}": exit code ${r.code}\n${r.stderr}`);
    return binary;
  })();
  return built;
}

/** What Argo CD and kstatus say about each object, in order. */
export async function gitopsHealth(objects: readonly unknown[]): Promise<GitOpsHealth[]> {
  const binary = await gitopsHealthBinary();
  const r = await run(binary, ['-argocd-cm', ARGOCD_CM_PATCH], objects.map((o) => JSON.stringify(o)).join('\n'), 60_000);
  if (r.code !== 0) throw new Error(`cannot evaluate health with "${binary}": exit code ${r.code}: ${r.stderr.trim()}`);
  const results = r.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as GitOpsHealth);
  if (results.length !== objects.length) throw new Error(`cannot evaluate health with "${binary}": ${objects.length} objects in, ${results.length} results out`);
  return results;
}

/** The versions of the modules that decide the answers (Argo CD, gitops-engine, gopher-lua, kstatus). */
export async function gitopsHealthVersions(): Promise<Record<string, string>> {
  const binary = await gitopsHealthBinary();
  const r = await run(binary, ['-versions'], undefined, 10_000);
  if (r.code !== 0) throw new Error(`cannot read versions from "${binary}": exit code ${r.code}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as Record<string, string>;
}
