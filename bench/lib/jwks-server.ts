/**
 * A JWKS endpoint on 127.0.0.1 for the benches, serving `/.well-known/jwks.json` (the path get-jwks
 * expects) with switchable behaviour: normal, slow (answers after a delay) or down (503).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type JwksMode = { kind: 'ok' } | { kind: 'slow'; ms: number } | { kind: 'down' };

export interface BenchJwksServer {
  /** e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  /** Full URL of the JWKS document. */
  readonly url: string;
  readonly path: string;
  setKeys(keys: readonly object[]): void;
  setMode(mode: JwksMode): void;
  readonly requests: number;
  close(): Promise<void>;
}

export const JWKS_PATH = '/.well-known/jwks.json';

export async function startBenchJwksServer(keys: readonly object[], cacheControl = 'max-age=3600'): Promise<BenchJwksServer> {
  let body = JSON.stringify({ keys });
  let mode: JwksMode = { kind: 'ok' };
  let requests = 0;
  const pending = new Set<NodeJS.Timeout>();
  const answer = (res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': cacheControl }).end(body);
  };
  const server = createServer((req, res) => {
    requests++;
    if (req.url !== JWKS_PATH) {
      res.writeHead(404).end();
      return;
    }
    if (mode.kind === 'down') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
      return;
    }
    if (mode.kind === 'slow') {
      const timer = setTimeout(() => {
        pending.delete(timer);
        answer(res);
      }, mode.ms);
      pending.add(timer);
      return;
    }
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}${JWKS_PATH}`,
    path: JWKS_PATH,
    setKeys: (next) => {
      body = JSON.stringify({ keys: next });
    },
    setMode: (next) => {
      mode = next;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
