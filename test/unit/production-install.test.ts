// The image the Dockerfile builds, without Docker: the Dockerfile's shape is checked (Node 24 stages,
// production dependencies only, non-root UID 65532 as in deploy/, exec-form entry point, only dist/,
// crds/, package*.json and node_modules in the final stage, a .dockerignore that keeps what is
// copied), then the same production install is done in a clean temp dir (the Dockerfile's own
// `npm ci --omit=dev ...` command, src/ compiled as the build stage does) and the operator's
// --version, run --help and simulator --help, a bad setting, and a real simulator start run there
// with Node 24. A runtime import of a devDependency, or a file missing from the image, fails here.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };

// ---------- a small Dockerfile reader (enough for this Dockerfile: no heredocs, no ONBUILD) ----------

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string | undefined;
  from: string;
  instructions: Instruction[];
}

function readDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const op = m[1]!.toUpperCase();
    const args = m[2]!;
    if (op === 'ARG' && stages.length === 0) {
      const [k, v = ''] = args.split('=');
      globalArgs[k!] = v;
    } else if (op === 'FROM') {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!f) throw new Error(`cannot read FROM "${args}"`);
      const from = f[1]!.replace(/\$\{?(\w+)\}?/g, (_, name: string) => globalArgs[name] ?? '');
      stages.push({ name: f[2], from, instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`instruction before FROM: ${line}`);
      stages.at(-1)!.instructions.push({ op, args });
    }
  }
  return stages;
}

interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}

function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
    });
}

function workdirOf(stage: Stage): string {
  return stage.instructions.filter((i) => i.op === 'WORKDIR').at(-1)?.args ?? '/';
}

/** Where a COPY puts each source, as a path relative to the stage's WORKDIR (e.g. "dist", "package.json"). */
function destinations(stage: Stage, copy: Copy): string[] {
  const base = posix.resolve(workdirOf(stage), copy.dest);
  return copy.sources.map((s) => {
    const target = copy.dest.endsWith('/') || copy.sources.length > 1 ? posix.join(base, posix.basename(s)) : base;
    return posix.relative(workdirOf(stage), target);
  });
}

/** The command of the stage's `npm ci` RUN, without BuildKit --mount options. */
function npmCiOf(stage: Stage): string[] | undefined {
  const run = stage.instructions.find((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
  if (!run) return undefined;
  const words = run.args.split(/\s+/).filter((w) => !w.startsWith('--mount='));
  const start = words.indexOf('npm');
  const end = words.indexOf('&&', start);
  return words.slice(start + 1, end === -1 ? undefined : end);
}

// ---------- a small .dockerignore matcher (Docker's rules: last match wins, a match on a parent counts) ----------

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function ignoredBy(dockerignore: string): (path: string) => boolean {
  const rules = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ negate: l.startsWith('!'), re: globToRegExp(posix.normalize(l.replace(/^!/, '')).replace(/^\/|\/$/g, '')) }));
  return (path) => {
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of rules) if (prefixes.some((p) => rule.re.test(p))) ignored = !rule.negate;
    return ignored;
  };
}

// ---------- helpers ----------

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded); never throws for a non-zero exit. */
async function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  }).finally(() => clearTimeout(timer));
  return { code, stdout, stderr };
}

const stages = readDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const final = stages.at(-1)!;
const stageByName = (name: string): Stage => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`the Dockerfile has no stage "${name}"`);
  return s;
};

