// A real HTTP forward proxy on 127.0.0.1 for tests: CONNECT tunnels (https targets) and absolute-URI
// requests (http targets), counted, optionally behind Basic Proxy-Authorization, optionally refusing
// every CONNECT, and with a private hosts table so tests can use names that only the proxy resolves.
// Hand-written on node:http/node:net (no npm proxy package counts tunnels or lets a test refuse them;
// this is about 150 lines). Loopback only; close() destroys every socket it holds.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';

export interface ForwardProxyOptions {
  /** Require `Proxy-Authorization: Basic base64(user:password)`; others get 407. */
  auth?: { user: string; password: string };
  /** Answer every CONNECT with this status instead of opening the tunnel (e.g. 403). */
  refuseConnect?: number;
  /** Names the proxy resolves itself (to 127.0.0.1 usually); other names go to the system resolver. */
  hosts?: Record<string, string>;
  /** Serve TLS (an https:// proxy) with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface Tunnel {
  /** host:port the client asked to CONNECT to. */
  target: string;
  status: number;
}

export interface ProxiedRequest {
  method: string;
  /** The absolute URI the client sent. */
  url: string;
  status: number;
}

export interface ForwardProxy {
  readonly port: number;
  /** http(s)://127.0.0.1:PORT, with user:password when auth is required (percent-encoded). */
  readonly url: string;
  /** Every CONNECT asked for, in order, with the status the proxy answered. */
  readonly tunnels: Tunnel[];
  /** Every absolute-URI request, in order. */
  readonly requests: ProxiedRequest[];
  /** Every Proxy-Authorization header value received (to prove what the client sent). */
  readonly authorizations: string[];
  /** CONNECTs answered 200 to this target (host:port). */
  tunnelsTo(target: string): number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const tunnels: Tunnel[] = [];
  const requests: ProxiedRequest[] = [];
  const authorizations: string[] = [];
  const sockets = new Set<Duplex>();
  const track = (s: Duplex): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString('base64')}` : undefined;
  const authorized = (header: string | undefined): boolean => {
    if (header !== undefined) authorizations.push(header);
    return expected === undefined || header === expected;
  };
  const resolve = (host: string): string => options.hosts?.[host.toLowerCase()] ?? host;
  // Upstream connections for absolute-URI requests are kept alive, like a real proxy's.
  const upstream = new http.Agent({ keepAlive: true });

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URI required\n');
      return;
    }
    const record = (status: number): void => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', status });
    };
    if (!authorized(req.headers['proxy-authorization'])) {
      record(407);
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end('proxy authentication required\n');
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
    const out = http.request(
      { agent: upstream, host: resolve(target.hostname), port: target.port || 80, method: req.method, path: `${target.pathname}${target.search}`, headers: { ...headers, host: target.host } },
      (up) => {
        record(up.statusCode ?? 502);
        const back = Object.fromEntries(Object.entries(up.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
        res.writeHead(up.statusCode ?? 502, back);
        up.pipe(res);
      },
    );
    out.on('error', (err) => {
      record(502);
      if (!res.headersSent) res.writeHead(502).end(`bad gateway: ${err.message}\n`);
      else res.destroy();
    });
    req.pipe(out);
  };
  const server = options.tls ? https.createServer(options.tls, handle) : http.createServer(handle);
  server.keepAliveTimeout = 5_000;
  server.on('connection', track);

  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    const target = req.url ?? '';
    const answer = (status: number, text: string, extra = ''): void => {
      tunnels.push({ target, status });
      client.end(`HTTP/1.1 ${status} ${text}\r\n${extra}Content-Length: 0\r\n\r\n`);
    };
    if (!authorized(req.headers['proxy-authorization'])) return answer(407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="test"\r\n');
    if (options.refuseConnect !== undefined) return answer(options.refuseConnect, 'Refused');
    const m = /^(.+):(\d+)$/.exec(target);
    if (!m) return answer(400, 'Bad Request');
    const up = net.connect({ host: resolve(m[1]!.replace(/^\[(.*)\]$/, '$1')), port: Number(m[2]) });
    track(up);
    let open = false;
    up.once('connect', () => {
      open = true;
      tunnels.push({ target, status: 200 });
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => {
      if (!open) answer(502, 'Bad Gateway');
      else client.destroy();
    });
    client.on('error', () => up.destroy());
    client.once('close', () => up.destroy());
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as net.AddressInfo).port;
  const creds = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.password)}@` : '';
  return {
    port,
    url: `${options.tls ? 'https' : 'http'}://${creds}127.0.0.1:${port}`,
    tunnels,
    requests,
    authorizations,
    tunnelsTo: (t) => tunnels.filter((x) => x.target === t && x.status === 200).length,
    close: async () => {
      upstream.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** A loopback port nothing listens on (bound, then released): a proxy that is down. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}
