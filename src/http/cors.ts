/**
 * CORS for browser-based MCP clients: they must be able to send Authorization and the MCP headers,
 * and to read WWW-Authenticate (to discover metadata) and Mcp-Session-Id. Tokens travel in a header,
 * never in cookies, so credentials mode is not enabled.
 */
import type { ResolvedCors } from './config.js';

/**
 * `*` lets clients send any other header: 2026-07-28 clients MUST mirror tool parameters into
 * `Mcp-Param-*` headers, tracing adds `traceparent`/`baggage`. The wildcard never covers
 * Authorization (Fetch), hence the explicit names; it holds because credentials mode is never used.
 */
export const CORS_ALLOW_HEADERS = 'Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID, *';
export const CORS_EXPOSE_HEADERS = 'WWW-Authenticate, Mcp-Session-Id, Mcp-Protocol-Version, Retry-After';
export const CORS_ALLOW_METHODS = 'GET, POST, DELETE, OPTIONS';
/** The metadata documents are read-only. */
export const METADATA_ALLOW_METHODS = 'GET, HEAD, OPTIONS';

/** Headers for an actual (non-preflight) response; empty when the origin is not allowed. */
export function corsHeaders(cors: ResolvedCors | null, origin: string | null | undefined): Record<string, string> {
  if (cors === null) return {};
  if (cors.origin === '*') {
    return { 'access-control-allow-origin': '*', 'access-control-expose-headers': CORS_EXPOSE_HEADERS };
  }
  const headers: Record<string, string> = { vary: 'Origin' };
  if (typeof origin === 'string' && cors.origin.includes(origin)) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-expose-headers'] = CORS_EXPOSE_HEADERS;
  }
  return headers;
}

/** Headers for a preflight answer (204); `methods`: what the endpoint allows. */
export function preflightHeaders(cors: ResolvedCors | null, origin: string | null | undefined, methods = CORS_ALLOW_METHODS): Record<string, string> {
  const headers = corsHeaders(cors, origin);
  if (cors === null || headers['access-control-allow-origin'] === undefined) return headers;
  return {
    ...headers,
    'access-control-allow-methods': methods,
    'access-control-allow-headers': CORS_ALLOW_HEADERS,
    'access-control-max-age': String(cors.maxAge),
  };
}

/** A CORS preflight: OPTIONS carrying Access-Control-Request-Method. */
export function isPreflight(method: string | undefined, requestMethodHeader: string | null | undefined): boolean {
  return method === 'OPTIONS' && typeof requestMethodHeader === 'string' && requestMethodHeader !== '';
}

/**
 * Headers for a plain OPTIONS (no Access-Control-Request-Method): what the endpoint allows. Such a
 * request carries no token and asks for nothing, so it is answered 204 rather than challenged: a 401
 * there starts an OAuth flow in clients that treat any 401 as "sign in".
 */
export function optionsHeaders(cors: ResolvedCors | null, origin: string | null | undefined): Record<string, string> {
  return { allow: CORS_ALLOW_METHODS, ...corsHeaders(cors, origin) };
}
