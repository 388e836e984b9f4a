// Standalone watchdog process for one test control plane: kills the registered component process
// groups and removes the control plane's temp dir once its parent goes away, however it went away
// (normal exit, Ctrl-C, crash, SIGKILL). It must stay dependency-free (node: modules only) because
// it is run directly by Node 24 (`node watchdog.ts <dir> <grace-ms>`), outside vitest's transforms.
//
// Protocol on stdin, one command per line, from the parent:
//   watch <pid>    the process group <pid> (a component spawned detached) must die with the parent
//   forget <pid>   that component has exited normally; do not touch the pid again (pids get reused)
//   detach         keep everything running after the parent exits; only SIGTERM cleans up now
// End of stdin (the parent closed the pipe or died) triggers clean-up unless detached.
// SIGTERM/SIGINT/SIGHUP always trigger clean-up.
import { readFileSync, rmSync } from 'node:fs';

const [dir, graceArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: node watchdog.ts <dir> [grace-ms]\n');
  process.exit(2);
}
const graceMs = Number(graceArg ?? '5000');
const watched: number[] = [];
let detached = false;
let cleaning = false;

function isAlive(pid: number): boolean {
  // A zombie still answers kill(pid, 0); read /proc so an unreaped child (for example when PID 1 does
  // not reap) counts as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(100);
    alive = alive.filter(isAlive);
  }
  return alive;
}

async function cleanUp(reason: string): Promise<void> {
  if (cleaning) return;
  cleaning = true;
  // One at a time, newest first: the controller manager, then the API server while etcd still
  // answers (it then closes its etcd streams at once), then etcd with no clients left. Terminating
  // all at the same time makes both wait for each other until the SIGKILL.
  for (const pid of [...watched].reverse()) {
    if (!isAlive(pid)) continue;
    signalGroup(pid, 'SIGTERM');
    if ((await waitGone([pid], graceMs)).length === 0) continue;
    signalGroup(pid, 'SIGKILL');
    await waitGone([pid], 2000);
  }
  try {
    rmSync(dir!, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch (error) {
    process.stderr.write(`cannot remove control plane dir "${dir}": ${String(error)} (${reason})\n`);
  }
  process.exit(0);
}

function onCommand(line: string): void {
  const [command, arg] = line.trim().split(/\s+/);
  const pid = Number(arg);
  if (command === 'watch' && Number.isInteger(pid) && pid > 0) watched.push(pid);
  else if (command === 'forget' && Number.isInteger(pid)) watched.splice(0, watched.length, ...watched.filter((p) => p !== pid));
  else if (command === 'detach') detached = true;
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  let newline: number;
  while ((newline = pending.indexOf('\n')) >= 0) {
    onCommand(pending.slice(0, newline));
    pending = pending.slice(newline + 1);
  }
});
const onParentGone = (): void => {
  if (!detached) void cleanUp('parent gone');
};
process.stdin.on('end', onParentGone);
process.stdin.on('error', onParentGone);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void cleanUp(signal));
// Once detached, stdin is closed and nothing else keeps the event loop alive: hold it open until a
// signal arrives.
setInterval(() => undefined, 1 << 30);
