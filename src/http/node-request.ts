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

/** Every value of a header as received (Node folds duplicate Authorization headers into the first). */
export function headerValues(req: IncomingMessage, name: string): string[] {
  const distinct = (req as { headersDistinct?: Record<string, string[] | undefined> }).headersDistinct;
  if (distinct !== undefined) return distinct[name] ?? [];
  const values: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === name) values.push(req.rawHeaders[i + 1] ?? '');
  }
  return values;
}

export function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const values = headerValues(req, name);
  return values.length === 0 ? undefined : values.join(', ');
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
