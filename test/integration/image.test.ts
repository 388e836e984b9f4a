// The image, really built and really run: scripts/build-image.sh builds the shipped Dockerfile with
// buildah into an OCI layout; the test reads the image's config from the layout, unpacks its root
// filesystem with umoci and runs the entrypoint it declares with runc, as the image's non-root user,
// set up the way deploy/deployment.yaml sets up the pod (args, env, secret volumes, read-only root,
// no capabilities, no privilege escalation, memory limit) with a ServiceAccount token mounted for
// in-cluster config. One AuthorizationCodeClient is reconciled against the test control plane and
// the simulator, both on 127.0.0.1 (the container shares the host's loopback).
//
// Needs root (buildah, umoci and runc do): as another user the whole file is skipped, loudly. CI and
// `npm test` run as root. Cold, the build takes minutes (README, "How the image is built and tested").
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Simulator } from '../../src/simulator/index.ts';
import { ContainerRuntime, imageUser, type ContainerSpec, type RunningContainer } from '../support/container-runtime.ts';
import { containerFromDeployment, type Deployment } from '../support/deployment-container.ts';
import { mintServiceAccountToken } from '../support/kube-admin.ts';
import { buildImage, readOciImage, unpackRootfs, type OciImage } from '../support/oci-image.ts';
import {
  OPERATOR_NAMESPACE,
  REPO_ROOT,
  cleanupHarness,
  cluster,
  createAcc,
  decode,
  deleteAllAndStop,
  eventually,
  getSecret,
  operatorLogFile,
  operatorProcess,
  startTestSimulator,
  testNamespace,
  waitReady,
  watchdog,
  type OperatorProcess,
} from '../support/operator-harness.ts';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const deployment = parse(readFileSync(join(REPO_ROOT, 'deploy', 'deployment.yaml'), 'utf8')) as Deployment;
const root = process.getuid?.() === 0;
const SKIP_REASON = 'SKIPPED: building and running the image needs root (buildah, umoci, runc); run `npm test` as root, as CI does';
if (!root) process.stderr.write(`\n[image] test/integration/image.test.ts ${SKIP_REASON}\n\n`);

