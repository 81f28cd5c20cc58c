import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { DESCRIPTIONS } from '../../src/http/errors.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

type Seen = { status: number; headers: Headers };

async function connect(token: string, seen: Seen[] = []): Promise<Client> {
  const client = new Client({ name: 'sdk-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(h.resource), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      seen.push({ status: res.status, headers: res.headers });
      return res;
    },
  });
  await client.connect(transport);
  return client;
}

function text(result: unknown): Record<string, unknown> {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return JSON.parse(content[0]!.text) as Record<string, unknown>;
}

describe('the official SDK client with a bearer token', () => {
  it('lists and calls tools, and sees its identity in the tool', async () => {
    const client = await connect(h.token('mcp:read', { sub: 'reader-1' }));
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(['get-forecast', 'get-weather', 'get-weather-alerts']);
      expect(text(await client.callTool({ name: 'get-weather', arguments: { city: 'London' } }))).toMatchObject({ city: 'London', contextSub: 'reader-1', extraSub: 'reader-1' });
      expect(text(await client.callTool({ name: 'get-forecast', arguments: { city: 'Tokyo' } }))).toMatchObject({ city: 'Tokyo', days: 5 });
    } finally {
      await client.close();
    }
  });

  it('gets a 403 with a step-up challenge for a tool it lacks scope for', async () => {
    const seen: Seen[] = [];
    const client = await connect(h.token('mcp:read'), seen);
    try {
      const error = await client.callTool({ name: 'get-weather-alerts', arguments: { region: 'Texas' } }).then(
        () => null,
        (e: unknown) => e as { code?: number },
      );
      expect(error?.code).toBe(403);
      const refused = seen.find((r) => r.status === 403);
      expect(refused?.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_scope", error_description="${DESCRIPTIONS.insufficient_scope}", scope="mcp:admin mcp:read", resource_metadata="${h.url}/.well-known/oauth-protected-resource/mcp"`,
      );
    } finally {
      await client.close();
    }
  });

  it('an admin token calls the admin tool', async () => {
    const client = await connect(h.token('mcp:read mcp:admin'));
    try {
      expect(text(await client.callTool({ name: 'get-weather-alerts', arguments: { region: 'Texas' } }))).toEqual({ region: 'Texas', alerts: ['Storm Watch'] });
    } finally {
      await client.close();
    }
  });

  it('a client without a token cannot connect (401)', async () => {
    const client = new Client({ name: 'anon', version: '1.0.0' });
    const error = await client.connect(new StreamableHTTPClientTransport(new URL(h.resource))).then(
      () => null,
      (e: unknown) => e as { code?: number },
    );
    expect(error?.code).toBe(401);
  });
});

describe("the SDK client's OAuth discovery reads our answers", () => {
  it('finds the metadata URL, error and scope in our challenges, and our PRM document', async () => {
    const anon = await fetch(h.resource, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const fromAnon = extractWWWAuthenticateParams(anon);
    expect(fromAnon.resourceMetadataUrl?.href).toBe(`${h.url}/.well-known/oauth-protected-resource/mcp`);
    expect(fromAnon.error).toBeUndefined();

    const stepUp = await fetch(h.resource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${h.token('mcp:read')}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get-weather-alerts', arguments: {} } }),
    });
    expect(extractWWWAuthenticateParams(stepUp)).toMatchObject({ error: 'insufficient_scope', scope: 'mcp:admin mcp:read' });

    const prm = await discoverOAuthProtectedResourceMetadata(new URL(h.resource), { resourceMetadataUrl: fromAnon.resourceMetadataUrl });
    expect(prm.resource).toBe(h.resource);
    expect(prm.authorization_servers).toEqual(['https://issuer.test/realms/demo']);
    // Without the hint the SDK probes the path-aware URL itself and finds the same document.
    expect(await discoverOAuthProtectedResourceMetadata(new URL(h.resource))).toEqual(prm);
  });
});
