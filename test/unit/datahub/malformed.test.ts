// Malformed responses must become DataHubError kind 'malformed-response' (never a crash or an
// undefined passed on): every malformed mode of the simulator on every call, plus the cases the
// simulator cannot produce (bad discovery/token documents, missing Total-Count, odd statuses),
// served by a scripted node:http server.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { DataHubClient } from '../../../src/datahub/client.ts';
import { DataHubError } from '../../../src/datahub/errors.ts';
import { MALFORMED_KINDS, type MalformedKind } from '../../../src/simulator/faults.ts';
import { ADMIN, newClient, rejection, setup, type Fixture } from './support.ts';

let fx: Fixture | undefined;
let scripted: { server: Server; agent: Agent } | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
  if (scripted) {
    await scripted.agent.destroy();
    scripted.server.closeAllConnections();
    await new Promise<void>((r) => scripted?.server.close(() => r()));
    scripted = undefined;
  }
});

async function malformed(p: Promise<unknown>, problem?: RegExp): Promise<DataHubError> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(DataHubError);
  const e = err as DataHubError;
  expect(e.kind).toBe('malformed-response');
  if (problem) expect(e.message).toMatch(problem);
  expect(e.message).not.toMatch(/\n/);
  return e;
}

type Operation = 'get' | 'batch-get' | 'list' | 'create' | 'update';
const OPERATIONS: Operation[] = ['get', 'batch-get', 'list', 'create', 'update'];

function run(f: Fixture, op: Operation, id: string): Promise<unknown> {
  switch (op) {
    case 'get':
      return f.client.authorizationCodeClients.get(id);
    case 'batch-get':
      return f.client.authorizationCodeClients.getMany([id, randomUUID()]);
    case 'list':
      return f.client.authorizationCodeClients.list();
    case 'create':
      return f.client.authorizationCodeClients.create({ Id: randomUUID(), RedirectUris: ['https://a.example/cb'] });
    case 'update':
      return f.client.authorizationCodeClients.update(id, { Name: 'changed' });
  }
}

const cases = MALFORMED_KINDS.flatMap((kind) => OPERATIONS.map((op) => [kind, op] as [MalformedKind, Operation]))
  // A full listing cannot tell another client's Id from a changed one: nothing to detect there.
  .filter(([kind, op]) => !(kind === 'different-id' && op === 'list'));

describe('malformed responses from the simulator', () => {
  it.each(cases)('%s on %s is a malformed-response error', async (kind, op) => {
    fx = await setup();
    const planted = fx.sim.clients.set(newClient());
    await fx.client.authorizationCodeClients.list({ count: 0 }); // token first: the fault hits the call under test
    fx.sim.faults.update({ malformed: [{ kind, next: 1 }] });
    const e = await malformed(run(fx, op, planted.Id));
    expect(e.status).toBe(op === 'create' ? 201 : 200);
    // The client keeps working once the fault has passed.
    await expect(fx.client.authorizationCodeClients.get(planted.Id)).resolves.toMatchObject({ Id: planted.Id });
  });
});

type Handler = (req: IncomingMessage, res: ServerResponse, base: string) => void;

