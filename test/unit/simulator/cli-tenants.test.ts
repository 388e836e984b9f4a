// The simulator's multi-tenant flags: --extra-tenant, --credential, --tenant-outage and the
// documented choices (--multi-status, --member-role, --client-id-scope,
// --community-administrator-role), parsed and then used by a real process on 127.0.0.1:0.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { parseSimulatorArgs, USAGE } from '../../../src/simulator/cli.ts';
import { parseCredential } from '../../../src/simulator/cli-tenants.ts';

const ENTRY = new URL('../../../src/simulator/cli-entry.ts', import.meta.url).pathname;
const B = '00000000-0000-0000-0000-0000000000b2';
const C = '00000000-0000-0000-0000-0000000000c3';
const ADMIN = ['Tenant Administrator', 'Tenant Member'];

describe('multi-tenant flags', () => {
  it('declares extra tenants with credentials and outages, and credentials of the default tenant', () => {
    const p = parseSimulatorArgs([
      '--extra-tenant', B, '--extra-tenant', C,
      '--credential', `${B}:b-admin:b-secret`, '--credential', `${B}:b-reader:r:s:member`, `--credential=${C}:c-admin:c:admin`,
      '--credential', '00000000-0000-0000-0000-000000000001:ops:ops-secret:member',
      '--tenant-outage', `${C}:30`, '--tenant-outage', '00000000-0000-0000-0000-000000000001:5',
      '--multi-status', 'off', '--member-role', 'reject', '--client-id-scope', 'tenant', '--community-administrator-role',
    ]);
    expect(p.options.tenants).toEqual([
      { id: B, credentials: [{ clientId: 'b-admin', clientSecret: 'b-secret', roles: ADMIN }, { clientId: 'b-reader', clientSecret: 'r:s', roles: ['Tenant Member'] }] },
      { id: C, credentials: [{ clientId: 'c-admin', clientSecret: 'c', roles: ADMIN }], faults: { outageSeconds: 30 } },
    ]);
    expect(p.options.credentials?.map((c) => c.clientId)).toEqual(['simulator-admin', 'ops']);
    expect(p.options).toMatchObject({ tenantFaults: { outageSeconds: 5 }, multiStatus: false, memberRole: 'reject', clientIdScope: 'tenant', communityAdministratorRole: true });
  });

  it('keeps a secret with colons when the role is given', () => {
    expect(parseCredential('t:id:a:b:c:admin')).toEqual({ tenant: 't', credential: { clientId: 'id', clientSecret: 'a:b:c', roles: ADMIN } });
    expect(parseCredential('t:id:a:b')).toEqual({ tenant: 't', credential: { clientId: 'id', clientSecret: 'a:b', roles: ADMIN } });
  });

  it.each([
    [['--credential', 'only:two'], /TENANT:CLIENT_ID:SECRET/],
    [['--credential', `${B}:x:y`], /neither --tenant nor an --extra-tenant/],
    [['--extra-tenant', B, '--extra-tenant', B.toUpperCase()], /declared twice/],
    [['--extra-tenant', '00000000-0000-0000-0000-000000000001'], /declared twice/],
    [['--credential', '00000000-0000-0000-0000-000000000001:simulator-admin:x'], /already a credential/],
    [['--tenant-outage', `${B}:10`], /neither --tenant nor an --extra-tenant/],
    [['--extra-tenant', B, '--tenant-outage', `${B}:soon`], /--tenant-outage must be an integer/],
    [['--multi-status', 'maybe'], /--multi-status must be on or off/],
    [['--member-role', 'drop'], /--member-role must be add or reject/],
    [['--client-id-scope', 'world'], /--client-id-scope must be global or tenant/],
    [['--multi-status', 'on', '--multi-status', 'off'], /given twice/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseSimulatorArgs(argv)).toThrow(message);
  });

  it('documents every flag in --help', () => {
    for (const flag of ['--extra-tenant', '--credential', '--tenant-outage', '--multi-status', '--member-role', '--client-id-scope', '--community-administrator-role']) expect(USAGE).toContain(flag);
  });
});

describe('simulator process with two tenants', () => {
  it('serves both tenants, each with its own credential; one in a full outage', async () => {
    const child = spawn(process.execPath, [ENTRY, '--listen', '127.0.0.1:0', '--extra-tenant', B, '--credential', `${B}:b-admin:b-secret`, '--extra-tenant', C, '--credential', `${C}:c-admin:c-secret`, '--tenant-outage', `${C}:600`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const line = JSON.parse(first) as { url: string; tenants: string[] };
      expect(line.tenants).toEqual(['00000000-0000-0000-0000-000000000001', B, C]);
      const token = async (id: string, secret: string): Promise<Response> =>
        fetch(`${line.url}/identity/connect/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&client_id=${id}&client_secret=${secret}` });
      const tb = ((await (await token('b-admin', 'b-secret')).json()) as { access_token: string }).access_token;
      const roles = await fetch(`${line.url}/api/v1/Tenants/${B}/Roles`, { headers: { authorization: `Bearer ${tb}` } });
      expect(roles.status).toBe(200);
      expect((await fetch(`${line.url}/api/v1/Tenants/00000000-0000-0000-0000-000000000001/Roles`, { headers: { authorization: `Bearer ${tb}` } })).status).toBe(403);
      expect((await token('c-admin', 'c-secret')).status).toBe(503);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    }
  });
});
