import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, mediaType, readBody, sendJson } from './http-util.js';
import type { KeyRing } from './key-ring.js';

const NO_CORS = { 'access-control-allow-origin': undefined, 'access-control-expose-headers': undefined };

/**
 * POST /admin/rotate-keys (unauthenticated; enabled by `adminRoutes`). It takes only
 * application/json: a web page can send text/plain or a form to any origin without asking, but
 * application/json needs a CORS preflight, and this route grants none (see handleAdminPreflight).
 * So no other origin can rotate the keys, or make the server spend an RSA keygen on its event loop.
 */
export async function handleRotateKeys(req: IncomingMessage, res: ServerResponse, keys: KeyRing): Promise<void> {
  if (mediaType(req) !== 'application/json') {
    throw new HttpError(415, 'invalid_request', 'send content-type: application/json');
  }
  await readBody(req);
  sendJson(res, 200, { kid: await keys.rotate() }, NO_CORS);
}

/** A preflight for an admin route: refused, without any CORS header. */
export function handleAdminPreflight(res: ServerResponse): void {
  res.writeHead(405, { allow: 'POST' });
  res.end();
}
