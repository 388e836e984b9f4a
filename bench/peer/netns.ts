// Keeps every listener of the peer scenario on loopback. provider-http's metrics server binds :8080
// on every interface and no flag moves it, so the whole scenario (control plane, simulator, the
// operator, the peer, this process) runs in a network namespace of its own that has only `lo`: a
// wildcard listener there is reachable from nowhere else. This file re-executes the bench inside
// such a namespace, and checks listeners with `ss` inside and in the host's namespace.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const INSIDE = 'BENCH_NETNS';
const HOST_PID = 'BENCH_HOST_NETNS_PID';

export interface Listener {
  address: string;
  port: number;
  /** Process names and pids from `users:((...))` (empty when ss may not see the owner). */
  owners: { name: string; pid: number }[];
}

/** Parses `ss -ltnpH` output. */
export function parseListeners(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] !== 'LISTEN' || !fields[3]) continue;
    const local = fields[3];
    const colon = local.lastIndexOf(':');
    const owners = [...line.matchAll(/\("([^"]*)",pid=(\d+)/g)].map((m) => ({ name: m[1]!, pid: Number(m[2]) }));
    out.push({ address: local.slice(0, colon).replace(/%\w+$/, ''), port: Number(local.slice(colon + 1)), owners });
  }
  return out;
}

export function isLoopback(address: string): boolean {
  return address === '[::1]' || /^127\./.test(address);
}

export function insideBenchNetns(): boolean {
  return process.env[INSIDE] === '1';
}

/**
 * Runs this same command again inside a new network namespace with `lo` up (we are root) and
 * resolves with its exit code, after checking that no process is left in that namespace.
 */
export async function rerunInNetns(log: (line: string) => void): Promise<number> {
  const argv = [...process.execArgv, ...process.argv.slice(1)];
  const child = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, [INSIDE]: '1', [HOST_PID]: String(process.pid) },
  });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  let netns: string | undefined;
  // unshare execs sh which execs node: the pid stays; its namespace is the bench's from the start.
  for (let i = 0; i < 50 && netns === undefined && child.pid !== undefined; i++) {
    try {
      const link = readlinkSync(`/proc/${child.pid}/ns/net`);
      if (link !== readlinkSync('/proc/self/ns/net')) netns = link;
    } catch {
      break;
    }
    if (netns === undefined) await new Promise((r) => setTimeout(r, 20));
  }
  const code = await new Promise<number>((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 128 : 1))));
  process.off('SIGINT', forward).off('SIGTERM', forward);
  // After a crash the watchdogs need a few seconds to stop what the bench started.
  let left = netns ? processesIn(netns) : [];
  for (let waited = 0; left.length > 0 && waited < 60_000; waited += 500) {
    await new Promise((r) => setTimeout(r, 500));
    left = processesIn(netns!);
  }
  if (left.length > 0) {
    log(`processes left in the bench's network namespace: ${left.join(', ')}`);
    return code === 0 ? 1 : code;
  }
  log(`network namespace ${netns ?? '(unknown)'}: no process left`);
  return code;
}

function processesIn(netns: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/net`) === netns) pids.push(Number(entry));
    } catch {
      // exited, or not ours to read
    }
  }
  return pids;
}

/** Listeners in this (the bench's) namespace and in the host's, seen with ss. */
export function listenersNow(): { inside: Listener[]; host: Listener[] } {
  const inside = parseListeners(execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' }));
  const hostPid = process.env[HOST_PID];
  const host = hostPid ? parseListeners(execFileSync('nsenter', [`--net=/proc/${hostPid}/ns/net`, 'ss', '-ltnpH'], { encoding: 'utf8' })) : [];
  return { inside, host };
}

/**
 * Problems with the listeners, or none: inside, each one is on loopback or is a wildcard in a
 * namespace that has only `lo`; in the host's namespace, none belongs to one of `ours`.
 */
export function listenerProblems(seen: { inside: Listener[]; host: Listener[] }, ours: ReadonlySet<number>, interfaces: string[]): string[] {
  const problems: string[] = [];
  const onlyLo = interfaces.length === 1 && interfaces[0] === 'lo';
  for (const l of seen.inside) {
    if (!isLoopback(l.address) && !onlyLo) problems.push(`${l.address}:${l.port} (${l.owners.map((o) => o.name).join(',')}) is not on loopback`);
  }
  for (const l of seen.host) {
    const mine = l.owners.filter((o) => ours.has(o.pid));
    if (mine.length > 0) problems.push(`${l.address}:${l.port} (${mine.map((o) => o.name).join(',')}) listens in the host's namespace`);
  }
  return problems;
}

/** Names of the network interfaces in this namespace (`ip`: /sys/class/net shows the host's). */
export function interfaceNames(): string[] {
  return parseLinkNames(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }));
}

/** Parses `ip -o link show` output ("1: lo: <LOOPBACK,UP> ..." per line). */
export function parseLinkNames(text: string): string[] {
  return text.split('\n').flatMap((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? []);
}

/** A listener's owner for the log: Node.js threads are all "MainThread", so name its script instead. */
export function ownerLabel(owner: { name: string; pid: number }): string {
  if (owner.pid === process.pid) return 'bench+simulator';
  try {
    const argv = readFileSync(`/proc/${owner.pid}/cmdline`, 'utf8').split('\0');
    const script = argv.find((a) => /\.(js|ts)$/.test(a));
    return script ? `node ${script.split('/').slice(-2).join('/')}` : owner.name;
  } catch {
    return owner.name;
  }
}
