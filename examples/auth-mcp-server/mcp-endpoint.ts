import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_SESSION_LIMITS, SessionTable, type SessionLimits } from './session-table.js';
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
 * enforced by the binding middleware mounted before this handler. Live sessions are capped per
 * subject and in total (see SessionTable).
 */
export function createMcpEndpoint(hooks: {
  onSessionInitialized?: (sessionId: string) => void;
  onSessionClosed?: (sessionId: string) => void;
  /** Sessions unused this long are closed (clients often never send DELETE). Default 30 min. */
  sessionIdleMs?: number;
  /** Who a session counts against (the token's subject); undefined counts only towards the total. */
  subjectOf?: (req: Request) => string | undefined;
  /** Caps on live sessions; default DEFAULT_SESSION_LIMITS (32 per subject, 1,000 in all). */
  sessionLimits?: Partial<SessionLimits>;
} = {}): McpEndpoint {
  const sessions = new SessionTable({ ...DEFAULT_SESSION_LIMITS, ...hooks.sessionLimits });
  let opening = 0;
  const forget = (sessionId: string): void => {
    if (sessions.delete(sessionId)) hooks.onSessionClosed?.(sessionId);
  };
  const drop = (sessionId: string, transport: StreamableHTTPServerTransport | undefined): void => {
    forget(sessionId);
    void transport?.close();
  };
  const idleMs = hooks.sessionIdleMs ?? 30 * 60_000;
  const sweep = setInterval(() => {
    for (const id of sessions.idleSince(Date.now() - idleMs)) drop(id, sessions.transport(id));
  }, Math.min(idleMs, 60_000));
  sweep.unref();

  async function openSession(req: Request, res: Response): Promise<void> {
    const subject = hooks.subjectOf?.(req);
    if (!sessions.admits(subject, opening)) {
      res.setHeader('retry-after', '60');
      return jsonRpcError(res, 503, -32000, 'Too many open sessions; close one (DELETE /mcp) or retry later');
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (sessionId) => {
        const evicted = sessions.add(sessionId, transport, subject);
        hooks.onSessionInitialized?.(sessionId);
        for (const [id, old] of evicted) {
          hooks.onSessionClosed?.(id);
          void old.close();
        }
      },
      onsessionclosed: forget,
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) forget(transport.sessionId);
    };
    const server = new McpServer(SERVER_INFO, { capabilities: { tools: {} } });
    registerWeatherTools(server);
    opening += 1;
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } finally {
      opening -= 1;
    }
  }

  return {
    async handle(req, res) {
      const sessionId = req.header('mcp-session-id');
      if (sessionId !== undefined) {
        const transport = sessions.use(sessionId);
        if (!transport) return jsonRpcError(res, 404, -32001, 'Session not found');
        return transport.handleRequest(req, res, req.body);
      }
      if (req.method === 'POST' && isInitializeRequest(req.body)) return openSession(req, res);
      jsonRpcError(res, 400, -32000, 'Bad Request: no valid session; send initialize first');
    },
    get sessionCount() {
      return sessions.size;
    },
    async close() {
      clearInterval(sweep);
      await Promise.allSettled(sessions.clear().map((t) => t.close()));
    },
  };
}
