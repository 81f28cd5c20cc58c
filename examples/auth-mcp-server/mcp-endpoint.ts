import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { registerWeatherTools } from './tools.js';

export const SERVER_INFO = { name: 'auth-mcp-server', version: '1.0.0' } as const;

function jsonRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

export interface McpEndpoint {
  handle(req: Request, res: Response): Promise<void>;
  readonly sessionCount: number;
  close(): Promise<void>;
}

/**
 * Stateful Streamable HTTP: one McpServer + transport per session. Session binding to the token's
 * subject happens in `onSessionInitialized` (called inside the authenticated request) and is
 * enforced by the binding middleware mounted before this handler.
 */
export function createMcpEndpoint(hooks: {
  onSessionInitialized?: (sessionId: string) => void;
  onSessionClosed?: (sessionId: string) => void;
  /** Sessions unused this long are closed (clients often never send DELETE). Default 30 min. */
  sessionIdleMs?: number;
} = {}): McpEndpoint {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const lastSeen = new Map<string, number>();
  const idleMs = hooks.sessionIdleMs ?? 30 * 60_000;
  const sweep = setInterval(() => {
    const cutoff = Date.now() - idleMs;
    for (const [id, seen] of lastSeen) {
      if (seen >= cutoff) continue;
      lastSeen.delete(id);
      void transports.get(id)?.close();
    }
  }, Math.min(idleMs, 60_000));
  sweep.unref();

  async function openSession(req: Request, res: Response): Promise<void> {
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (sessionId) => {
        transports.set(sessionId, transport);
        lastSeen.set(sessionId, Date.now());
        hooks.onSessionInitialized?.(sessionId);
      },
      onsessionclosed: (sessionId) => {
        transports.delete(sessionId);
        lastSeen.delete(sessionId);
        hooks.onSessionClosed?.(sessionId);
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined) lastSeen.delete(id);
      if (id !== undefined && transports.delete(id)) hooks.onSessionClosed?.(id);
    };
    const server = new McpServer(SERVER_INFO, { capabilities: { tools: {} } });
    registerWeatherTools(server);
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  return {
    async handle(req, res) {
      const sessionId = req.header('mcp-session-id');
      if (sessionId !== undefined) {
        const transport = transports.get(sessionId);
        if (!transport) return jsonRpcError(res, 404, -32001, 'Session not found');
        lastSeen.set(sessionId, Date.now());
        return transport.handleRequest(req, res, req.body);
      }
      if (req.method === 'POST' && isInitializeRequest(req.body)) return openSession(req, res);
      jsonRpcError(res, 400, -32000, 'Bad Request: no valid session; send initialize first');
    },
    get sessionCount() {
      return transports.size;
    },
    async close() {
      clearInterval(sweep);
      const open = [...transports.values()];
      transports.clear();
      await Promise.allSettled(open.map((t) => t.close()));
    },
  };
}
