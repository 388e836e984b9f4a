// The Dockerfile's shape, read without building it (so it runs anywhere, as any user): Node 24
// stages, production dependencies only, non-root UID 65532 as in deploy/, exec-form entry point,
// only dist/, crds/, package*.json and node_modules in the final stage, and a .dockerignore that
// keeps what is copied and drops the rest (node_modules, .git, tests, kubeconfigs, credentials).
// What the built image contains and does is test/integration/image.test.ts (it builds the image
// with buildah and runs it).
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');

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
