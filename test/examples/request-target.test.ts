import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.js';

// Request targets Node's HTTP parser accepts but `new URL(target, base)` rejects: absolute-form with
// a broken authority, and origin-form starting with `//` (a scheme-relative reference to WHATWG URL).
const UNPARSABLE_TARGETS = ['http://[', 'http://a:99999/', '//a:99999/', '//[', 'HTTP://[::1]:70000/'];

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/**
 * One request written byte for byte on a socket (fetch and http.request normalise or refuse such
 * targets). Resolves with status 0 when no answer arrives within a few seconds: a server whose
 * request listener threw has nothing left to answer with.
 */
function rawHttp(origin: string, head: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(head));
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const headers = split < 0 ? text : text.slice(0, split);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1];
      const rest = split < 0 ? '' : text.slice(split + 4);
      const body = /^transfer-encoding: *chunked$/im.test(headers) ? dechunk(rest) : rest;
      resolve({ status: status === undefined ? 0 : Number(status), headers, body });
    });
  });
}

function dechunk(text: string): string {
  let body = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = eol < 0 ? 0 : Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return body;
    body += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

const requestWithTarget = (target: string, method = 'GET'): string =>
  `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;

let stack: Stack;
beforeAll(async () => {
  // The AS runs in the same process as the example MCP server, as in the demo and these tests.
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

describe('development authorization server: request targets new URL() cannot parse', () => {
  it('answers 400 invalid_request and keeps serving (and so does the MCP server beside it)', async () => {
    for (const target of UNPARSABLE_TARGETS) {
      for (const method of ['GET', 'POST', 'OPTIONS']) {
        const answer = await rawHttp(stack.as.issuer, requestWithTarget(target, method));
        expect(answer.status, `${method} ${target}`).toBe(400);
        expect(answer.headers.toLowerCase()).toContain('content-type: application/json');
        expect(JSON.parse(answer.body), `${method} ${target}`).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
      }
    }
    const metadata = await fetch(stack.as.metadataUrl);
    expect(metadata.status).toBe(200);
    expect(((await metadata.json()) as { issuer: string }).issuer).toBe(stack.as.issuer);
    expect((await fetch(`${stack.server.url}/health`)).status).toBe(200);
  });

  it('counts requests only for the paths it serves, so arbitrary paths cannot grow requestCounts', async () => {
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${stack.as.issuer}/no-such-path-${i}`);
      expect(response.status).toBe(404);
      await response.body?.cancel();
    }
    await (await fetch(stack.as.jwksUri)).body?.cancel();
    expect([...stack.as.requestCounts.keys()].filter((path) => path.startsWith('/no-such-path-'))).toEqual([]);
    expect(stack.as.requestCounts.get(new URL(stack.as.jwksUri).pathname)).toBeGreaterThan(0);
  });
});

describe('example MCP server: request targets new URL() cannot parse', () => {
  it('answers them with a 4xx and keeps serving', async () => {
    for (const target of UNPARSABLE_TARGETS) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const answer = await rawHttp(stack.server.url, requestWithTarget(target, method));
        expect(answer.status, `${method} ${target}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${method} ${target}`).toBeLessThan(500);
      }
    }
    expect((await fetch(`${stack.server.url}/health`)).status).toBe(200);
    expect((await fetch(`${stack.server.url}/.well-known/oauth-protected-resource`)).status).toBe(200);
  });
});
