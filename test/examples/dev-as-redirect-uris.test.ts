import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devAsClient, pkce, RESOURCE } from './dev-as-client.js';
import { post, startStack, type Stack } from './helpers.js';

let stack: Stack;
let client: ReturnType<typeof devAsClient>;
beforeAll(async () => {
  stack = await startStack();
  client = devAsClient(stack.as);
});
afterAll(async () => {
  await stack.close();
});

describe('development authorization server: redirect URIs', () => {
  it('validates redirect_uris of every registration, not only of code-flow clients', async () => {
    for (const uri of ['javascript:alert(document.domain)', 'data:text/html,<script>alert(1)</script>', 'http://evil.example/phish']) {
      for (const metadata of [
        { grant_types: ['client_credentials'], redirect_uris: [uri] },
        { grant_types: ['refresh_token'], token_endpoint_auth_method: 'none', redirect_uris: [uri] },
      ]) {
        const { status, body } = await client.register(metadata);
        expect(status, `${metadata.grant_types[0]} ${uri}`).toBe(400);
        expect(body.error).toBe('invalid_redirect_uri');
      }
    }
  });

  it('answers /authorize for a client that may not use the code flow with a plain 400, never a redirect', async () => {
    const phish = 'https://evil.example/phish';
    const { status, body } = await client.register({ grant_types: ['client_credentials'], redirect_uris: [phish] });
    expect(status).toBe(201);
    const clientId = body.client_id as string;
    const direct = await client.authorize({ client_id: clientId, redirect_uri: phish, response_type: 'code' });
    expect(direct).toEqual({ status: 400, location: null });
    const noRedirect = await client.authorize({ client_id: clientId, response_type: 'code', code_challenge: pkce().challenge, code_challenge_method: 'S256' });
    expect(noRedirect).toEqual({ status: 400, location: null });

    // Through the MCP server's /oauth/authorize forwarder: one hop to the AS, which then refuses.
    const link = `${stack.server.url}/oauth/authorize?client_id=${clientId}&redirect_uri=${encodeURIComponent(phish)}&response_type=code`;
    const hop = await fetch(link, { redirect: 'manual' });
    expect(hop.status).toBe(302);
    const atAs = await fetch(hop.headers.get('location') as string, { redirect: 'manual' });
    expect(atAs.status).toBe(400);
    expect(atAs.headers.get('location')).toBeNull();
    expect(((await atAs.json()) as { error: string }).error).toBe('unauthorized_client');
  });

  it('the MCP server forwards registrations with unsafe redirect URIs to a refusal', async () => {
    const response = await post(`${stack.server.url}/oauth/register`, { grant_types: ['client_credentials'], redirect_uris: ['javascript:alert(1)'] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_redirect_uri');
  });

  it('still serves the code flow to a code-flow client', async () => {
    const clientId = await client.publicClient();
    const { status } = await client.codeFlow(clientId, { resource: RESOURCE });
    expect(status).toBe(200);
  });
});

describe('development authorization server: redirect URI matching and schemes', () => {
  const registered = 'http://127.0.0.1:8080/cb';
  let clientId: string;
  beforeAll(async () => {
    const { status, body } = await client.register({ redirect_uris: [registered, 'https://app.example/cb'] });
    expect(status).toBe(201);
    clientId = body.client_id as string;
  });
  const outcome = async (redirect: string): Promise<number> => (await client.authorizeCode(clientId, { redirect_uri: redirect })).status;

  it('compares loopback redirect URIs as strings, only the port may differ (OAuth 2.1 §2.3.1, RFC 8252 §7.3)', async () => {
    expect(await outcome('http://127.0.0.1:49152/cb')).toBe(302);
    expect(await outcome('http://127.0.0.1/cb')).toBe(302);
    for (const spelling of [
      'http://127.0.0.1:9/cb/../cb',
      'http://127.0.0.1:9/./cb',
      'http://127.0.0.1:9/%63b',
      'http://127.1:9/cb',
      'http://0x7f000001:9/cb',
      'http://2130706433:9/cb',
      'http://127.0.0.1:9\\cb',
      'http://127.0.0.1:9/cb?',
      'HTTP://127.0.0.1:9/cb',
      'http://127.0.0.1:099999/cb',
      'http://evil@127.0.0.1:9/cb',
    ]) {
      expect(await outcome(spelling), spelling).toBe(400);
    }
  });

  it('matches other redirect URIs exactly', async () => {
    expect(await outcome('https://app.example/cb')).toBe(302);
    for (const spelling of ['https://APP.example/cb', 'https://app.example:443/cb', 'https://app.example/cb/', 'https://app.example/x/../cb']) {
      expect(await outcome(spelling), spelling).toBe(400);
    }
  });

  it('registers only https, loopback http and private-use schemes', async () => {
    for (const uri of ['https://app.example/cb?x=1', 'http://localhost:8080/cb', 'http://[::1]/cb', 'vscode://ext/cb', 'com.example.app:/cb']) {
      expect((await client.register({ redirect_uris: [uri] })).status, uri).toBe(201);
    }
    for (const uri of [
      'ftp://evil.example/',
      'ws://evil.example/',
      'wss://evil.example/',
      'blob:https://evil.example/x',
      'about:blank',
      'mailto:a@evil.example',
      'http://0x7f000001/cb',
      'http://127.1/cb',
      'http://localhost.evil.example/cb',
      'http://127.0.0.1.nip.io/cb',
      'http:\\\\evil.example',
      ' javascript:alert(1)',
      'https://app.example/c b',
    ]) {
      const { status, body } = await client.register({ redirect_uris: [uri] });
      expect(status, uri).toBe(400);
      expect(body.error).toBe('invalid_redirect_uri');
    }
  });
});
