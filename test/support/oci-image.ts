// The built image as an artifact: runs scripts/build-image.sh, reads the OCI image layout it writes
// (index, manifest, config, as a registry or a kubelet would), and unpacks the root filesystem with
// umoci. Knows nothing about running the image (container-runtime.ts) or about Kubernetes.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The runtime part of an OCI image config (the image-spec's `config` object). */
export interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, object>;
}

export interface OciImage {
  /** The layout directory. */
  layout: string;
  tag: string;
  manifestDigest: string;
  layers: { digest: string; size: number; mediaType: string }[];
  config: ImageConfig;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** Where build-image.sh keeps its cache (and so where the unpacked root filesystems go). */
export const IMAGE_CACHE = process.env.DATAHUB_IMAGE_CACHE ?? join(homedir(), '.cache', 'datahub-operator', 'image');

/**
 * Runs scripts/build-image.sh (cold: minutes; warm: buildah's layer cache) and returns the
 * `oci:<dir>:<tag>` reference it prints last, with its log (the script's `[image]` lines).
 */
export async function buildImage(repoRoot: string, logFile: string, timeoutMs: number): Promise<{ ref: string; summary: string[] }> {
  const fd = openSync(logFile, 'w');
  let code: number | null;
  try {
    const child = spawn('bash', [join(repoRoot, 'scripts', 'build-image.sh')], { cwd: repoRoot, stdio: ['ignore', fd, fd] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    }).finally(() => clearTimeout(timer));
  } finally {
    closeSync(fd);
  }
  const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
  if (code !== 0) throw new Error(`cannot build the image with scripts/build-image.sh (exit ${code}):\n${lines.slice(-40).join('\n')}`);
  const ref = lines.at(-1) ?? '';
  if (!ref.startsWith('oci:')) throw new Error(`cannot read the image reference from build-image.sh's last line "${ref}"`);
  return { ref, summary: lines.filter((l) => l.startsWith('[image]')) };
}

/** Reads an image from an OCI layout, by a reference `oci:<dir>:<tag>`. */
export function readOciImage(ref: string): OciImage {
  const m = /^oci:(.+):([^:/]+)$/.exec(ref);
  if (!m) throw new Error(`cannot read image "${ref}": not an oci:<dir>:<tag> reference`);
  const [, layout, tag] = m as unknown as [string, string, string];
  const blob = (digest: string): string => readFileSync(join(layout, 'blobs', ...digest.split(':')), 'utf8');
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const entry = index.manifests.find((d) => d.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) throw new Error(`cannot read image "${ref}": the layout has no tag "${tag}"`);
  const manifest = JSON.parse(blob(entry.digest)) as { config: Descriptor; layers: Descriptor[] };
  const config = (JSON.parse(blob(manifest.config.digest)) as { config?: ImageConfig }).config ?? {};
  return { layout, tag, manifestDigest: entry.digest, layers: manifest.layers.map(({ digest, size, mediaType }) => ({ digest, size, mediaType })), config };
}

/**
 * The image's root filesystem, unpacked by umoci (which checks every layer's digest and applies
 * whiteouts). Kept under the cache per manifest digest, since unpacking takes a minute; older ones
 * are removed. Containers run it read-only.
 */
export async function unpackRootfs(image: OciImage, timeoutMs: number): Promise<string> {
  const base = join(IMAGE_CACHE, 'rootfs');
  const name = image.manifestDigest.replace(':', '-');
  const dir = join(base, name);
  if (existsSync(join(dir, '.complete'))) return join(dir, 'rootfs');
  mkdirSync(base, { recursive: true });
  for (const old of readdirSync(base)) rmSync(join(base, old), { recursive: true, force: true });
  const partial = `${dir}.partial`;
  mkdirSync(partial);
  const result = await runToEnd('umoci', ['raw', 'unpack', '--image', `${image.layout}:${image.tag}`, join(partial, 'rootfs')], timeoutMs);
  if (result.code !== 0) throw new Error(`cannot unpack image "${image.layout}:${image.tag}" with umoci (exit ${result.code}): ${result.output.trim().split('\n').slice(-5).join(' | ')}`);
  writeFileSync(join(partial, '.complete'), `${image.manifestDigest}\n`);
  renameSync(partial, dir);
  return join(dir, 'rootfs');
}

async function runToEnd(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearTimeout(timer));
  return { code, output };
}