describe.skipIf(!root)(root ? 'the operator image' : `the operator image (${SKIP_REASON})`, () => {
  let dir: string;
  let image: OciImage;
  let rootfs: string;
  let runtime: ContainerRuntime;
  const containerIds: string[] = [];
  const spec = (id: string, extra: Partial<ContainerSpec> = {}): ContainerSpec => {
    containerIds.push(id);
    return { id, rootfs, image: image.config, readOnlyRootFilesystem: true, noNewPrivileges: true, ...extra };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datahub-operator-image-'));
    const started = Date.now();
    const { ref, summary } = await buildImage(REPO_ROOT, join(dir, 'build.log'), 40 * 60_000);
    image = readOciImage(ref);
    rootfs = await unpackRootfs(image, 10 * 60_000);
    process.stderr.write(`${summary.join('\n')}\n[image] built and unpacked in ${Math.round((Date.now() - started) / 1000)} s: ${ref}\n`);
    runtime = new ContainerRuntime(join(dir, 'runtime'));
  }, 50 * 60_000);

  afterAll(async () => {
    for (const id of containerIds) await runtime?.kill(id);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('declares the non-root user, the command and the ports the Deployment relies on', () => {
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0]!;
    expect(imageUser(image.config)).toEqual({ uid: pod.securityContext?.runAsUser, gid: pod.securityContext?.runAsGroup });
    expect(imageUser(image.config).uid).not.toBe(0);
    expect(image.config.Cmd).toEqual(container.args);
    // Exec form, with the entry point the package declares as its bin, relative to WORKDIR.
    const [command, ...flags] = image.config.Entrypoint ?? [];
    expect(command).toBe('node');
    expect(flags.at(-1)).toBe(pkg.bin['datahub-operator']);
    expect(Object.keys(image.config.ExposedPorts ?? {}).sort()).toEqual(container.ports!.map((p) => `${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`).sort());
    expect(image.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip')).toBe(true);
  });

  it('ships the app, its production dependencies only, read-only to its user, and no npm', () => {
    const app = join(rootfs, image.config.WorkingDir!);
    expect(readdirSync(app).sort()).toEqual(['crds', 'dist', 'node_modules', 'package-lock.json', 'package.json']);
    for (const name of Object.keys(pkg.dependencies)) expect(existsSync(join(app, 'node_modules', name, 'package.json')), `dependency ${name}`).toBe(true);
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path && p.dev).map(([path]) => path);
    expect(devOnly).toEqual(expect.arrayContaining(['node_modules/node', 'node_modules/typescript', 'node_modules/vitest']));
    for (const path of devOnly) expect(existsSync(join(app, path)), `dev-only ${path}`).toBe(false);
    // The operator cannot change its own code: owned by root, not group- or world-writable.
    const main = statSync(join(app, 'dist', 'main.js'));
    expect([main.uid, main.mode & 0o022]).toEqual([0, 0]);
    for (const gone of ['usr/local/bin/npm', 'usr/local/bin/npx', 'usr/local/lib/node_modules']) expect(existsSync(join(rootfs, gone)), gone).toBe(false);
  });

  it('runs Node.js of the `node` devDependency as UID 65532, and `--version` prints the package version', async () => {
    const node = await runtime.run(spec('image-node', { command: ['node', '-p', '`${process.version} ${process.getuid()}:${process.getgid()}`'] }));
    expect(node).toEqual({ code: 0, stdout: `v${pkg.devDependencies.node} 65532:65532\n`, stderr: '' });
    const version = await runtime.run(spec('image-version', { args: ['--version'] }));
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('answers `run --help` and `simulator --help`, and exits 2 with one line for a bad setting', async () => {
    const runHelp = await runtime.run(spec('image-run-help', { args: ['run', '--help'] }));
    expect([runHelp.code, runHelp.stderr]).toEqual([0, '']);
    expect(runHelp.stdout).toContain('Usage: datahub-operator run [flags]');
    const simHelp = await runtime.run(spec('image-sim-help', { args: ['simulator', '--help'] }));
    expect([simHelp.code, simHelp.stderr]).toEqual([0, '']);
    expect(simHelp.stdout).toContain('Usage: datahub-operator simulator');
    const bad = await runtime.run(spec('image-bad-setting', { args: ['run', '--workers=0'], env: { DATAHUB_TENANT_ID: 't', DATAHUB_CLIENT_ID: 'a', DATAHUB_CLIENT_SECRET: 'b' } }));
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'datahub-operator: invalid --workers "0" (env WORKERS): must be a whole number from 1 to 256\n' });
  });

  it('runs the simulator on 127.0.0.1: it answers its discovery document and stops on SIGTERM', async () => {
    const logFile = join(dir, 'simulator.log');
    const sim = await runtime.start(spec('image-simulator', { args: ['simulator', '--listen=127.0.0.1:0'] }), logFile, watchdog);
    try {
      const url = await eventually('the simulator\'s url', () => /"url":"([^"]+)"/.exec(readFileSync(logFile, 'utf8'))?.[1] ?? (sim.component.running() ? undefined : Promise.reject(new Error(sim.component.logTail()))), 30_000);
      const res = await fetch(`${url}/identity/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { token_endpoint: string }).token_endpoint).toBe(`${url}/identity/connect/token`);
      expect((await sim.component.stop(20_000)).code).toBe(0);
    } finally {
      await sim.component.kill();
    }
  });

  describe('run as the Deployment runs it', () => {
    let sim: Simulator;
    let ns: string;
    let container: RunningContainer;
    let operator: OperatorProcess | undefined;

    beforeAll(async () => {
      sim = await startTestSimulator();
      ns = await testNamespace('image');
      const { kc, info } = await cluster();
      const settings = containerFromDeployment(deployment, {
        podName: 'datahub-operator-image-test',
        namespace: OPERATOR_NAMESPACE,
        secrets: { 'datahub-credentials': { 'tenant-id': sim.tenantId, 'client-id': 'simulator-admin', 'client-secret': 'simulator-secret' } },
        apiServer: info.server,
        serviceAccountToken: await mintServiceAccountToken(kc, OPERATOR_NAMESPACE, deployment.spec.template.spec.serviceAccountName!, 3600),
        caPem: Buffer.from(info.caData, 'base64').toString('utf8'),
        volumesDir: join(dir, 'volumes'),
      });
      // What differs from a cluster: the simulator instead of Data Hub, one watched namespace, a
      // Lease of its own, and listeners on loopback only (the container shares the host's network).
      const args = [
        ...(settings.args ?? []),
        `--datahub-url=${sim.url}`,
        `--namespaces=${ns}`,
        `--leader-election-id=image-test-${Math.random().toString(36).slice(2, 8)}`,
        '--metrics-bind-address=127.0.0.1:0',
        '--health-probe-bind-address=127.0.0.1:0',
      ];
      const logFile = operatorLogFile();
      container = await runtime.start(spec(`image-operator-${Math.random().toString(36).slice(2, 8)}`, { ...settings, args }), logFile, watchdog);
      operator = operatorProcess(container.component, logFile);
    }, 120_000);

    afterAll(async () => {
      const code = await deleteAllAndStop(ns, operator, sim);
      if (operator) expect(code).toBe(0);
    }, 120_000);

    it('runs as UID/GID 65532 with no capabilities and no privilege escalation', () => {
      const status = container.status();
      expect(status.uid).toEqual([65532, 65532, 65532, 65532]);
      expect(status.gid).toEqual([65532, 65532, 65532, 65532]);
      expect(status.groups.every((g) => g === 65532)).toBe(true);
      expect(status.capEff).toBe('0000000000000000');
      expect(status.noNewPrivs).toBe('1');
    });

    it('becomes ready (the readiness probe\'s /readyz) with in-cluster config', async () => {
      const port = await operator!.healthPort();
      await eventually('/readyz 200', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 60_000);
      // No kubeconfig exists in the container: the mounted ServiceAccount token and
      // KUBERNETES_SERVICE_* are all it has to reach the API server.
      expect(operator!.logs().find((l) => l.msg === 'starting datahub-operator')).toMatchObject({ version: pkg.version, namespaces: [ns] });
    });

    it('reconciles an AuthorizationCodeClient to Ready and writes its Secret', async () => {
      await createAcc(ns, 'web', { redirectUris: ['https://web.example.com/callback'] });
      const acc = await waitReady(ns, 'web', 90_000);
      const clientId = acc.status?.clientId ?? '';
      expect(sim.clients.get(clientId)).toMatchObject({ Name: `${ns}/web`, RedirectUris: ['https://web.example.com/callback'] });
      expect(decode(await getSecret(ns, 'web'))).toMatchObject({ clientId, tenantId: sim.tenantId, redirectUri: 'https://web.example.com/callback' });
    }, 120_000);
  });
});

afterAll(() => {
  if (!root) cleanupHarness();
});
