import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.js';

const REDIRECT = 'http://127.0.0.1:1/oauth/callback';

/** An in-memory provider whose "browser" follows the authorization redirect programmatically. */
class HeadlessProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  code: string | undefined;
  readonly expectedState = 'state-123';

  get redirectUrl(): string {
    return REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'sdk-flow-test', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  state(): string {
    return this.expectedState;
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }
  saveCodeVerifier(v: string): void {
    this.verifier = v;
  }
  codeVerifier(): string {
    return this.verifier;
  }
  async redirectToAuthorization(url: URL): Promise<void> {
    const response = await fetch(url, { redirect: 'manual' });
    const back = new URL(response.headers.get('location') ?? 'http://invalid/');
    if (back.searchParams.get('state') !== this.expectedState) throw new Error('state mismatch');
    this.code = back.searchParams.get('code') ?? undefined;
  }
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

describe('official MCP SDK client, complete OAuth flow (no hand-made token)', () => {
  it('401 → RFC 9728 → RFC 8414 → RFC 7591 → authorization code + PKCE → token → tool call', async () => {
    const log: string[] = [];
    const tracingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const response = await fetch(input, init);
      log.push(`${init?.method ?? 'GET'} ${url.origin === new URL(stack.as.issuer).origin ? 'AS' : 'RS'}${url.pathname} ${response.status}`);
      return response;
    };
    const provider = new HeadlessProvider();
    const mcpUrl = new URL(stack.server.mcpUrl);

    const first = new Client({ name: 'sdk-flow', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: tracingFetch });
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.code).toBeDefined();
    expect(provider.client?.client_id).toMatch(/^dev-client-/);

    await transport.finishAuth(provider.code as string);
    const claims = decodeJwt(provider.saved?.access_token ?? '');
    expect(claims.aud).toBe(stack.server.mcpUrl);
    expect(claims.iss).toBe(stack.as.issuer);

    const client = new Client({ name: 'sdk-flow', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: tracingFetch }));
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(['get-forecast', 'get-weather', 'get-weather-alerts']);
      const result = await client.callTool({ name: 'get-weather', arguments: { city: 'Seattle' } });
      const text = (result.content as Array<{ text: string }>)[0]?.text ?? '';
      expect(JSON.parse(text)).toEqual({ city: 'Seattle', temperature: 30, condition: 'Rainy', humidity: 42, windSpeed: 27 });
    } finally {
      await client.close();
    }

    const order = (pattern: RegExp) => log.findIndex((line) => pattern.test(line));
    const steps = [
      order(/^POST RS\/mcp 401$/),
      order(/^GET RS\/\.well-known\/oauth-protected-resource\/mcp 200$/),
      order(/^GET AS\/\.well-known\/oauth-authorization-server 200$/),
      order(/^POST AS\/clients-registrations\/openid-connect 201$/),
      order(/^POST AS\/protocol\/openid-connect\/token 200$/),
      order(/^POST RS\/mcp 200$/),
    ];
    expect(steps.every((i) => i >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  });
});
