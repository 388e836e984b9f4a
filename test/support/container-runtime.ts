// Runs an unpacked image as a container with runc (Debian's package; crun refuses this machine's
// hybrid cgroup layout): an OCI runtime spec made from the image config (entrypoint, cmd, user,
// env, working dir) and a few Kubernetes-style settings (args, extra env, mounts, read-only root,
// no privilege escalation, no capabilities, memory limit). Owns the spec and runc's process; knows
// nothing about Kubernetes objects (the test maps the Deployment onto this).
//
// No network namespace: the container shares the host's loopback, so every listener it opens must
// be given a 127.0.0.1 address by the caller. PID, mount, IPC and UTS namespaces are its own.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageConfig } from './oci-image.ts';
import { spawnComponent, type Component, type Watchdog } from './process-supervisor.ts';

export type ContainerMount = { destination: string; bind: string; readOnly: boolean } | { destination: string; tmpfsBytes: number };

export interface ContainerSpec {
  /** Unique per run: runc's container id, and the hostname. */
  id: string;
  rootfs: string;
  image: ImageConfig;
  /** Replaces the image's Entrypoint (and drops its Cmd), as Kubernetes' `command` does. */
  command?: string[];
  /** Replaces the image's Cmd, as Kubernetes' `args` does. */
  args?: string[];
  /** After the image's Env; a name given again wins, as in Kubernetes. */
  env?: Record<string, string>;
  mounts?: ContainerMount[];
  readOnlyRootFilesystem: boolean;
  noNewPrivileges: boolean;
  memoryLimitBytes?: number;
}

/** The numeric user and group of the image's USER ("uid" or "uid:gid"); names would need the image's /etc/passwd. */
export function imageUser(image: ImageConfig): { uid: number; gid: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(image.User ?? '');
  if (!m) throw new Error(`cannot run the image as its user "${image.User ?? ''}": only numeric uid[:gid] is supported (and root is not wanted)`);
  return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
}

/** The OCI runtime spec (config.json) for one container. */
export function runtimeSpec(spec: ContainerSpec): Record<string, unknown> {
  const { image } = spec;
  const env = new Map<string, string>();
  for (const entry of image.Env ?? []) env.set(entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1));
  for (const [k, v] of Object.entries(spec.env ?? {})) env.set(k, v);
  const args = [...(spec.command ?? image.Entrypoint ?? []), ...(spec.args ?? (spec.command ? [] : (image.Cmd ?? [])))];
  if (args.length === 0) throw new Error(`cannot run container "${spec.id}": the image has neither an entrypoint nor a command`);
  const mounts: Record<string, unknown>[] = [
    // runc's own defaults (`runc spec`), less /sys/fs/cgroup, which the operator does not read.
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    ...(spec.mounts ?? []).map((m) =>
      'bind' in m
        ? { destination: m.destination, type: 'bind', source: m.bind, options: ['rbind', 'nosuid', 'nodev', m.readOnly ? 'ro' : 'rw'] }
        : { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', `size=${m.tmpfsBytes}`] },
    ),
  ];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: imageUser(image),
      args,
      env: [...env].map(([k, v]) => `${k}=${v}`),
      cwd: image.WorkingDir || '/',
      // No capabilities at all (Kubernetes' `capabilities: {drop: [ALL]}`).
      capabilities: { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] },
      // No rlimits: the container keeps runc's (this machine's hard open-files limit is below the
      // usual container runtimes' 1048576).
      noNewPrivileges: spec.noNewPrivileges,
    },
    root: { path: spec.rootfs, readonly: spec.readOnlyRootFilesystem },
    hostname: spec.id,
    mounts,
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      resources: { devices: [{ allow: false, access: 'rwm' }], ...(spec.memoryLimitBytes ? { memory: { limit: spec.memoryLimitBytes } } : {}) },
      maskedPaths: ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** runc's state and each container's bundle live under one directory of the caller's. */
export class ContainerRuntime {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private bundle(spec: ContainerSpec): { runc: string[]; bundle: string } {
    const bundle = join(this.dir, 'bundles', spec.id);
    mkdirSync(bundle, { recursive: true });
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(runtimeSpec(spec), null, 2));
    return { runc: ['--root', join(this.dir, 'runc'), 'run', '--bundle', bundle, spec.id], bundle };
  }

  /** Runs a container to its end (bounded) and returns its exit code and output. */
  async run(spec: ContainerSpec, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn('runc', this.bundle(spec).runc, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => void this.kill(spec.id), timeoutMs);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    }).finally(() => clearTimeout(timer));
    return { code, stdout, stderr };
  }

  /**
   * Starts a long-running container, its output in logFile. runc forwards SIGTERM to the container
   * (so Component.stop() is a graceful stop), but the container's init runs in its own session: the
   * watchdog is told its pid, so it dies with the test process however that ends.
   */
  async start(spec: ContainerSpec, logFile: string, watchdog: Watchdog): Promise<RunningContainer> {
    const component = spawnComponent({ name: `container ${spec.id}`, command: 'runc', args: this.bundle(spec).runc, logFile, watchdog });
    const deadline = Date.now() + 30_000;
    let pid = 0;
    while (!pid) {
      if (!component.running()) throw new Error(`cannot start container "${spec.id}": runc exited:\n${component.logTail(20)}`);
      if (Date.now() > deadline) throw new Error(`cannot start container "${spec.id}": not running after 30 s:\n${component.logTail(20)}`);
      const state = await this.state(spec.id);
      if (state?.status === 'running') pid = state.pid;
      else await new Promise((r) => setTimeout(r, 100));
    }
    watchdog.watch(pid);
    void component.exited.then(() => watchdog.forget(pid));
    return { component, pid, status: () => processStatus(pid) };
  }

  async state(id: string): Promise<{ status: string; pid: number } | undefined> {
    const r = await this.runc(['state', id]);
    return r.code === 0 ? (JSON.parse(r.stdout) as { status: string; pid: number }) : undefined;
  }

  /** SIGKILL and remove the container; no error if it is already gone. */
  async kill(id: string): Promise<void> {
    await this.runc(['delete', '--force', id]);
  }

  private async runc(args: string[]): Promise<{ code: number | null; stdout: string }> {
    const child = spawn('runc', ['--root', join(this.dir, 'runc'), ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const code = await new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(null));
      child.once('close', resolve);
    });
    return { code, stdout };
  }
}

export interface RunningContainer {
  /** runc's process: stop() sends SIGTERM, which runc passes on to the container. */
  component: Component;
  /** The container's first process (the entrypoint), as the host sees it. */
  pid: number;
  /** Identity and privileges of that process, from /proc/<pid>/status. */
  status(): ProcessStatus;
}

export interface ProcessStatus {
  uid: number[];
  gid: number[];
  groups: number[];
  capEff: string;
  noNewPrivs: string;
}

function processStatus(pid: number): ProcessStatus {
  const fields = new Map(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as const));
  const numbers = (name: string): number[] => (fields.get(name) ?? '').split(/\s+/).filter(Boolean).map(Number);
  return { uid: numbers('Uid'), gid: numbers('Gid'), groups: numbers('Groups'), capEff: fields.get('CapEff') ?? '', noNewPrivs: fields.get('NoNewPrivs') ?? '' };
}
