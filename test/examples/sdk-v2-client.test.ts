/**
 * The official MCP SDK v2 client (`@modelcontextprotocol/client`) against the example server and
 * the development authorization server: discovery from the 401, registration, PKCE, tools, and a
 * scope step-up on 403 — the same journey examples/demo makes with the v1 client.
 */
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.js';

const REDIRECT = 'http://127.0.0.1:1/oauth/callback';

/** A provider with no browser: it follows the authorization redirect in code (the dev AS approves at once). */
class HeadlessProvider implements OAuthClientProvider {
  client: StoredOAuthClientInformation | undefined;
  saved: StoredOAuthTokens | undefined;
  verifier = '';
  callback: URLSearchParams | undefined;
  discovery: OAuthDiscoveryState | undefined;
  readonly authorizeUrls: URL[] = [];
  get redirectUrl(): string {
    return REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'gopher-auth v2 client test', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  state(): string {
    return 'state-v2';
  }
  clientInformation(): StoredOAuthClientInformation | undefined {
    return this.client;
  }
  saveClientInformation(info: StoredOAuthClientInformation): void {
    this.client = info;
  }
  tokens(): StoredOAuthTokens | undefined {
    return this.saved;
  }
  saveTokens(tokens: StoredOAuthTokens): void {
    this.saved = tokens;
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }
  async redirectToAuthorization(url: URL): Promise<void> {
    this.authorizeUrls.push(url);
    const response = await fetch(url, { redirect: 'manual' });
    this.callback = new URL(response.headers.get('location') ?? 'http://invalid/').searchParams;
  }
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

const textOf = (result: unknown) => JSON.parse((result as { content: Array<{ text: string }> }).content[0]!.text) as Record<string, unknown>;

describe.each(['legacy', 'auto'] as const)('SDK v2 client (version negotiation %s) against examples/auth-mcp-server', (mode) => {
  it('401 → metadata → registration → PKCE → token for this resource → tools', async () => {
    const provider = new HeadlessProvider();
    const mcpUrl = new URL(stack.server.mcpUrl);
    const client = () => new Client({ name: 'v2-flow', version: '1.0.0' }, mode === 'auto' ? { versionNegotiation: { mode: 'auto' } } : {});

    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await expect(client().connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.client?.client_id).toBeTruthy();
    expect(provider.authorizeUrls[0]?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(provider.authorizeUrls[0]?.searchParams.get('resource')).toBe(stack.server.mcpUrl);
    await first.finishAuth(provider.callback as URLSearchParams);
    expect(decodeJwt(provider.saved?.access_token ?? '').aud).toBe(stack.server.mcpUrl);

    const connected = client();
    await connected.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    try {
      const tools = await connected.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(['get-forecast', 'get-weather', 'get-weather-alerts']);
      expect(textOf(await connected.callTool({ name: 'get-weather', arguments: { city: 'Seattle' } }))['city']).toBe('Seattle');
    } finally {
      await connected.close();
    }
  });
});

describe('SDK v2 client step-up', () => {
  // requiredScopes makes the first 401 name mcp:read only: auth() registers the client dynamically
  // with that scope, so the later step-up to mcp:admin asks for more than the client registered.
  let narrow: Stack;
  beforeAll(async () => {
    narrow = await startStack({ required_scopes: 'mcp:read' });
  });
  afterAll(async () => {
    await narrow.close();
  });

  it('registers dynamically with the first challenge\'s scope, gets 403 on the admin tool, steps up to mcp:read mcp:admin and the call succeeds', async () => {
    const provider = new HeadlessProvider();
    const mcpUrl = new URL(narrow.server.mcpUrl);
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await expect(new Client({ name: 'v2-step-up', version: '1.0.0' }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.client?.client_id).toBeTruthy();
    expect((provider.client as { scope?: string } | undefined)?.scope).toBe('mcp:read');
    expect(provider.authorizeUrls[0]?.searchParams.get('scope')).toBe('mcp:read');
    await first.finishAuth(provider.callback as URLSearchParams);
    expect(decodeJwt(provider.saved?.access_token ?? '').scope).toBe('mcp:read');

    const client = new Client({ name: 'v2-step-up', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await client.connect(transport);
    try {
      expect(textOf(await client.callTool({ name: 'get-forecast', arguments: { city: 'London' } }))['city']).toBe('London');
      await expect(client.callTool({ name: 'get-weather-alerts', arguments: { region: 'Texas' } })).rejects.toBeInstanceOf(UnauthorizedError);
      expect(provider.authorizeUrls.at(-1)?.searchParams.get('scope')?.split(' ').sort()).toEqual(['mcp:admin', 'mcp:read']);
      await transport.finishAuth(provider.callback as URLSearchParams);
      expect(String(decodeJwt(provider.saved?.access_token ?? '').scope).split(' ').sort()).toEqual(['mcp:admin', 'mcp:read']);
      expect(textOf(await client.callTool({ name: 'get-weather-alerts', arguments: { region: 'Texas' } }))['region']).toBe('Texas');
    } finally {
      await client.close();
    }
  });
});
