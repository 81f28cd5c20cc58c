import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/**
 * Live MCP sessions with two caps (each costs ~90 KiB: an McpServer and its transport):
 * - per subject: a subject opening one session too many loses its own least recently used one, so a
 *   client that re-initializes in a loop recycles its own sessions and never touches anyone else's;
 * - in total: when full, a subject below its own cap gets no new session (the caller answers 503)
 *   rather than taking one from another subject.
 * Sessions without a subject (auth disabled) count only towards the total.
 */
export interface SessionLimits {
  /** Live sessions per token subject. Default 32. */
  perSubject: number;
  /** Live sessions in all. Default 1,000. */
  total: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { perSubject: 32, total: 1000 };

interface Entry {
  transport: StreamableHTTPServerTransport;
  subject: string | undefined;
  lastSeen: number;
}

export class SessionTable {
  readonly #entries = new Map<string, Entry>();
  readonly #bySubject = new Map<string, Set<string>>();

  constructor(private readonly limits: SessionLimits) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The session's transport, marked as used now. */
  use(sessionId: string): StreamableHTTPServerTransport | undefined {
    const entry = this.#entries.get(sessionId);
    if (entry) entry.lastSeen = Date.now();
    return entry?.transport;
  }

  /**
   * Whether `subject` may open a session while `opening` others are being initialized. A subject at
   * its own cap may: its new session replaces its oldest and the total does not grow.
   */
  admits(subject: string | undefined, opening: number): boolean {
    if (this.#entries.size + opening < this.limits.total) return true;
    return subject !== undefined && (this.#bySubject.get(subject)?.size ?? 0) >= this.limits.perSubject;
  }

  /** Adds a session; returns the sessions of the same subject pushed out by it (already removed). */
  add(sessionId: string, transport: StreamableHTTPServerTransport, subject: string | undefined): Map<string, StreamableHTTPServerTransport> {
    this.#entries.set(sessionId, { transport, subject, lastSeen: Date.now() });
    const evicted = new Map<string, StreamableHTTPServerTransport>();
    if (subject === undefined) return evicted;
    const own = this.#bySubject.get(subject) ?? new Set<string>();
    own.add(sessionId);
    this.#bySubject.set(subject, own);
    while (own.size > this.limits.perSubject) {
      const oldest = this.#leastRecentlyUsed(own, sessionId);
      const transport = oldest === undefined ? undefined : this.#entries.get(oldest)?.transport;
      if (oldest === undefined || transport === undefined) break;
      evicted.set(oldest, transport);
      this.delete(oldest);
    }
    return evicted;
  }

  /** Removes a session; true if it was there. */
  delete(sessionId: string): boolean {
    const entry = this.#entries.get(sessionId);
    if (!entry) return false;
    this.#entries.delete(sessionId);
    if (entry.subject !== undefined) {
      const own = this.#bySubject.get(entry.subject);
      own?.delete(sessionId);
      if (own?.size === 0) this.#bySubject.delete(entry.subject);
    }
    return true;
  }

  /** Ids of sessions not used since `cutoff` (ms since the epoch). */
  idleSince(cutoff: number): string[] {
    return [...this.#entries].filter(([, e]) => e.lastSeen < cutoff).map(([id]) => id);
  }

  transport(sessionId: string): StreamableHTTPServerTransport | undefined {
    return this.#entries.get(sessionId)?.transport;
  }

  /** Removes every session; returns their transports. */
  clear(): StreamableHTTPServerTransport[] {
    const all = [...this.#entries.values()].map((e) => e.transport);
    this.#entries.clear();
    this.#bySubject.clear();
    return all;
  }

  #leastRecentlyUsed(ids: Set<string>, except: string): string | undefined {
    let oldest: string | undefined;
    let seen = Infinity;
    for (const id of ids) {
      const lastSeen = this.#entries.get(id)?.lastSeen ?? 0;
      if (id !== except && lastSeen < seen) {
        oldest = id;
        seen = lastSeen;
      }
    }
    return oldest;
  }
}
