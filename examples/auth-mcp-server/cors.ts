import type { NextFunction, Request, Response } from 'express';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS } from '../../src/http/cors.js';
import { isLoopbackHostname } from '../../src/http/loopback.js';

/** An `Origin` a browser sends for pages on this machine (MCP Inspector's, say) or on the server itself. */
function isLocalOrigin(origin: string, serverOrigin: string): boolean {
  if (origin === serverOrigin) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHostname(url.hostname);
  } catch {
    return false;
  }
}

/**
 * CORS for every route (health, discovery, /oauth/*, /mcp).
 *
 * With auth on, `*`: tokens travel in the Authorization header, never in cookies, so a wildcard
 * origin grants nothing a script could not do anyway. With auth off (`localOnly`) any page could
 * call every tool through the browser of someone running the server, so a present `Origin` must be
 * a local one or the server itself, else 403 (MCP Streamable HTTP: servers MUST validate `Origin`);
 * requests without one (agents, curl) are not browsers' and pass.
 */
export function cors(options: { localOnly?: { serverOrigin: string } } = {}) {
  const { localOnly } = options;
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (localOnly !== undefined) {
      res.setHeader('vary', 'Origin');
      if (origin !== undefined && !isLocalOrigin(origin, localOnly.serverOrigin)) {
        res.status(403).json({ error: 'forbidden_origin', error_description: 'Without authentication this server answers pages on this machine only' });
        return;
      }
      if (origin !== undefined) res.setHeader('access-control-allow-origin', origin);
    } else {
      res.setHeader('access-control-allow-origin', '*');
    }
    res.setHeader('access-control-expose-headers', CORS_EXPOSE_HEADERS);
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', CORS_ALLOW_METHODS);
      res.setHeader('access-control-allow-headers', CORS_ALLOW_HEADERS);
      res.setHeader('access-control-max-age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
