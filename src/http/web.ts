/**
 * The web-standard gate: `(request: Request) => Promise<AuthInfo | Response>` for Hono, Deno-style
 * and edge frameworks. A Response is the complete answer (401/403/400/413/503/204 preflight); an
 * AuthInfo means "go on". The body is read from a clone, so the handler can still read the original.
 */
import type { AuthInfo } from './auth-info.js';
import type { Authenticator } from './authenticator.js';
import { parseBodyText, readWebBody } from './body.js';
import { METADATA_ALLOW_METHODS, corsHeaders, isPreflight, optionsHeaders, preflightHeaders } from './cors.js';
import { authErrorResponse } from './errors.js';

export type WebGate = (request: Request) => Promise<AuthInfo | Response>;

function allValues(headers: Headers, name: string): string[] {
  const value = headers.get(name);
  return value === null ? [] : [value];
}

export function createWebGate(auth: Authenticator): WebGate {
  const { cors, resourceMetadataUrl, realm, retryAfterSeconds, maxBodyBytes, requiredScopes } = auth.config;
  // How every refusal of this gate is answered (the OPTIONS Origin check and the decision alike).
  const challenge = { resourceMetadata: resourceMetadataUrl, realm, retryAfterSeconds, scopes: requiredScopes };
  return async (request) => {
    const origin = request.headers.get('origin');
    if (request.method === 'OPTIONS') {
      const url = new URL(request.url);
      const refused = auth.refuseOrigin({ method: 'OPTIONS', url: `${url.pathname}${url.search}`, origin: origin ?? undefined });
      if (refused !== null) {
        const answer = authErrorResponse(refused, challenge);
        return new Response(answer.body, { status: answer.status, headers: answer.headers });
      }
    }
    if (isPreflight(request.method, request.headers.get('access-control-request-method'))) {
      return new Response(null, { status: 204, headers: preflightHeaders(cors, origin) });
    }
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: optionsHeaders(cors, origin) });
    const url = new URL(request.url);
    const outcome = await auth.authenticate({
      method: request.method,
      url: `${url.pathname}${url.search}`,
      // Duplicate Authorization headers arrive joined by ", ", which the token reader refuses.
      authorization: allValues(request.headers, 'authorization'),
      mcpMethod: request.headers.get('mcp-method') ?? undefined,
      mcpName: request.headers.get('mcp-name') ?? undefined,
      origin: origin ?? undefined,
      body: () => webBody(request, maxBodyBytes),
    });
    if ('authInfo' in outcome) return outcome.authInfo;
    const answer = authErrorResponse(outcome.error, challenge);
    return new Response(answer.body, { status: answer.status, headers: { ...answer.headers, ...corsHeaders(cors, origin) } });
  };
}

/** Any body the request carries, whatever the method (a handler may read one on DELETE too). */
async function webBody(request: Request, limit: number): Promise<unknown> {
  if (request.body === null) return undefined;
  return parseBodyText(await readWebBody(request, limit), request.headers.get('content-type'), request.headers.get('content-encoding'));
}

/** The PRM document as a web Response when `request` asks for it, else null. */
export function createWebMetadataHandler(auth: Authenticator): (request: Request) => Response | null {
  const { cors, metadataPaths, protectedResourceMetadata } = auth.config;
  const body = JSON.stringify(protectedResourceMetadata);
  return (request) => {
    if (!metadataPaths.includes(new URL(request.url).pathname)) return null;
    const origin = request.headers.get('origin');
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: preflightHeaders(cors, origin, METADATA_ALLOW_METHODS) });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { ...corsHeaders(cors, origin), allow: METADATA_ALLOW_METHODS } });
    }
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: { ...corsHeaders(cors, origin), 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
    });
  };
}