/** A fake Data Hub whose discovery/token work unless overridden, and whose API answers are scripted. */
async function scriptedDataHub(api: Handler, overrides: { discovery?: Handler; token?: Handler } = {}): Promise<DataHubClient> {
  let base = '';
  const server = createServer((req, res) => {
    req.resume();
    if (req.url?.endsWith('/openid-configuration')) {
      if (overrides.discovery) return overrides.discovery(req, res, base);
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ token_endpoint: `${base}/identity/connect/token` }));
    }
    if (req.url === '/identity/connect/token') {
      if (overrides.token) return overrides.token(req, res, base);
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ access_token: 'scripted-token-0123456789', expires_in: 3600, token_type: 'Bearer' }));
    }
    api(req, res, base);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const agent = new Agent();
  scripted = { server, agent };
  return new DataHubClient({ baseUrl: base, tenantId: 'tenant-1', credential: () => Promise.resolve(ADMIN), dispatcher: agent, requestTimeoutMs: 2000 });
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('malformed responses from a scripted server', () => {
  it('an HTML error page with an error status is an http error, not malformed', async () => {
    const c = await scriptedDataHub((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    });
    const e = (await rejection(c.authorizationCodeClients.list())) as DataHubError;
    expect(e).toMatchObject({ kind: 'http', status: 502 });
    expect(e.error).toBeUndefined();
  });

  it('a list without Total-Count is malformed', async () => {
    const c = await scriptedDataHub(json(200, []));
    await malformed(c.authorizationCodeClients.list(), /Total-Count/);
  });

  it('a list with a non-numeric Total-Count is malformed', async () => {
    const c = await scriptedDataHub(json(200, [], { 'total-count': 'many' }));
    await malformed(c.authorizationCodeClients.list(), /Total-Count/);
  });

  it('an unexpected success status is malformed', async () => {
    const c = await scriptedDataHub(json(202, { accepted: true }));
    await malformed(c.authorizationCodeClients.create({ Id: randomUUID(), RedirectUris: ['https://a.example/cb'] }), /unexpected status 202/);
  });

  it('an empty 200 body is malformed', async () => {
    const c = await scriptedDataHub((_req, res) => res.end());
    await malformed(c.authorizationCodeClients.get(randomUUID()), /not valid JSON/);
  });

  it('a declared Content-Length over the cap is refused before reading', async () => {
    const c = await scriptedDataHub((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(5 * 1024 * 1024) });
      res.write('[');
      // never finishes: the client must not wait for it
    });
    await malformed(c.authorizationCodeClients.list(), /larger than the 1048576-byte limit/);
  });

  it('a connection cut mid-body is a network error', async () => {
    const c = await scriptedDataHub((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('[{"Id":');
      setTimeout(() => res.destroy(), 20);
    });
    const e = (await rejection(c.authorizationCodeClients.list())) as DataHubError;
    expect(e).toMatchObject({ kind: 'network', status: 0 });
  });

  it('a discovery document that is not JSON is malformed', async () => {
    const c = await scriptedDataHub(json(200, []), { discovery: (_q, res) => res.end('<html>login</html>') });
    await malformed(c.authorizationCodeClients.list(), /^cannot discover the token endpoint of ".*": discovery document is not valid JSON/);
  });

  it('a discovery document without token_endpoint is malformed', async () => {
    const c = await scriptedDataHub(json(200, []), { discovery: json(200, { issuer: 'x' }) });
    await malformed(c.authorizationCodeClients.list(), /no token_endpoint/);
  });

  it('refuses a token_endpoint on another origin (the credential would be sent there)', async () => {
    let tokenCalls = 0;
    const c = await scriptedDataHub(json(200, []), {
      discovery: json(200, { token_endpoint: 'http://evil.example/identity/connect/token' }),
      token: (_q, res) => {
        tokenCalls += 1;
        res.end('{}');
      },
    });
    await malformed(c.authorizationCodeClients.list(), /differs from the base URL/);
    expect(tokenCalls).toBe(0);
  });

  it.each([
    ['HTML', (_q: IncomingMessage, res: ServerResponse) => res.end('<html>oops</html>'), /token response is not valid JSON/],
    ['no expires_in', json(200, { access_token: 'abcdefghijkl' }), /expires_in/],
    ['no access_token', json(200, { expires_in: 3600 }), /access_token/],
    ['wrong token_type', json(200, { access_token: 'abcdefghijkl', expires_in: 3600, token_type: 'MAC' }), /Bearer/],
    ['a list', json(200, []), /expected an object/],
  ] as [string, Handler, RegExp][])('a token response with %s is malformed', async (_name, token, problem) => {
    const c = await scriptedDataHub(json(200, []), { token });
    await malformed(c.authorizationCodeClients.list(), problem);
  });

  it('a token endpoint 5xx is an http error with its status', async () => {
    const c = await scriptedDataHub(json(200, []), { token: json(503, { error: 'temporarily_unavailable' }, { 'retry-after': '3' }) });
    const e = (await rejection(c.authorizationCodeClients.list())) as DataHubError;
    expect(e).toMatchObject({ kind: 'http', status: 503, error: 'temporarily_unavailable' });
    expect(e.message).toMatch(/^cannot get access token for tenant "tenant-1": HTTP 503/);
  });
});
