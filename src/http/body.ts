/**
 * Reading a JSON-RPC body for scope inspection, with a size cap, from a Node request (when no body
 * parser ran yet) or a web-standard Request (from a clone, so the handler can still read it).
 */
import type { IncomingMessage } from 'node:http';
import { authErrors } from './errors.js';

/**
 * Parsed JSON, or undefined for an empty body; throws a 400 BearerAuthError (JSON-RPC parse error)
 * when not JSON. A leading BOM is skipped, as body-parser and `Request.json()` do (RFC 8259 §8.1).
 */
export function parseJsonText(text: string): unknown {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json.trim() === '') return undefined;
  // JSON.parse of a 4 MiB body nested two million deep holds the event loop for 1.5 s (a flat one:
  // ~11 ms); a token holder could send it on every request. No JSON-RPC message nests like that.
  if (json.length > MAX_BODY_DEPTH && nestsDeeperThan(json, MAX_BODY_DEPTH)) {
    throw authErrors.badRequest(`request body nests deeper than ${MAX_BODY_DEPTH} levels`);
  }
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw authErrors.parseError('request body is not valid JSON');
  }
}

export const MAX_BODY_DEPTH = 512;

/** Whether arrays and objects nest deeper than `max` anywhere in `json` (strings skipped): one pass, no allocation. */
function nestsDeeperThan(json: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Throws a 415 BearerAuthError for a body the gate would read otherwise than the handler: compressed
 * (a handler's parser inflates it; the gate reads bytes) or in a charset other than UTF-8 (JSON
 * exchanged between systems is UTF-8, RFC 8259 §8.1; a handler honouring the charset could decode
 * another tool name than the one checked).
 */
function assertReadableBody(contentType: string | null | undefined, contentEncoding: string | null | undefined): void {
  const encoding = contentEncoding?.trim().toLowerCase() ?? '';
  if (encoding !== '' && encoding !== 'identity') throw authErrors.unsupportedMediaType(`Content-Encoding ${JSON.stringify(contentEncoding)}`);
  const charset = contentType === null || contentType === undefined ? null : /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType);
  if (charset !== null && !/^utf-?8$/i.test(charset[1] ?? '')) throw authErrors.unsupportedMediaType(`charset ${JSON.stringify(charset[1])}`);
}

/**
 * A body read as text, parsed for the scope check: undefined when empty (whatever its headers say:
 * frameworks hand an empty stream to every DELETE), else refused as assertReadableBody says, else JSON.
 */
export function parseBodyText(text: string, contentType: string | null | undefined, contentEncoding: string | null | undefined): unknown {
  if (text === '') return undefined;
  assertReadableBody(contentType, contentEncoding);
  return parseJsonText(text);
}

/** Whether a request without a body-carrying method still declares a body (RFC 9112 §6.3). */
export function declaresBody(contentLength: string | null | undefined, transferEncoding: string | null | undefined): boolean {
  if (transferEncoding !== null && transferEncoding !== undefined && transferEncoding !== '') return true;
  const length = Number(contentLength);
  return Number.isFinite(length) && length > 0;
}

function tooLarge(limit: number): never {
  throw authErrors.payloadTooLarge(`body exceeds ${limit} bytes`);
}

/**
 * Event listeners, not `for await`: the async iterator costs tens of µs per request, more than the
 * rest of the gate once the token verdict is cached.
 */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) tooLarge(limit);
  if (req.readableEnded) return Promise.resolve('');
  // Closed before we got here (say, while the token was being verified): 'close' has already
  // fired, so listeners attached now would wait forever.
  if (req.destroyed || req.readableAborted) return Promise.reject(new Error('request closed before its body was read'));
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const fail = (error: unknown): void => {
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limit) {
        req.resume();
        try {
          tooLarge(limit);
        } catch (error) {
          fail(error);
        }
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = (): void => {
      cleanup();
      resolve((chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8'));
    };
    const onError = (error: Error): void => fail(error);
    const onClose = (): void => {
      if (!req.readableEnded) fail(new Error('request closed before its body was read'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

export async function readWebBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) tooLarge(limit);
  if (request.body === null) return '';
  // Read (or being read) before the gate: its scopes cannot be checked. The server's setup is at
  // fault, not the client's request: a 500 that says so, not a 400 about the body.
  if (request.bodyUsed || request.body.locked) {
    throw authErrors.serverError('the request body was read before the gate: run auth.gate() before anything that reads the body (a body parser, a validator)');
  }
  const reader = request.clone().body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Not awaited: a tee branch's cancel settles only once the other branch is cancelled too.
      reader.cancel().catch(() => {});
      tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
