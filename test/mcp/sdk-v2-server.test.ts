/**
 * MCP SDK v2 servers behind the gate, driven by the real v2 client in both protocol eras (legacy
 * 2025-xx and 2026-07-28): Express + NodeStreamableHTTPServerTransport, Express + createMcpHandler,
 * and the web gate + createMcpHandler.fetch. The handler sees the identity (ctx.http.authInfo and
 * getAuthInfo()); per-tool/resource scopes are enforced before dispatch, including a non-ASCII tool
 * name (sent base64-encoded in Mcp-Name) and 2026-07-28's subscriptions/listen.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createAdaptorServer } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { McpServer, ResourceTemplate, createMcpHandler } from '@modelcontextprotocol/server';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { getAuthInfo, runWithAuthInfo } from '../../src/http/context.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const ISSUER = 'https://issuer.test/realms/demo';
const issuer = new TestIssuer(ISSUER);

interface HandlerContext {
  http?: { authInfo?: { extra?: Record<string, unknown>; scopes: string[] } };
}

function buildServer(): McpServer {
  const server = new McpServer({ name: 'v2-behind-gopher-auth', version: '1.0.0' }, { capabilities: { tools: {}, resources: { subscribe: true } } });
  const whoami = (ctx: HandlerContext) => ({
    content: [{ type: 'text' as const, text: JSON.stringify({ ctxSub: ctx.http?.authInfo?.extra?.['sub'] ?? null, alsSub: getAuthInfo()?.extra?.['sub'] ?? null }) }],
  });
  const input = { inputSchema: z.object({ x: z.string().optional() }) };
  server.registerTool('whoami', { description: 'who is calling', ...input }, (_args, ctx) => whoami(ctx as HandlerContext));
  server.registerTool('admin-tool', { description: 'needs mcp:admin', ...input }, (_args, ctx) => whoami(ctx as HandlerContext));
  server.registerTool('météo', { description: 'needs mcp:admin, non-ASCII name', ...input }, (_args, ctx) => whoami(ctx as HandlerContext));
  server.registerResource('secret', new ResourceTemplate('secret://{id}', { list: undefined }), { description: 'needs mcp:admin' }, (uri) => ({
    contents: [{ uri: uri.href, text: 'classified' }],
  }));
  return server;
}

const RULES = {
  issuer: ISSUER,
  backend: 'js' as const,
  requiredScopes: ['mcp:read'],
  toolScopes: { 'admin-tool': ['mcp:admin'], 'météo': ['mcp:admin'] },
  resourceScopes: { 'secret://*': ['mcp:admin'] },
};

let jwks: JwksServer;
let expressServer: Server;
let webServer: Server;
const gates: GopherAuth[] = [];
const closers: Array<() => Promise<void>> = [];
const urls: Record<'node' | 'handler' | 'web', string> = { node: '', handler: '', web: '' };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  expressServer = createServer();
  const base = await listen(expressServer);
  const app = express();

  urls.node = `${base}/node`;
  const nodeGate = gopherAuth({ ...RULES, resource: urls.node, jwksUri: jwks.url });
  app.use(nodeGate.metadata);
  app.all('/node', nodeGate, async (req, res, next) => {
    try {
      const server = buildServer();
      const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      res.on('close', () => void server.close());
      await transport.handleRequest(req, res, req.body);
    } catch (error) {
      next(error);
    }
  });

  urls.handler = `${base}/handler`;
  const handlerGate = gopherAuth({ ...RULES, resource: urls.handler, jwksUri: jwks.url });
  app.use(handlerGate.metadata);
  const handler = createMcpHandler(() => buildServer(), { responseMode: 'json' });
  closers.push(() => handler.close());
  const nodeHandler = toNodeHandler(handler);
  app.all('/handler', handlerGate, (req, res, next) => {
    nodeHandler(req as never, res as never, req.body).catch(next);
  });
  expressServer.on('request', app);
  gates.push(nodeGate, handlerGate);

  let webFetch: (request: Request) => Promise<Response> = async () => new Response(null, { status: 503 });
  webServer = createAdaptorServer({ fetch: (request: Request) => webFetch(request), hostname: '127.0.0.1' }) as Server;
  urls.web = `${await listen(webServer)}/web`;
  const webGate = gopherAuth({ ...RULES, resource: urls.web, jwksUri: jwks.url });
  gates.push(webGate);
  const webHandler = createMcpHandler(() => buildServer(), { responseMode: 'json' });
  closers.push(() => webHandler.close());
  webFetch = async (request) => {
    const metadata = webGate.metadataResponse(request);
    if (metadata) return metadata;
    const verdict = await webGate.gate(request);
    if (verdict instanceof Response) return verdict;
    return runWithAuthInfo(verdict, () => webHandler.fetch(request, { authInfo: verdict }));
  };
});

afterAll(async () => {
  for (const close of closers) await close().catch(() => undefined);
  for (const server of [expressServer, webServer]) {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  await jwks.close();
  for (const gate of gates) gate.close();
});

const token = (resource: string, scope: string) => issuer.sign({ claims: { aud: resource, scope, client_id: 'cli' } });

interface Seen {
  status: number;
  challenge: string | null;
  /** Headers and body of the last request that carried Mcp-Method (a 2026-07-28 request). */
  modern?: { headers: Record<string, string>; body: Record<string, unknown> };
}

