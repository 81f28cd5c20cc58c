/** Reading what the gate needs from a Node (or Express) request without depending on Express. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from './auth-info.js';

export type NodeRequest = IncomingMessage & {
  body?: unknown;
  auth?: AuthInfo;
  /** Express keeps the unmounted URL here. */
  originalUrl?: string;
  /** body-parser's "already read" flag. */
  _body?: boolean;
};

export type NodeNext = (error?: unknown) => void;

/**
 * Every value of a header as received (Node keeps only the first Authorization header in
 * `req.headers`). `name` is lower-case. Reads `rawHeaders` directly: `headersDistinct` would build
 * a second copy of every header on each request.
 */
export function headerValues(req: IncomingMessage, name: string): string[] {
  const raw = req.rawHeaders as string[] | undefined;
  if (raw === undefined) return headerList(req.headers[name]);
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length === name.length && key.toLowerCase() === name) values.push(raw[i + 1] as string);
  }
  return values;
}

/**
 * A header's values joined with ", " (undefined when absent). Only for headers Node folds that
 * way (not Authorization, Content-Type, Host and the other single-value headers it truncates).
 */
export function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function writeResponse(res: ServerResponse, status: number, headers: Record<string, string>, body: string | null): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(body ?? undefined);
}
