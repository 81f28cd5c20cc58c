import { request } from 'node:http';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../../examples/dev-authorization-server/index.js';
import { buildConfig, type RawConfig } from '../../examples/auth-mcp-server/config.js';
import { startAuthMcpServer, type RunningAuthMcpServer, type StartOptions } from '../../examples/auth-mcp-server/server.js';

export interface Stack {
  as: DevAuthorizationServer;
  server: RunningAuthMcpServer;
  close(): Promise<void>;
}

export async function startStack(raw: RawConfig = {}, options: StartOptions = {}): Promise<Stack> {
  const as = await startDevAuthorizationServer();
  const server = await startAuthMcpServer(
    buildConfig({ host: '127.0.0.1', port: '0', auth_server_url: as.issuer, backend: 'js', ...raw }),
    { warn: () => {}, ...options },
  );
  return {
    as,
    server,
    close: async () => {
      await server.close();
      await as.close();
    },
  };
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '0' } },
};

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

/** initialize + notifications/initialized; returns the headers to use for the rest of the session. */
export async function openSession(mcpUrl: string, token?: string): Promise<Record<string, string>> {
  const auth: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const init = await post(mcpUrl, INITIALIZE, auth);
  if (init.status !== 200) throw new Error(`initialize failed: ${init.status} ${await init.text()}`);
  await init.body?.cancel();
  const headers = { ...auth, 'mcp-session-id': init.headers.get('mcp-session-id') ?? '', 'mcp-protocol-version': '2025-06-18' };
  const initialized = await post(mcpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  await initialized.body?.cancel();
  return headers;
}

/** A raw request with an arbitrary Host header (fetch does not allow setting it). */
export function rawRequest(url: string, options: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
