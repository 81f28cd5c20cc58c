/**
 * A JWKS endpoint for tests: HTTP (or HTTPS, see tls.ts) on 127.0.0.1, port 0, with switchable
 * faults, custom headers, request log and extra routes. Every suite can reuse it.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export type JwksFault =
  /** Wait this long, then answer with the document as it was when the request arrived. */
  | { kind: 'delay'; ms: number; times?: number }
  /** Answer with this status (and optional body). */
  | { kind: 'status'; status: number; body?: string; times?: number }
  /** 200 application/json whose body is not JSON. */
  | { kind: 'garbage'; body?: string; times?: number }
  /** The normal document under another content type. */
  | { kind: 'content-type'; contentType: string; times?: number }
  /** 200 application/json streaming `bytes` bytes (no Content-Length unless declareLength). */
  | { kind: 'huge'; bytes: number; declareLength?: boolean; times?: number }
  /**
   * Redirect: 'same-origin' → `/moved<path>` on this server (served normally), 'loop' → this
   * path again, or any absolute URL (e.g. another server, for cross-origin).
   */
  | { kind: 'redirect'; to: 'same-origin' | 'loop' | string; status?: 301 | 302 | 303 | 307 | 308; times?: number }
  /** Accept the request and never answer. */
  | { kind: 'hang'; times?: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  at: number;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface JwksServerOptions {
  /** The document served; a string or Buffer is served verbatim, anything else as JSON. */
  jwks: unknown;
  /** Path of the JWKS document. Default '/jwks.json'. */
  path?: string;
  /** Extra response headers for the JWKS document (e.g. Cache-Control). */
  headers?: Record<string, string>;
  /** Extra routes: a handler, or a value served as JSON. */
  routes?: Record<string, RouteHandler | object | string>;
  /** Serve HTTPS with this key/certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface JwksServer {
  /** Full URL of the JWKS document. */
  readonly url: string;
  /** e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  readonly port: number;
  setJwks(doc: unknown): void;
  setHeaders(headers: Record<string, string>): void;
  setFault(fault: JwksFault | null): void;
  route(path: string, handler: RouteHandler | object | string): void;
  /** Requests for the JWKS path (the `/moved` alias included), faulted ones included. */
  readonly fetchCount: number;
  /** Every request, all paths. */
  readonly requests: readonly RecordedRequest[];
  /** Body bytes written by the last 'huge' response before the client went away or it finished. */
  readonly hugeBytesSent: number;
  resetCounts(): void;
  close(): Promise<void>;
}

export async function startJwksServer(options: JwksServerOptions): Promise<JwksServer> {
  const jwksPath = options.path ?? '/jwks.json';
  const movedPath = `/moved${jwksPath}`;
  let jwks: unknown = options.jwks;
  let headers: Record<string, string> = { ...options.headers };
  let fault: JwksFault | null = null;
  let faultUses = 0;
  let fetchCount = 0;
  let hugeBytesSent = 0;
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, RouteHandler | object | string>(Object.entries(options.routes ?? {}));
  const sockets = new Set<Socket>();
  let origin = '';

  const body = (): string | Buffer =>
    typeof jwks === 'string' || Buffer.isBuffer(jwks) ? jwks : JSON.stringify(jwks);

  const serveDocument = (res: ServerResponse, contentType = 'application/json', text = body()): void => {
    res.writeHead(200, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  const takeFault = (): JwksFault | null => {
    if (!fault) return null;
    const current = fault;
    faultUses++;
    if (current.times !== undefined && faultUses >= current.times) {
      fault = null;
      faultUses = 0;
    }
    return current;
  };

  const streamHuge = (res: ServerResponse, bytes: number, declareLength: boolean): void => {
    hugeBytesSent = 0;
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(declareLength ? { 'content-length': bytes } : {}),
    });
    const filler = Buffer.alloc(64 * 1024, 0x20);
    filler.write('{"keys":[');
    const spaces = Buffer.alloc(64 * 1024, 0x20);
    const pump = (): void => {
      while (hugeBytesSent < bytes && !res.destroyed) {
        const size = Math.min(filler.length, bytes - hugeBytesSent);
        const piece = (hugeBytesSent === 0 ? filler : spaces).subarray(0, size);
        hugeBytesSent += size;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  };

  const handleJwks = (req: IncomingMessage, res: ServerResponse, faultable: boolean): void => {
    fetchCount++;
    const active = faultable ? takeFault() : null;
    if (!active) return serveDocument(res);
    switch (active.kind) {
      case 'delay': {
        // The document as it was when the request arrived: a key set changed meanwhile is not in it.
        const text = body();
        const timer = setTimeout(() => serveDocument(res, 'application/json', text), active.ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'status':
        res.writeHead(active.status, { 'content-type': 'text/plain' });
        res.end(active.body ?? `status ${active.status}`);
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json', ...headers });
        res.end(active.body ?? '<html>this is not json {{{');
        return;
      case 'content-type':
        return serveDocument(res, active.contentType);
      case 'huge':
        return streamHuge(res, active.bytes, active.declareLength ?? false);
      case 'redirect': {
        const location =
          active.to === 'same-origin' ? movedPath : active.to === 'loop' ? (req.url ?? jwksPath) : active.to;
        res.writeHead(active.status ?? 302, { location });
        res.end();
        return;
      }
      case 'hang':
        return;
    }
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, at: Date.now() });
    if (path === jwksPath) return handleJwks(req, res, true);
    if (path === movedPath) return handleJwks(req, res, false);
    const route = routes.get(path);
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (typeof route === 'function') return (route as RouteHandler)(req, res);
    const text = typeof route === 'string' ? route : JSON.stringify(route);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createHttpServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  server.unref();

  let closed: Promise<void> | null = null;
  return {
    url: `${origin}${jwksPath}`,
    origin,
    port,
    setJwks(doc) {
      jwks = doc;
    },
    setHeaders(next) {
      headers = { ...next };
    },
    setFault(next) {
      fault = next;
      faultUses = 0;
    },
    route(path, routeHandler) {
      routes.set(path, routeHandler);
    },
    get fetchCount() {
      return fetchCount;
    },
    get requests() {
      return requests;
    },
    get hugeBytesSent() {
      return hugeBytesSent;
    },
    resetCounts() {
      fetchCount = 0;
      requests.length = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections?.();
      });
      return closed;
    },
  };
}
