/**
 * The scripted walk-through behind `npm run demo`: a development authorization server, the example
 * MCP server, and a client on the official MCP SDK going through discovery, authorization with PKCE,
 * a scope step-up, and tool calls. Everything runs in this process on free loopback ports.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  exchangeAuthorization,
  extractWWWAuthenticateParams,
  registerClient,
  startAuthorization,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationFull, AuthorizationServerMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { decodeJwt } from 'jose';
import { startDevAuthorizationServer } from '../dev-authorization-server/index.js';
import { buildConfig, type BackendChoice } from '../auth-mcp-server/config.js';
import { startAuthMcpServer } from '../auth-mcp-server/server.js';

export type StepId =
  | 'unauthenticated'
  | 'discovery'
  | 'registration'
  | 'token-read'
  | 'tools-list'
  | 'get-weather'
  | 'get-forecast'
  | 'alerts-forbidden'
  | 'step-up'
  | 'alerts-allowed'
  | 'backend';

export interface DemoStep {
  id: StepId;
  ok: boolean;
  detail: Record<string, unknown>;
}

export interface DemoResult {
  ok: boolean;
  backend: string | null;
  steps: DemoStep[];
}

const REDIRECT_URI = 'http://127.0.0.1:1/callback';

function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}

export async function runDemo(options: { backend?: BackendChoice; print?: (line: string) => void } = {}): Promise<DemoResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const steps: DemoStep[] = [];
  const record = (id: StepId, ok: boolean, title: string, detail: Record<string, unknown>, lines: string[] = []): void => {
    steps.push({ id, ok, detail });
    print(`${ok ? '✓' : '✗'} ${title}`);
    for (const line of lines) print(`    ${line}`);
  };

  const as = await startDevAuthorizationServer();
  const server = await startAuthMcpServer(
    buildConfig({ host: '127.0.0.1', port: '0', auth_server_url: as.issuer, backend: options.backend ?? 'auto' }),
  );
  let currentToken: string | undefined;
  let lastResponse: { status: number; wwwAuthenticate: string | null } | undefined;
  // The transport's fetch: adds the current bearer token and remembers the last status/challenge.
  const authedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    if (currentToken !== undefined) headers.set('authorization', `Bearer ${currentToken}`);
    const response = await fetch(input, { ...init, headers });
    lastResponse = { status: response.status, wwwAuthenticate: response.headers.get('www-authenticate') };
    return response;
  };
  const client = new Client({ name: 'gopher-auth-demo', version: '1.0.0' });

  try {
    print(`Development authorization server  ${as.issuer}`);
    print(`Example MCP server                ${server.mcpUrl}`);
    print('');

    // 1. No token.
    const anonymous = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    await anonymous.body?.cancel();
    const challenge = extractWWWAuthenticateParams(anonymous);
    record(
      'unauthenticated',
      anonymous.status === 401 && challenge.resourceMetadataUrl !== undefined,
      `POST /mcp without a token → ${anonymous.status}`,
      { status: anonymous.status, wwwAuthenticate: anonymous.headers.get('www-authenticate'), resourceMetadata: challenge.resourceMetadataUrl?.href },
      [`WWW-Authenticate: ${anonymous.headers.get('www-authenticate') ?? '(none)'}`],
    );

    // 2. RFC 9728, then RFC 8414.
    const prm = await discoverOAuthProtectedResourceMetadata(server.mcpUrl, { resourceMetadataUrl: challenge.resourceMetadataUrl });
    const asUrl = prm.authorization_servers?.[0];
    if (asUrl === undefined) throw new Error('protected resource metadata names no authorization server');
    const metadata = (await discoverAuthorizationServerMetadata(asUrl)) as AuthorizationServerMetadata | undefined;
    if (metadata === undefined) throw new Error('authorization server metadata not found');
    record(
      'discovery',
      prm.resource === server.mcpUrl && metadata.issuer === asUrl,
      'Discovery: protected resource metadata (RFC 9728) → authorization server metadata (RFC 8414)',
      { resource: prm.resource, authorizationServer: asUrl, issuer: metadata.issuer, scopes: prm.scopes_supported },
      [
        `resource              ${prm.resource}`,
        `authorization_servers ${JSON.stringify(prm.authorization_servers)}`,
        `scopes_supported      ${(prm.scopes_supported ?? []).join(' ')}`,
        `issuer                ${metadata.issuer} (matches the URL it was fetched from)`,
      ],
    );

    // 3. RFC 7591.
    const registered: OAuthClientInformationFull = await registerClient(asUrl, {
      metadata,
      clientMetadata: {
        client_name: 'gopher-auth demo',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
      // The demo asks for mcp:read alone so that the step-up below shows. An SDK client asks for the
      // scope a 401 names, else for the scopes the metadata lists (mcp:admin among them).
      scope: 'mcp:read',
    });
    record('registration', registered.client_secret === undefined, 'Dynamic client registration (RFC 7591): a public client, no secret', {
      clientId: registered.client_id,
    }, [`client_id ${registered.client_id}`]);

    // Authorization code + PKCE; the dev server consents automatically, so following its redirect is enough.
    const authorize = async (scope: string): Promise<string> => {
      const { authorizationUrl, codeVerifier } = await startAuthorization(asUrl, {
        metadata,
        clientInformation: registered,
        redirectUrl: REDIRECT_URI,
        scope,
        resource: new URL(prm.resource),
      });
      const redirect = await fetch(authorizationUrl, { redirect: 'manual' });
      const code = new URL(redirect.headers.get('location') ?? REDIRECT_URI).searchParams.get('code');
      if (code === null) throw new Error(`authorization failed: ${redirect.headers.get('location') ?? redirect.status}`);
      const tokens = await exchangeAuthorization(asUrl, {
        metadata,
        clientInformation: registered,
        authorizationCode: code,
        codeVerifier,
        redirectUri: REDIRECT_URI,
        resource: new URL(prm.resource),
      });
      return tokens.access_token;
    };
    const describeToken = (token: string): Record<string, unknown> => {
      const claims = decodeJwt(token);
      return { aud: claims.aud, scope: claims.scope, expiresIn: typeof claims.exp === 'number' ? claims.exp - Math.floor(Date.now() / 1000) : null };
    };

    // 4. A token for mcp:read only.
    currentToken = await authorize('mcp:read');
    const readClaims = describeToken(currentToken);
    record('token-read', readClaims.scope === 'mcp:read' && readClaims.aud === prm.resource, 'Authorization code + PKCE (S256) → access token for mcp:read', readClaims, [
      `aud   ${String(readClaims.aud)}   (RFC 8707: bound to this MCP server)`,
      `scope ${String(readClaims.scope)}`,
    ]);

    // 5–7. MCP over Streamable HTTP with that token.
    await client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl), { fetch: authedFetch }));
    const tools = await client.listTools();
    const names = tools.tools.map((t) => t.name);
    record('tools-list', names.length === 3, `tools/list → ${names.join(', ')}`, { tools: names });

    const weather = JSON.parse(textOf(await client.callTool({ name: 'get-weather', arguments: { city: 'London' } })));
    record('get-weather', weather.temperature === 30, 'get-weather London (no scope needed)', { result: weather }, [
      `${weather.city}: ${weather.temperature}°C, ${weather.condition}, humidity ${weather.humidity}%, wind ${weather.windSpeed} km/h`,
    ]);

    const forecast = JSON.parse(textOf(await client.callTool({ name: 'get-forecast', arguments: { city: 'London' } })));
    record('get-forecast', forecast.forecast?.length === 5, 'get-forecast London (mcp:read)', { days: forecast.forecast?.length }, [
      forecast.forecast.map((d: { day: string; high: number; low: number }) => `${d.day} ${d.low}–${d.high}°C`).join(', '),
    ]);

    // 8. Not enough scope: refused before the tool runs, with a challenge naming the scope to get.
    let refused: unknown;
    try {
      await client.callTool({ name: 'get-weather-alerts', arguments: { region: 'Texas' } });
    } catch (error) {
      refused = error;
    }
    const forbidden = lastResponse;
    const stepUpScope = forbidden?.wwwAuthenticate ? /scope="([^"]*)"/.exec(forbidden.wwwAuthenticate)?.[1] : undefined;
    record(
      'alerts-forbidden',
      refused !== undefined && forbidden?.status === 403 && /error="insufficient_scope"/.test(forbidden.wwwAuthenticate ?? ''),
      `get-weather-alerts Texas with mcp:read → ${forbidden?.status ?? 'no response'}`,
      { status: forbidden?.status, wwwAuthenticate: forbidden?.wwwAuthenticate, scope: stepUpScope },
      [`WWW-Authenticate: ${forbidden?.wwwAuthenticate ?? '(none)'}`],
    );

    // 9. Step up: authorize again for what we had plus what the challenge asked for.
    const wanted = [...new Set(['mcp:read', ...(stepUpScope ?? 'mcp:admin').split(' ')])].join(' ');
    currentToken = await authorize(wanted);
    const adminClaims = describeToken(currentToken);
    record('step-up', String(adminClaims.scope).split(' ').includes('mcp:admin'), `Step-up: new authorization for "${wanted}"`, adminClaims, [
      `scope ${String(adminClaims.scope)}`,
    ]);

    // 10. Same session, new token.
    const alerts = JSON.parse(textOf(await client.callTool({ name: 'get-weather-alerts', arguments: { region: 'Texas' } })));
    const alertTypes = (alerts.alerts ?? []).map((a: { type: string }) => a.type);
    record('alerts-allowed', alertTypes.join(',') === 'Storm Watch,Wind Advisory', 'get-weather-alerts Texas (mcp:admin)', { alerts: alertTypes }, [
      alertTypes.join(', '),
    ]);

    record('backend', server.backend !== null, `Tokens were validated by the ${server.backend} backend`, { backend: server.backend });
  } finally {
    await client.close().catch(() => {});
    await server.close();
    await as.close();
  }
  const ok = steps.every((s) => s.ok) && steps.length === 11;
  print('');
  print(ok ? 'Demo complete: every step behaved as expected.' : 'Demo FAILED: see the ✗ steps above.');
  return { ok, backend: server.backend, steps };
}
