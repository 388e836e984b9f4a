// The probe and metrics HTTP servers (/healthz, /readyz, /metrics). Plain node:http, GET only, no
// request bodies; each answer is computed from callbacks so the server knows nothing about the rest.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Address } from '../config.ts';

export type Route = () => Promise<{ status: number; body: string; contentType?: string }>;

export async function startHttpServer(address: Address, routes: Record<string, Route>): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes[path];
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(route ? 405 : 404, { 'content-type': 'text/plain' }).end(route ? 'method not allowed\n' : 'not found\n');
      return;
    }
    route().then(
      ({ status, body, contentType }) => res.writeHead(status, { 'content-type': contentType ?? 'text/plain; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`error: ${(err as Error).message}\n`),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${address.host}:${address.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`)));
    server.listen(address.port, address.host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
