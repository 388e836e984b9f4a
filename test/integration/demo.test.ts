// Proves `npm run demo` stops cleanly however it is stopped (SIGINT to the demo's node process as a
// terminal's Ctrl-C does, SIGTERM and SIGINT to the npm process as `timeout` or a CI runner does): exit
// 0, no "operator exited" message, every process it started gone (operator, etcd, kube-apiserver,
// kube-controller-manager, watchdogs; the simulator runs inside the demo's process) and nothing left
// in its TMPDIR (which held the operator's ServiceAccount kubeconfig). Runs the real demo with its own
// local control plane (the binaries the suite already built).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const UP = 'Press Ctrl-C to stop everything.';

interface Proc {
  pid: number;
  ppid: number;
  start: string;
  cmd: string;
}

/** Every process on the machine, from /proc (pid, parent, start time to tell a reused pid apart). */
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      out.push({ pid: Number(entry), ppid: Number(fields[1]), start: fields[19] ?? '', cmd });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function descendants(root: number): Proc[] {
  const all = processes();
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const p of all.filter((q) => q.ppid === parent)) {
      found.push(p);
      queue.push(p.pid);
    }
  }
  return found;
}

const stillRunning = (procs: Proc[]): Proc[] => {
  const now = new Map(processes().map((p) => [p.pid, p.start]));
  return procs.filter((p) => now.get(p.pid) === p.start);
};

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Demo {
  npm: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  tmp: string;
}

let running: Demo | undefined;

function startDemo(): Demo {
  const tmp = mkdtempSync(join(tmpdir(), 'demo-test-'));
  // Node's module compile cache (npm and tsc turn it on) would be a shared cache in TMPDIR, not
  // something the demo made: off, so the demo's TMPDIR must end up empty.
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: '1' };
  delete env.KUBECONFIG;
  // detached: signals from this test go to exactly the process named, not to a group.
  const npm = spawn('npm', ['run', 'demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  npm.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  npm.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  running = { npm, output: () => output, exit, tmp };
  return running;
}

async function waitUntilUp(demo: Demo, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!demo.output().includes(UP)) {
    if (demo.npm.exitCode !== null) throw new Error(`the demo exited early (${demo.npm.exitCode}):\n${demo.output()}`);
    if (Date.now() > deadline) throw new Error(`the demo was not up after ${timeoutMs} ms:\n${demo.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

afterEach(() => {
  // Only after a failure is anything left: take it down so the next test starts clean.
  if (running && running.npm.exitCode === null && running.npm.pid) {
    for (const p of descendants(running.npm.pid)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    running.npm.kill('SIGKILL');
  }
  if (running) rmSync(running.tmp, { recursive: true, force: true });
  running = undefined;
});

describe('npm run demo stops cleanly', () => {
  it.each([
    { how: 'SIGINT to the demo node process (Ctrl-C)', signal: 'SIGINT' as const, target: 'node' },
    { how: 'SIGTERM to the npm process', signal: 'SIGTERM' as const, target: 'npm' },
    { how: 'SIGINT to the npm process', signal: 'SIGINT' as const, target: 'npm' },
  ])('$how: exit 0, no process and no file left', async ({ signal, target }) => {
    const demo = startDemo();
    await waitUntilUp(demo, 170_000);
    const npmPid = demo.npm.pid ?? 0;
    const tree = descendants(npmPid);
    const find = (re: RegExp): Proc | undefined => tree.find((p) => re.test(p.cmd));
    const node = find(/scripts\/demo\.ts/);
    // `exec` all the way down: the demo is npm's own child, so npm's forwarded signals reach it.
    expect(node?.ppid).toBe(npmPid);
    for (const re of [/\/etcd /, /\/kube-apiserver /, /\/kube-controller-manager /, /dist\/main\.js run/, /watchdog\.ts/]) {
      expect(find(re), `${re} among ${tree.map((p) => p.cmd.slice(0, 80)).join('\n')}`).toBeDefined();
    }
    const simPort = Number(/http:\/\/127\.0\.0\.1:(\d+) \(tenant/.exec(demo.output())?.[1]);
    expect(await portOpen(simPort)).toBe(true);
    expect(readdirSync(demo.tmp).length).toBeGreaterThan(0);

    process.kill(target === 'npm' ? npmPid : (node?.pid ?? 0), signal);
    const exit = await Promise.race([demo.exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);

    expect(exit, demo.output()).toEqual({ code: 0, signal: null });
    expect(demo.output()).toContain('Stopping the control plane');
    expect(demo.output()).not.toContain('operator exited');
    expect(stillRunning(tree).map((p) => p.cmd)).toEqual([]);
    expect(await portOpen(simPort)).toBe(false);
    expect(readdirSync(demo.tmp)).toEqual([]);
  }, 240_000);
});
