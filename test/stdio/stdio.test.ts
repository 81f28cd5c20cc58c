/**
 * 1,000 tool calls against an MCP server on the stdio transport that validates with the native
 * backend (a child process started by the SDK's StdioClientTransport). Every stdout line must be a
 * protocol message: the SDK client reports anything else as a transport error, and the raw bytes
 * are checked too.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestIssuer } from '../support/issuer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ISSUER = 'https://issuer.test/realms/stdio';
const native = process.platform === 'linux' && process.arch === 'x64';

describe.runIf(native)('MCP over stdio with the native backend', () => {
  const issuer = new TestIssuer(ISSUER);
  let jwks: Server;
  let jwksUri: string;

  beforeAll(async () => {
    const body = JSON.stringify(issuer.jwks(['rsa2048']));
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  });

  afterAll(async () => {
    jwks.closeAllConnections();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  });

  it('completes 1,000 tool calls with right verdicts and nothing but protocol messages on stdout', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(here, 'fixtures', 'stdio-server.ts')],
      env: { ...(process.env as Record<string, string>), STDIO_JWKS_URI: jwksUri, STDIO_ISSUER: ISSUER },
      stderr: 'pipe',
    });
    const transportErrors: string[] = [];
    transport.onerror = (error) => transportErrors.push(String(error));
    let stderr = '';
    transport.stderr?.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const client = new Client({ name: 'stdio-load', version: '1.0.0' });
    await client.connect(transport);
    // Raw view of the same stdout: every line must parse as a JSON-RPC message.
    const rawLines: string[] = [];
    let partial = '';
    const stdout = (transport as unknown as { _process?: { stdout?: NodeJS.ReadableStream } })._process?.stdout;
    stdout?.on('data', (b: Buffer) => {
      const text = partial + b.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      rawLines.push(...lines);
    });

    const subjects = ['alice-private-subject', 'bob-private-subject'];
    const cases = [
      { token: issuer.sign({ claims: { sub: subjects[0], scope: 'mcp:read' } }), scope: 'mcp:read', valid: true, code: 0 },
      { token: issuer.sign({ claims: { sub: subjects[1] } }), valid: true, code: 0 },
      { token: issuer.sign({ claims: { sub: subjects[0], exp: issuer.now() - 3600 } }), valid: false, code: -1001 },
      { token: `${issuer.sign({ claims: { sub: subjects[1] } }).slice(0, -4)}AAAA`, valid: false, code: -1002 },
      { token: issuer.sign({ claims: { sub: subjects[1], scope: 'openid' } }), scope: 'mcp:admin', valid: false, code: -1005 },
      { token: 'not-a-token', valid: false, code: -1000 },
    ];
    let wrong = 0;
    const backends = new Set<string>();
    for (let n = 0; n < 1000; n++) {
      const c = cases[n % cases.length]!;
      const result = await client.callTool({ name: 'check-token', arguments: c.scope ? { token: c.token, scope: c.scope } : { token: c.token } });
      const text = (result.content as { type: string; text: string }[])[0]?.text ?? '{}';
      const verdict = JSON.parse(text) as { valid: boolean; code: number; backend: string };
      backends.add(verdict.backend);
      if (verdict.valid !== c.valid || verdict.code !== c.code) wrong++;
    }
    await client.close();

    expect(wrong).toBe(0);
    expect([...backends]).toEqual(['native']);
    expect(transportErrors).toEqual([]);
    expect(rawLines.length).toBeGreaterThanOrEqual(1000);
    for (const line of rawLines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect((JSON.parse(line) as { jsonrpc?: string }).jsonrpc).toBe('2.0');
    }
    // The subjects never reach stdout or stderr (the native library would print them).
    const everything = rawLines.join('\n') + stderr;
    for (const s of subjects) expect(everything).not.toContain(s);
  }, 60_000);
});