describe('Dockerfile', () => {
  it('builds in several stages, every one on Node.js 24', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) {
      if (stages.some((x) => x.name === s.from)) continue; // FROM an earlier stage
      expect(s.from, `stage ${s.name ?? '(unnamed)'}`).toMatch(/^(docker\.io\/(library\/)?)?node:24([.-]|$)|nodejs24/);
    }
  });

  it('runs the build (npm ci, npm run build) in a build stage, not in the final one', () => {
    const builder = stages.find((s) => s.instructions.some((i) => i.op === 'RUN' && /\bnpm run build\b/.test(i.args)));
    expect(builder).toBeDefined();
    expect(builder).not.toBe(final);
    expect(npmCiOf(builder!)).toBeDefined();
    expect(npmCiOf(builder!)).not.toContain('--omit=dev');
  });

  it('ships only dist/, crds/, package.json, package-lock.json and production node_modules', () => {
    const shipped = copiesOf(final).flatMap((c) => destinations(final, c).map((d) => ({ dest: d, copy: c })));
    expect(shipped.map((s) => s.dest).sort()).toEqual(['crds', 'dist', 'node_modules', 'package-lock.json', 'package.json']);
    // node_modules comes from a stage that installs production dependencies only.
    const modules = shipped.find((s) => s.dest === 'node_modules')!.copy;
    expect(modules.from).toBeDefined();
    const ci = npmCiOf(stageByName(modules.from!));
    expect(ci).toContain('--omit=dev');
    // dist comes from the stage that runs the build.
    const dist = shipped.find((s) => s.dest === 'dist')!.copy;
    expect(stageByName(dist.from!).instructions.some((i) => i.op === 'RUN' && /\bnpm run build\b/.test(i.args))).toBe(true);
    expect(final.instructions.some((i) => i.op === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args))).toBe(false);
  });

  it('runs as UID 65532 (the Deployment\'s runAsUser) with an exec-form entry point', () => {
    const user = final.instructions.filter((i) => i.op === 'USER').at(-1)?.args;
    expect(user).toMatch(/^65532(:65532)?$/);
    const deployment = parse(readFileSync(join(ROOT, 'deploy', 'deployment.yaml'), 'utf8')) as { spec: { template: { spec: { securityContext: { runAsUser: number; runAsGroup: number; runAsNonRoot: boolean }; containers: { args: string[] }[] } } } };
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true });
    expect(JSON.parse(final.instructions.find((i) => i.op === 'ENTRYPOINT')!.args)).toEqual(['node', '--optimize-for-size', 'dist/main.js']);
    expect(JSON.parse(final.instructions.find((i) => i.op === 'CMD')!.args)).toEqual(['run']);
    expect(pod.containers[0]!.args).toEqual(['run']);
  });

  it('.dockerignore keeps every file the Dockerfile copies from the context and drops the rest', () => {
    const ignored = ignoredBy(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
    const contextSources = stages.flatMap((s) => copiesOf(s).filter((c) => !c.from).flatMap((c) => c.sources)).map((s) => s.replace(/^\.\/|\/$/g, ''));
    expect(contextSources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'crds']));
    for (const source of contextSources) {
      expect(ignored(source), source).toBe(false);
      expect(existsSync(join(ROOT, source)), `${source} exists in the repository`).toBe(true);
    }
    expect(ignored('src/main.ts')).toBe(false);
    expect(ignored('crds/identity.datahub.dev_authorizationcodeclients.yaml')).toBe(false);
    for (const path of ['node_modules', 'node_modules/pino/package.json', 'dist/main.js', '.git/config', 'test/unit/config.test.ts', 'deploy/datahub-credentials.example.yaml', 'operator.kubeconfig', '.env']) {
      expect(ignored(path), path).toBe(true);
    }
  });
});

