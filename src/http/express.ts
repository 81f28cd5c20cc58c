/**
 * Express 5 (and plain node:http) adapters: the bearer gate as middleware, and the router serving
 * the protected-resource metadata. Uses only node:http types, so Express is not a runtime dependency.
 */
import type { ServerResponse } from 'node:http';
import type { Authenticator } from './authenticator.js';
import { declaresBody, parseBodyText, parseJsonText, readNodeBody } from './body.js';
import { METADATA_ALLOW_METHODS, corsHeaders, isPreflight, optionsHeaders, preflightHeaders } from './cors.js';
import { authErrorResponse, authErrors } from './errors.js';
import { runWithAuthInfo } from './context.js';
import { singleHeader, headerValues, writeResponse, type NodeNext, type NodeRequest } from './node-request.js';

export type NodeMiddleware = (req: NodeRequest, res: ServerResponse, next: NodeNext) => void;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

async function bodyOf(req: NodeRequest, limit: number): Promise<unknown> {
  const parsed = req.body;
  if (typeof parsed === 'string') return parseJsonText(parsed);
  if (Buffer.isBuffer(parsed)) return parseJsonText(parsed.toString('utf8'));
  // body-parser 1.x leaves `{}` without reading the stream when the content type did not match.
  if (req._body === true || (parsed !== undefined && parsed !== null && !isEmptyObject(parsed))) return parsed;
  // A body on GET or DELETE means nothing to the MCP SDK, but a handler may still read it: checked too.
  const declared = declaresBody(singleHeader(req, 'content-length'), singleHeader(req, 'transfer-encoding'));
  if (!BODY_METHODS.has(req.method ?? '') && !declared) return undefined;
  if (req.readableEnded || req.readableDidRead) {
    // body-parser 2 (Express 5) leaves no `_body` mark: a `{}` it parsed is the body.
    if (isEmptyObject(parsed)) return parsed;
    // Read by something before the gate that left no parsed body: what the handler acts on is
    // unknown, so per-call scopes cannot be checked. Refused (fail closed), as the web gate does.
    if (declared) {
      throw authErrors.serverError('the request body was read before the gate: mount the gate before anything that reads the body, or have that put the parsed body on req.body');
    }
    return undefined;
  }
  const value = parseBodyText(await readNodeBody(req, limit), singleHeader(req, 'content-type'), singleHeader(req, 'content-encoding'));
  req.body = value;
  req._body = true;
  return value;
}

/** The gate as `(req, res, next)`: on success sets `req.auth` and runs the rest inside the auth context. */
export function createNodeMiddleware(auth: Authenticator): NodeMiddleware {
  const { cors, resourceMetadataUrl, realm, retryAfterSeconds, maxBodyBytes, asyncContext, requiredScopes } = auth.config;
  // How every refusal of this gate is answered (the OPTIONS Origin check and the decision alike).
  const challenge = { resourceMetadata: resourceMetadataUrl, realm, retryAfterSeconds, scopes: requiredScopes };
  return (req, res, next) => {
    const origin = singleHeader(req, 'origin');
    if (req.method === 'OPTIONS') {
      const refused = auth.refuseOrigin({ method: 'OPTIONS', url: req.originalUrl ?? req.url ?? '/', origin: origin ?? undefined });
      if (refused !== null) {
        const answer = authErrorResponse(refused, challenge);
        writeResponse(res, answer.status, answer.headers, answer.body);
        return;
      }
    }
    if (isPreflight(req.method, singleHeader(req, 'access-control-request-method'))) {
      writeResponse(res, 204, preflightHeaders(cors, origin), null);
      return;
    }
    if (req.method === 'OPTIONS') {
      writeResponse(res, 204, optionsHeaders(cors, origin), null);
      return;
    }
    for (const [name, value] of Object.entries(corsHeaders(cors, origin))) res.setHeader(name, value);
    auth
      .authenticate({
        method: req.method ?? 'GET',
        url: req.originalUrl ?? req.url ?? '/',
        authorization: headerValues(req, 'authorization'),
        mcpMethod: singleHeader(req, 'mcp-method'),
        mcpName: singleHeader(req, 'mcp-name'),
        origin: origin ?? undefined,
        body: () => bodyOf(req, maxBodyBytes),
      })
      .then(
        (outcome) => {
          if ('error' in outcome) {
            const answer = authErrorResponse(outcome.error, challenge);
            writeResponse(res, answer.status, answer.headers, answer.body);
            return;
          }
          req.auth = outcome.authInfo;
          if (asyncContext) runWithAuthInfo(outcome.authInfo, () => next());
          else next();
        },
        (error: unknown) => next(error),
      );
  };
}

/**
 * Serves the PRM document at the path-aware URL and the root URL (GET/HEAD), answers CORS
 * preflights there, 405 for other methods; anything else falls through to `next()`.
 */
export function createMetadataMiddleware(auth: Authenticator): NodeMiddleware {
  const { cors, metadataPaths, protectedResourceMetadata } = auth.config;
  const body = JSON.stringify(protectedResourceMetadata);
  return (req, res, next) => {
    const url = req.originalUrl ?? req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (!metadataPaths.includes(path)) {
      next();
      return;
    }
    const origin = singleHeader(req, 'origin');
    if (req.method === 'OPTIONS') {
      writeResponse(res, 204, preflightHeaders(cors, origin, METADATA_ALLOW_METHODS), null);
      return;
    }
    const headers = { ...corsHeaders(cors, origin) };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      writeResponse(res, 405, { ...headers, allow: METADATA_ALLOW_METHODS }, null);
      return;
    }
    headers['content-type'] = 'application/json';
    headers['cache-control'] = 'public, max-age=300';
    writeResponse(res, 200, headers, req.method === 'HEAD' ? null : body);
  };
}
