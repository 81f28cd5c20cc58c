import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

const MAX_BODY_BYTES = 64 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * The body as UTF-8, refused with 413 past 64 KiB. The rest of an oversized body is still read and
 * dropped: a request stream given up mid-body (a `for await` left by a throw) leaves the keep-alive
 * connection unusable, and the client's next request on it stalled until the socket timed out.
 */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        refused = true;
        chunks.length = 0;
        reject(new HttpError(413, 'invalid_request', 'request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** The request's media type, lower-cased, without parameters ('' when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (mediaType(req) !== 'application/x-www-form-urlencoded') {
    throw new HttpError(400, 'invalid_request', 'the token endpoint takes application/x-www-form-urlencoded');
  }
  return new URLSearchParams(await readBody(req));
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_client_metadata', 'body is not valid JSON');
  }
}

/** A JSON answer, readable from any origin unless `headers` sets a CORS header to undefined. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | undefined> = {}): void {
  const text = JSON.stringify(body);
  const all: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'WWW-Authenticate',
    ...headers,
  };
  res.writeHead(status, Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined)) as Record<string, string>);
  res.end(text);
}

const MAX_DESCRIPTION = 200;

/**
 * An error_description fit to send (RFC 6749 §4.1.2.1, §5.2: %x20-21 / %x23-5B / %x5D-7E): other
 * characters become `?`, and a description quoting a long input is cut short.
 */
export function errorDescription(text: string): string {
  const clean = text.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '?');
  return clean.length <= MAX_DESCRIPTION ? clean : `${clean.slice(0, MAX_DESCRIPTION - 3)}...`;
}

export function sendOAuthError(res: ServerResponse, err: HttpError): void {
  const headers: Record<string, string> =
    err.status === 401 ? { 'www-authenticate': 'Basic realm="dev-authorization-server"' } : {};
  sendJson(res, err.status, { error: err.error, error_description: errorDescription(err.description) }, headers);
}

/** A parameter that must appear at most once (RFC 6749 §3.1, §3.2). */
export function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new HttpError(400, 'invalid_request', `parameter ${name} repeated`);
  const value = values[0];
  return value === undefined || value === '' ? undefined : value;
}

export function splitScope(scope: string | undefined): string[] {
  return (scope ?? '').split(' ').filter((s) => s.length > 0);
}

/**
 * DNS rebinding protection: a page whose name was re-pointed at this socket sends its own name as
 * Host. Only the issuer's host name, localhost and IP literals (which no such page can have) pass.
 */
export function isAllowedHost(hostHeader: string | undefined, issuerHostname: string): boolean {
  if (hostHeader === undefined) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname;
  } catch {
    return false;
  }
  return hostname === issuerHostname || hostname === 'localhost' || isIP(hostname.replace(/^\[|\]$/g, '')) !== 0;
}
