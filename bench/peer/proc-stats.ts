// CPU seconds and resident memory of any process, from /proc (the same source for the operator and
// the peer, never a process's own metrics). Reads only; knows nothing about what the process is.
import { readdirSync, readFileSync } from 'node:fs';

/** User + system CPU seconds of a process, from /proc/PID/stat (clock ticks of 10 ms). */
export function cpuSecondsOf(pid: number): number {
  // The command name (field 2) may contain spaces; the fields after its closing ") " are fixed.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Current (VmRSS) and peak (VmHWM) resident memory in MiB, split into anonymous and file pages. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number; anonMiB: number; fileMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024, anonMiB: kb('RssAnon') / 1024, fileMiB: kb('RssFile') / 1024 };
}

/** Every process whose parent chain leads to `root` (not `root` itself), by pid. */
export function descendantsOf(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out.sort((a, b) => a - b);
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
