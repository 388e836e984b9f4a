// `datahub-operator validate` as a user runs it: flags, files, directories and stdin, the output
// format and exit codes, YAML syntax errors as problems, and no field value ever printed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runValidate, VALIDATE_USAGE } from '../../../src/validate/command.ts';

const dir = mkdtempSync(join(tmpdir(), 'validate-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function validate(args: string[], stdin = ''): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runValidate(args, { readStdin: () => Promise.resolve(stdin), stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const GOOD = `apiVersion: identity.datahub.dev/v1alpha1
kind: AuthorizationCodeClient
metadata:
  name: web
  namespace: shop
spec:
  redirectUris:
    - https://shop.example.com/signin-callback
`;

const BAD = `${GOOD}    - https://*.example.com/cb
  accessTokenLifetimeSeconds: 30
`;

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('validate command', () => {
  it('exits 0 and prints nothing on stdout for valid manifests; the summary goes to stderr', async () => {
    const other = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n';
    const r = await validate([file('good.yaml', `${GOOD}---\n${other}`)]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'validate: 1 file, 3 documents: 1 checked (AuthorizationCodeClient 1), 2 ignored (Deployment 1, Service 1); 0 problems\n' });
  });

  it('prints file:line: Kind namespace/name: field: message and exits 1', async () => {
    const path = file('bad.yaml', BAD);
    const r = await validate([path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `${path}:9: AuthorizationCodeClient shop/web: spec.redirectUris[1]: must not contain '*': Data Hub matches redirect URIs exactly and ignores wildcards\n` +
        `${path}:10: AuthorizationCodeClient shop/web: spec.accessTokenLifetimeSeconds: should be greater than or equal to 60\n`,
    );
  });

  it('reads stdin for -, as in kustomize build | datahub-operator validate -', async () => {
    const r = await validate(['-'], `${GOOD}---\n${BAD.replace('name: web', 'name: web2')}`);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/^<stdin>:18: AuthorizationCodeClient shop\/web2: spec\.redirectUris\[1\]: /);
  });

  it('reads directories recursively (manifest files only, hidden directories skipped)', async () => {
    const root = join(dir, 'repo');
    file('repo/apps/shop/acc.yaml', BAD);
    file('repo/apps/shop/README.md', 'not yaml: [');
    file('repo/.git/config.yaml', 'broken: [');
    file('repo/base/list.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [JSON.parse(JSON.stringify({ apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', metadata: { name: 'listed', namespace: 'x' }, spec: { redirectUris: ['/relative'] } }))] }));
    const r = await validate([root]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${join(root, 'apps/shop/acc.yaml')}:9: AuthorizationCodeClient shop/web: spec.redirectUris[1]`);
    expect(r.stdout).toContain(`${join(root, 'base/list.json')}:1: AuthorizationCodeClient x/listed: spec.redirectUris[0]: must be an absolute URL`);
    expect(r.stderr).toMatch(/^validate: 2 files, 2 documents: 2 checked/);
  });

  it('--output json carries every field of every problem and the summary', async () => {
    const r = await validate(['--output', 'json', file('bad.yaml', BAD)]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { problems: Record<string, unknown>[]; summary: Record<string, unknown> };
    expect(out.problems[0]).toEqual({ file: join(dir, 'bad.yaml'), line: 9, kind: 'AuthorizationCodeClient', namespace: 'shop', name: 'web', document: 1, field: 'spec.redirectUris[1]', message: expect.stringContaining("must not contain '*'"), check: 'cel' });
    expect(out.summary).toEqual({ files: 1, documents: 1, checked: { AuthorizationCodeClient: 1 }, ignored: {}, problems: 2 });
  });

  it('reports YAML syntax errors with their line, and goes on with the other documents', async () => {
    const r = await validate(['-'], `${GOOD}---\nkind: [unclosed\n---\n${BAD}`);
    expect(r.code).toBe(1);
    // The line where the parser noticed: the unclosed [ of line 10 is found at the next line.
    expect(r.stdout.split('\n')[0]).toMatch(/^<stdin>:11: document 2: yaml: Flow sequence in block collection must be sufficiently indented and end with a \]$/);
    expect(r.stderr).toMatch(/^validate: 1 file, 3 documents: 2 checked/);
    expect(r.stdout).toContain('<stdin>:20: AuthorizationCodeClient shop/web: spec.redirectUris[1]');
  });

  it('reports an alias bomb as a problem of its document, not a crash', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n');
    const r = await validate(['-'], `${bomb}\n---\n${GOOD}`);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<stdin>:1: document 1: yaml: .*alias/i);
    expect(r.stderr).toContain('1 checked');
  });

  it('never prints a value: not from a broken Secret manifest, not from a template', async () => {
    const secret = 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: "hunter2\n';
    const template = GOOD + '  secret:\n    template:\n      data:\n        token: "hunter2 $(password)"\n        cost: "hunter2 5$"\n';
    const r = await validate(['--output', 'json', '-'], `${secret}---\n${template}`);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).problems).toHaveLength(3);
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });

  it('says when an apiVersion of our kind is not served', async () => {
    const r = await validate(['-'], GOOD.replace('v1alpha1', 'v9'));
    expect(r.stdout).toMatch(/^<stdin>:1: AuthorizationCodeClient shop\/web: apiVersion: version not served by the AuthorizationCodeClient CRD \(served: v1alpha1\)\n$/);
  });

  it.each([
    [[], 'no input: name files or directories, or - for standard input'],
    [['--output', 'yaml', '-'], '--output must be text or json, not "yaml"'],
    [['--strict', '-'], 'unknown flag "--strict"'],
    [['-', '-'], '- (standard input) can be given only once'],
    [['/no/such/file.yaml'], 'cannot read "/no/such/file.yaml": ENOENT'],
    [['--crds', '/no/such/dir', '-'], 'cannot read CRD directory "/no/such/dir"'],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const r = await validate(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`datahub-operator validate: ${message}`);
  });

  it('--help prints the usage', async () => {
    expect(await validate(['--help'])).toEqual({ code: 0, stdout: VALIDATE_USAGE, stderr: '' });
  });

  it('is wired into the datahub-operator command (exit code, stdin, help line)', () => {
    const main = join(import.meta.dirname, '..', '..', '..', 'src', 'main.ts');
    const r = spawnSync(process.execPath, [main, 'validate', '-'], { input: BAD, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^<stdin>:9: AuthorizationCodeClient shop\/web: /);
    expect(spawnSync(process.execPath, [main, 'help'], { encoding: 'utf8', timeout: 60_000 }).stdout).toMatch(/datahub-operator validate <paths\|->/);
  }, 120_000);
});
