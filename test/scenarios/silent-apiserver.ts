// A fake Kubernetes API endpoint on loopback for the "no silent stall" part of scenario 3: it answers
// lists, and for each watch does what the test scripts (hang without sending a byte, hang without
// even sending headers, or stream events). A real API server cannot be made to keep a connection open
// and go silent, which is what a half-open TCP connection or a wedged proxy does.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export type WatchBehaviour =
  /** 200 and headers, then nothing, ever. */
  | { kind: 'silent' }
  /** Accepts the connection and never answers at all. */
  | { kind: 'no-headers' }
  /** Sends these events (one JSON line each, `everyMs` apart), then ends or stays open. */
  | { kind: 'events'; events: unknown[]; everyMs: number; end: boolean };

export interface SilentApiServer {
  url: string;
  kubeConfig(): KubeConfig;
  /** Watch requests seen so far (their query strings). */
  watches: URLSearchParams[];
  lists: number;
  close(): Promise<void>;
}

export async function startSilentApiServer(list: { resourceVersion: string; items: unknown[] }, watchPlan: WatchBehaviour[]): Promise<SilentApiServer> {
  const watches: URLSearchParams[] = [];
  let lists = 0;
  const open = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.searchParams.get('watch') !== 'true') {
      lists++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: list.resourceVersion }, items: list.items }));
      return;
    }
    watches.push(url.searchParams);
    const plan = watchPlan[Math.min(watches.length, watchPlan.length) - 1] ?? { kind: 'silent' };
    open.add(res);
    res.on('close', () => open.delete(res));
    if (plan.kind === 'no-headers') return;
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (plan.kind === 'silent') return;
    plan.events.forEach((event, i) => {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!res.destroyed) res.write(`${JSON.stringify(event)}\n`);
        if (plan.end && i === plan.events.length - 1) res.end();
      }, (i + 1) * plan.everyMs);
      timers.add(t);
    });
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    watches,
    get lists() {
      return lists;
    },
    kubeConfig: () => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'fake', token: 'fake-token' }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
        currentContext: 'fake',
      });
      return kc;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const res of open) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
