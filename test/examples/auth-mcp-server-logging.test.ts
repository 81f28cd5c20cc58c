import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import { buildConfig } from '../../examples/auth-mcp-server/config.js';
import { startAuthMcpServer } from '../../examples/auth-mcp-server/server.js';
import { startStack, type Stack } from './helpers.js';

const lines: Array<{ level: string; obj: unknown; msg: string | undefined }> = [];
const logger: Logger = {
  debug: (obj, msg) => void lines.push({ level: 'debug', obj, msg }),
  info: (obj, msg) => void lines.push({ level: 'info', obj, msg }),
  warn: (obj, msg) => void lines.push({ level: 'warn', obj, msg }),
  error: (obj, msg) => void lines.push({ level: 'error', obj, msg }),
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { logger });
});
afterAll(async () => {
  await stack.close();
});

const SECRET = 'S3CRET-value';
// V8 quotes the text around an unexpected token: `Unexpected token 'S', ..."_secret": S3CRET-val"... is not valid JSON`.
const malformed = `{"client_secret": ${SECRET}}`;

describe('auth MCP server: request errors in the log', () => {
  it('logs a malformed request body by type and status, never the parser message quoting the body', async () => {
    lines.length = 0;
    const response = await fetch(`${stack.server.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: malformed });
    expect(response.status).toBe(400);
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain('S3CRET');
    const entry = lines.find((l) => l.msg === 'request refused');
    expect(entry).toMatchObject({ level: 'warn', obj: { status: 400, type: 'entity.parse.failed' } });
    expect(lines.some((l) => l.level === 'error')).toBe(false);
  });

  it('does the same on /mcp with auth disabled', async () => {
    const own: string[] = [];
    const capture: Logger = { ...logger, warn: (obj) => void own.push(JSON.stringify(obj)), error: (obj) => void own.push(JSON.stringify(obj)) };
    const open = await startAuthMcpServer(buildConfig({ host: '127.0.0.1', port: '0', auth_disabled: 'true' }), { warn: () => {}, logger: capture });
    try {
      const response = await fetch(open.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: malformed,
      });
      expect(response.status).toBe(400);
      expect(own.join('\n')).not.toContain(SECRET);
      expect(own.join('\n')).toContain('entity.parse.failed');
    } finally {
      await open.close();
    }
  });
});
