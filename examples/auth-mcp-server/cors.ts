import type { NextFunction, Request, Response } from 'express';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS } from '../../src/http/cors.js';

/**
 * `*` CORS for every route (health, discovery, /oauth/*, /mcp). Tokens travel in the Authorization
 * header, never in cookies, so a wildcard origin grants nothing a script could not do anyway.
 */
export function cors() {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('access-control-allow-origin', '*');
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
