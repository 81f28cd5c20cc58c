/**
 * Binds an MCP session to the subject whose token opened it, and refuses the session to anyone else
 * (a leaked or guessed `Mcp-Session-Id` is useless with another user's token). A refused or unknown
 * session gets the same 404 "Session not found" the SDK gives, so the answer does not reveal that
 * the session exists.
 */
import type { ServerResponse } from 'node:http';
import { getAuthInfo, runWithAuthInfo } from '../http/context.js';
import type { AuthInfo } from '../http/auth-info.js';
import { GopherAuthError, GopherAuthException } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { singleHeader, writeResponse, type NodeNext, type NodeRequest } from '../http/node-request.js';

export type SessionCheck = 'ok' | 'unknown' | 'mismatch';

export interface SessionBindingOptions {
  /**
   * Bindings kept in all. Default 10,000. When full, the subject holding the most sessions loses its
   * oldest, so one user opening sessions in a loop cannot push out anyone else's.
   */
  maxSessions?: number;
  /** Bindings kept per subject; beyond it, that subject's oldest is dropped. Default 100. */
  maxSessionsPerSubject?: number;
  /** The identity a session is bound to. Default: issuer + `sub`, else issuer + `client_id`. */
  subjectOf?: (authInfo: AuthInfo) => string | null;
  /** Sessions never bound are refused too (default true): a session the app forgot to bind is not open to all. */
  requireBinding?: boolean;
  logger?: Logger;
}

const NOT_FOUND_BODY = JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });

function defaultSubject(authInfo: AuthInfo): string | null {
  const claims = authInfo.extra ?? {};
  const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
  if (typeof claims['sub'] === 'string' && claims['sub'] !== '') return `${iss}\u0000sub\u0000${claims['sub']}`;
  if (authInfo.clientId !== '') return `${iss}\u0000client\u0000${authInfo.clientId}`;
  return null;
}

export class SessionBinding {
  /** session id → subject */
  readonly #subjects = new Map<string, string>();
  /** subject → its session ids, oldest first */
  readonly #sessionsOf = new Map<string, Set<string>>();
  readonly #max: number;
  readonly #maxPerSubject: number;
  readonly #subjectOf: (authInfo: AuthInfo) => string | null;
  readonly #requireBinding: boolean;
  readonly #logger: Logger;

  constructor(options: SessionBindingOptions = {}) {
    this.#max = options.maxSessions ?? 10_000;
    this.#maxPerSubject = options.maxSessionsPerSubject ?? 100;
    this.#subjectOf = options.subjectOf ?? defaultSubject;
    this.#requireBinding = options.requireBinding ?? true;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Binds `sessionId` to the identity (default: the current request's, from the auth context). */
  bind(sessionId: string, authInfo: AuthInfo | undefined = getAuthInfo()): void {
    if (authInfo === undefined) {
      throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'SessionBinding.bind needs an AuthInfo (none in the current request context)');
    }
    const subject = this.#subjectOf(authInfo);
    if (subject === null) throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'the token has neither sub nor client_id to bind a session to');
    const existing = this.#subjects.get(sessionId);
    if (existing !== undefined && existing !== subject) {
      throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'session is already bound to another subject');
    }
    this.release(sessionId);
    this.#subjects.set(sessionId, subject);
    let own = this.#sessionsOf.get(subject);
    if (own === undefined) this.#sessionsOf.set(subject, (own = new Set()));
    own.add(sessionId);
    while (own.size > this.#maxPerSubject) this.#dropOldestOf(own);
    while (this.#subjects.size > this.#max) {
      const busiest = this.#busiestSubject();
      if (busiest === undefined) break;
      this.#dropOldestOf(busiest);
    }
  }

  /** The session set of the subject with the most sessions (the first such, on a tie). */
  #busiestSubject(): Set<string> | undefined {
    let busiest: Set<string> | undefined;
    for (const sessions of this.#sessionsOf.values()) if (busiest === undefined || sessions.size > busiest.size) busiest = sessions;
    return busiest;
  }

  #dropOldestOf(sessions: Set<string>): void {
    const oldest = sessions.values().next().value;
    if (oldest === undefined) return;
    this.#logger.debug({}, 'gopher-auth: MCP session binding dropped (session limit)');
    this.release(oldest);
  }

  /** The identity sessions are bound to for this AuthInfo (null: none). */
  subjectOf(authInfo: AuthInfo): string | null {
    return this.#subjectOf(authInfo);
  }

  check(sessionId: string, authInfo: AuthInfo | undefined): SessionCheck {
    const bound = this.#subjects.get(sessionId);
    if (bound === undefined) return 'unknown';
    return authInfo !== undefined && this.#subjectOf(authInfo) === bound ? 'ok' : 'mismatch';
  }

  release(sessionId: string): void {
    const subject = this.#subjects.get(sessionId);
    if (subject === undefined) return;
    this.#subjects.delete(sessionId);
    const own = this.#sessionsOf.get(subject);
    own?.delete(sessionId);
    if (own?.size === 0) this.#sessionsOf.delete(subject);
  }

  get size(): number {
    return this.#subjects.size;
  }

  /** For `StreamableHTTPServerTransport({ onsessioninitialized })`: binds to the current request's identity. */
  readonly onSessionInitialized = (sessionId: string): void => this.bind(sessionId);
  /** For `onsessionclosed`. */
  readonly onSessionClosed = (sessionId: string): void => this.release(sessionId);

  #allowed(sessionId: string | undefined, authInfo: AuthInfo | undefined): boolean {
    if (sessionId === undefined) return true;
    const verdict = this.check(sessionId, authInfo);
    if (verdict === 'ok' || (verdict === 'unknown' && !this.#requireBinding)) return true;
    this.#logger.warn({ verdict }, 'gopher-auth: MCP session refused to a different subject');
    return false;
  }

  /**
   * Express/node middleware; mount after the gate. With the gate's `asyncContext: false` it runs the
   * rest of the request with `req.auth` as the auth context, so `onSessionInitialized` can bind.
   */
  middleware(): (req: NodeRequest, res: ServerResponse, next: NodeNext) => void {
    return (req, res, next) => {
      const context = getAuthInfo();
      const authInfo = req.auth ?? context;
      if (this.#allowed(singleHeader(req, 'mcp-session-id'), authInfo)) {
        if (context === undefined && authInfo !== undefined) runWithAuthInfo(authInfo, () => next());
        else next();
        return;
      }
      writeResponse(res, 404, { 'content-type': 'application/json' }, NOT_FOUND_BODY);
    };
  }

  /** Web-standard check: a 404 Response when the session is not this subject's, else null. */
  checkRequest(request: Request, authInfo: AuthInfo): Response | null {
    if (this.#allowed(request.headers.get('mcp-session-id') ?? undefined, authInfo)) return null;
    return new Response(NOT_FOUND_BODY, { status: 404, headers: { 'content-type': 'application/json' } });
  }
}
