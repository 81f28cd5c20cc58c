/**
 * Reading a JSON-RPC body for scope inspection, with a size cap, from a Node request (when no body
 * parser ran yet) or a web-standard Request (from a clone, so the handler can still read it).
 */
import type { IncomingMessage } from 'node:http';
import { authErrors } from './errors.js';

/** Parsed JSON, or undefined for an empty body; throws a 400 BearerAuthError when not JSON. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw authErrors.badRequest('request body is not valid JSON');
  }
}

function tooLarge(limit: number): never {
  throw authErrors.payloadTooLarge(`body exceeds ${limit} bytes`);
}

export async function readNodeBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit) {
      req.resume();
      tooLarge(limit);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readWebBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) tooLarge(limit);
  if (request.body === null) return '';
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
