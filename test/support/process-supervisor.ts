// Spawns control plane components as detached process groups with their output in log files, and
// ties them to a watchdog process (watchdog.ts) that kills them and removes the temp dir if this
// process dies. Knows nothing about Kubernetes; must never write to the parent's stdout/stderr pipes
// from a component (a leftover writer would keep CI's pipe open).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Component {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  running(): boolean;
  /** SIGTERM to the process group, SIGKILL after graceMs; resolves once it has exited. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** SIGKILL to the process group at once (a crash); resolves once it has exited. */
  kill(): Promise<ExitInfo>;
  /** Last lines of the log, for error messages. */
  logTail(lines?: number): string;
}

export interface Watchdog {
  readonly pid: number;
  watch(pid: number): void;
  forget(pid: number): void;
  /** Components keep running after this process exits; `kill <watchdog pid>` cleans up later. */
  detach(): void;
  /** Normal shutdown: the watchdog removes the dir (after any still-watched groups die) and exits. */
  close(): Promise<void>;
}

const WATCHDOG_SCRIPT = fileURLToPath(new URL('./watchdog.ts', import.meta.url));

export function startWatchdog(dir: string, graceMs = 5000): Watchdog {
  // detached: own process group, so a terminal Ctrl-C reaches only the parent, which then dies or
  // shuts down in order; either way the watchdog sees its stdin close.
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', WATCHDOG_SCRIPT, dir, String(graceMs)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  if (child.pid === undefined) throw new Error(`cannot start watchdog for "${dir}": spawn failed`);
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin.on('error', () => undefined);
  const send = (line: string): void => {
    if (child.stdin.writable) child.stdin.write(`${line}\n`);
  };
  return {
    pid,
    watch: (p) => send(`watch ${p}`),
    forget: (p) => send(`forget ${p}`),
    detach: () => {
      send('detach');
      child.stdin.end();
      unrefChild(child);
    },
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  watchdog: Watchdog;
  env?: NodeJS.ProcessEnv;
}

export function spawnComponent(options: SpawnOptions): Component {
  const { name, command, args, logFile, watchdog } = options;
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: options.env ?? process.env });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new Error(`cannot start ${name} "${command}": spawn failed`);
  const pid = child.pid;
  watchdog.watch(pid);
  let isRunning = true;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      isRunning = false;
      watchdog.forget(pid);
      resolve({ code, signal });
    });
  });
  child.on('error', () => undefined);
  children.set(pid, child);
  void exited.then(() => children.delete(pid));

  return {
    name,
    pid,
    logFile,
    exited,
    running: () => isRunning,
    stop: async (graceMs = 10_000) => {
      if (!isRunning) return exited;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill: async () => {
      if (isRunning) signalGroup(pid, 'SIGKILL');
      return exited;
    },
    logTail: (lines = 30) => tail(logFile, lines),
  };
}

/** Lets this process exit while components keep running (DATAHUB_TEST_KEEP_CONTROLPLANE). */
export function unrefComponents(): void {
  for (const child of children.values()) unrefChild(child);
}

const children = new Map<number, ChildProcess>();

// No process.on('exit') killing here: vitest exits 1 ms after SIGINT without teardown, and the
// watchdog notices the closed pipe at once and stops the components one by one, in order; killing
// them all at the same time from here would make the API server and etcd wait on each other.

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

function unrefChild(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref?.();
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(no log: ${String(error)})`;
  }
}