function recordingFetch(seen: Seen[]) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    const headers = new Headers(init?.headers);
    const entry: Seen = { status: response.status, challenge: response.headers.get('www-authenticate') };
    if (headers.has('mcp-method') && typeof init?.body === 'string') {
      const names = ['mcp-protocol-version', 'mcp-method', 'mcp-name'].filter((n) => headers.has(n));
      entry.modern = { headers: Object.fromEntries(names.map((n) => [n, headers.get(n) as string])), body: JSON.parse(init.body) as Record<string, unknown> };
    }
    seen.push(entry);
    return response;
  };
}

async function connect(url: string, scope: string, era: 'legacy' | 'modern', seen: Seen[]): Promise<Client> {
  const client = new Client({ name: 'gopher-auth-test', version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: 'auto' } } : {});
  const tok = token(url, scope);
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { authProvider: { token: async () => tok }, fetch: recordingFetch(seen), onInsufficientScope: 'throw' }),
  );
  return client;
}

const textOf = (result: unknown) => JSON.parse((result as { content: Array<{ text: string }> }).content[0]!.text) as Record<string, unknown>;

async function refusal(seen: Seen[], call: () => Promise<unknown>): Promise<Seen> {
  const before = seen.length;
  await expect(call()).rejects.toThrow();
  const refused = seen.slice(before).find((s) => s.status >= 400);
  if (refused === undefined) throw new Error('the call failed without an HTTP refusal');
  return refused;
}

describe.each([
  ['Express + NodeStreamableHTTPServerTransport', 'node'],
  ['Express + createMcpHandler', 'handler'],
  ['web gate + createMcpHandler.fetch', 'web'],
] as const)('SDK v2 server: %s', (_name, which) => {
  it.each(['legacy', 'modern'] as const)('%s era: identity reaches the handler; tool and resource scopes give 403 before dispatch', async (era) => {
    const url = urls[which];
    const seen: Seen[] = [];
    const client = await connect(url, 'mcp:read', era, seen);
    try {
      expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toEqual({ ctxSub: 'user-123', alsSub: 'user-123' });
      if (era === 'modern') expect(seen.some((s) => s.modern !== undefined)).toBe(true);
      for (const name of ['admin-tool', 'météo']) {
        const refused = await refusal(seen, () => client.callTool({ name, arguments: {} }));
        expect(refused.status).toBe(403);
        expect(refused.challenge).toContain('error="insufficient_scope"');
        expect(refused.challenge).toContain('scope="mcp:read mcp:admin"');
      }
      const refused = await refusal(seen, () => client.readResource({ uri: 'secret://doc' }));
      expect(refused.status).toBe(403);
    } finally {
      await client.close().catch(() => undefined);
    }
    const admin = await connect(url, 'mcp:read mcp:admin', era, []);
    try {
      expect(textOf(await admin.callTool({ name: 'météo', arguments: {} }))).toEqual({ ctxSub: 'user-123', alsSub: 'user-123' });
    } finally {
      await admin.close().catch(() => undefined);
    }
  });
});

describe('2026-07-28 requests through the gate (envelope taken from a real v2 client request)', () => {
  let envelope: unknown;
  let version: string;

  beforeAll(async () => {
    const seen: Seen[] = [];
    const client = await connect(urls.handler, 'mcp:read', 'modern', seen);
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.close();
    const modern = [...seen].reverse().find((s) => s.modern !== undefined)?.modern;
    if (modern === undefined) throw new Error('the v2 client sent no 2026-07-28 request');
    envelope = (modern.body['params'] as Record<string, unknown>)['_meta'];
    version = modern.headers['mcp-protocol-version'] as string;
  });

  async function post(scope: string, body: Record<string, unknown>, headers: Record<string, string>): Promise<{ status: number; challenge: string | null }> {
    const params = { ...(body['params'] as Record<string, unknown>), _meta: envelope };
    const response = await fetch(urls.handler, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token(urls.handler, scope)}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': version,
        ...headers,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...body, params }),
    });
    await response.body?.cancel();
    return { status: response.status, challenge: response.headers.get('www-authenticate') };
  }

  it('subscriptions/listen to a resource needs that resource scopes', async () => {
    const listen = { method: 'subscriptions/listen', params: { notifications: { resourceSubscriptions: ['secret://doc'] } } };
    const refused = await post('mcp:read', listen, { 'mcp-method': 'subscriptions/listen' });
    expect(refused.status).toBe(403);
    expect(refused.challenge).toContain('scope="mcp:read mcp:admin"');
    expect((await post('mcp:read mcp:admin', listen, { 'mcp-method': 'subscriptions/listen' })).status).toBe(200);
    const harmless = { method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true } } };
    expect((await post('mcp:read', harmless, { 'mcp-method': 'subscriptions/listen' })).status).toBe(200);
  });

  it('tasks/get with Mcp-Name = taskId is not a 400 from the gate; a different name is', async () => {
    const get = { method: 'tasks/get', params: { taskId: 'task-1' } };
    const passed = await post('mcp:read', get, { 'mcp-method': 'tasks/get', 'mcp-name': 'task-1' });
    expect(passed.status).not.toBe(400);
    expect(passed.status).not.toBe(403);
    expect((await post('mcp:read', get, { 'mcp-method': 'tasks/get', 'mcp-name': 'task-2' })).status).toBe(400);
  });
});