describe('production install (what the image contains, built without Docker)', () => {
  let dir: string;
  const node = process.execPath;
  // npm itself runs on Node 24 too (first on PATH), as in the node:24 image.
  const path = [dirname(node), process.env.PATH ?? ''].join(delimiter);
  // The operator runs with a bare environment (as in the image); npm keeps the machine's proxy and CA
  // settings but never NODE_PATH, which could supply a package the install lacks.
  const env = (): NodeJS.ProcessEnv => ({ PATH: path, HOME: process.env.HOME ?? dir, NODE_ENV: 'production' });
  const npmEnv = (): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, PATH: path, NODE_ENV: 'production' };
    delete e.NODE_PATH;
    delete e.NODE_OPTIONS;
    return e;
  };

  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'datahub-operator-image-')));
    // Module resolution walks up from dir: nothing above it may supply a package.
    for (let d = dirname(dir); ; d = dirname(d)) {
      if (existsSync(join(d, 'node_modules'))) throw new Error(`cannot test a clean install under "${d}": it has a node_modules directory that would hide a missing dependency`);
      if (dirname(d) === d) break;
    }
    // Files the final stage copies straight from the build context.
    for (const copy of copiesOf(final).filter((c) => !c.from)) {
      for (const [i, source] of copy.sources.entries()) cpSync(join(ROOT, source), join(dir, destinations(final, copy)[i]!), { recursive: true });
    }
    // node_modules: the deps stage's own npm ci command, on a clean copy of package*.json.
    const modulesCopy = copiesOf(final).find((c) => destinations(final, c).includes('node_modules'))!;
    const ci = npmCiOf(stageByName(modulesCopy.from!))!;
    const install = await run('npm', [...ci, '--prefer-offline'], { cwd: dir, env: npmEnv(), timeoutMs: 180_000 });
    if (install.code !== 0) throw new Error(`npm ${ci.join(' ')} failed (exit ${install.code}):\n${install.stderr.slice(-2000)}`);
    // dist: what the build stage's `npm run build` (tsc -p tsconfig.build.json) produces from src/.
    const build = await run(node, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], { cwd: ROOT, env: env(), timeoutMs: 120_000 });
    if (build.code !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${build.code}):\n${build.stdout.slice(-2000)}${build.stderr.slice(-2000)}`);
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('contains exactly the shipped files and no devDependency', () => {
    expect(readdirSync(dir).sort()).toEqual(['crds', 'dist', 'node_modules', 'package-lock.json', 'package.json']);
    expect(existsSync(join(dir, 'dist', 'main.js'))).toBe(true);
    for (const name of Object.keys(pkg.dependencies)) expect(existsSync(join(dir, 'node_modules', name, 'package.json')), `dependency ${name}`).toBe(true);
    // Every package the lockfile marks dev-only (the `node` runtime package, TypeScript, vitest, ...) is absent.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path && p.dev).map(([path]) => path);
    expect(devOnly).toEqual(expect.arrayContaining(['node_modules/node', 'node_modules/typescript', 'node_modules/vitest']));
    for (const path of devOnly) expect(existsSync(join(dir, path)), `dev-only ${path} must not be installed`).toBe(false);
    expect(existsSync(join(dir, 'node_modules', '.bin', 'node'))).toBe(false);
  });

  it('runs `--version` with Node 24 and prints the package version', async () => {
    const r = await run(node, ['dist/main.js', '--version'], { cwd: dir, env: env(), timeoutMs: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
    expect(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^v24\./);
  });

  it('runs `run --help` and `simulator --help`', async () => {
    const runHelp = await run(node, ['dist/main.js', 'run', '--help'], { cwd: dir, env: env(), timeoutMs: 30_000 });
    expect(runHelp.stderr).toBe('');
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toContain('Usage: datahub-operator run [flags]');
    expect(runHelp.stdout).toContain('--tenant-id');
    const simHelp = await run(node, ['dist/main.js', 'simulator', '--help'], { cwd: dir, env: env(), timeoutMs: 30_000 });
    expect(simHelp.stderr).toBe('');
    expect(simHelp.code).toBe(0);
    expect(simHelp.stdout).toContain('Usage: datahub-operator simulator');
  });

  it('exits 2 with one line for a bad setting', async () => {
    const r = await run(node, ['dist/main.js', 'run', '--workers=0'], { cwd: dir, env: { ...env(), DATAHUB_TENANT_ID: 't', DATAHUB_CLIENT_ID: 'a', DATAHUB_CLIENT_SECRET: 'b' }, timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('datahub-operator: invalid --workers "0" (env WORKERS): must be a whole number from 1 to 256\n');
  });

  it('starts the simulator, answers its discovery document, and stops on SIGTERM', async () => {
    const child = spawn(node, ['dist/main.js', 'simulator', '--listen=127.0.0.1:0'], { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: string) => {
          out += d;
          const m = /"url":"([^"]+)"/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`simulator exited (${code}) before listening: ${out}`)));
      });
      const res = await fetch(`${url}/identity/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { token_endpoint: string }).token_endpoint).toBe(`${url}/identity/connect/token`);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
