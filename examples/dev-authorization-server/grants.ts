import { randomBytes } from 'node:crypto';
import { HttpError } from './http-util.js';

/** What the user (automatically) consented to, carried from /authorize to the code and on to refresh tokens. */
export interface Grant {
  clientId: string;
  subject: string;
  scope: string;
  /** RFC 8707 resource indicators bound to this grant (the token audience). */
  resources: string[];
}

export interface PendingCode extends Grant {
  /** Where the code was sent. */
  redirectUri: string;
  /** Whether /authorize named it (else it was the single registered one): then the token request must repeat it. */
  redirectUriGiven: boolean;
  codeChallenge: string;
  expiresAt: number;
}

export interface GrantStoreLimits {
  /** Lifetime of a refresh token family, from the authorization it comes from; rotation does not extend it. */
  refreshTokenTtlMs: number;
  /** Unredeemed, unexpired codes; beyond it /authorize answers temporarily_unavailable. */
  maxPendingCodes: number;
  /** Live refresh token families; beyond it the oldest is dropped. */
  maxRefreshFamilies: number;
}

/** The refresh tokens issued from one authorization: one current token, the ones it replaced, one grant. */
interface RefreshFamily {
  grant: Grant;
  current: string;
  retired: string[];
  expiresAt: number;
}

const CODE_TTL_MS = 60_000;
/** How long a redeemed code is remembered, so that its replay can revoke what it gave (RFC 6749 §4.1.2). */
const REDEEMED_CODE_MEMORY_MS = 10 * 60_000;
/** Rotated-out tokens remembered per family for reuse detection; an older one is merely unknown. */
const RETIRED_PER_FAMILY = 20;

export const DEFAULT_GRANT_LIMITS: GrantStoreLimits = {
  refreshTokenTtlMs: 24 * 60 * 60_000,
  maxPendingCodes: 1_000,
  maxRefreshFamilies: 10_000,
};

const newToken = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** Drops entries from the front of an insertion-ordered map while they are past `deadline`. */
function pruneExpired<V>(map: Map<string, V>, deadline: (value: V) => number, now: number, onDrop?: (key: string, value: V) => void): void {
  for (const [key, value] of map) {
    if (deadline(value) > now) return;
    map.delete(key);
    onDrop?.(key, value);
  }
}

/**
 * Authorization codes (single use, 60 s) and refresh tokens (rotated on every use, 24 h by default).
 * In memory and bounded: every entry of a map has the same lifetime, so insertion order is expiry
 * order and expired entries are pruned from the front whenever one is added.
 */
export class GrantStore {
  #codes = new Map<string, PendingCode>();
  /** Redeemed (or burnt) codes → the refresh family issued from them, if any. */
  #redeemedCodes = new Map<string, { familyId: string | undefined; forgetAt: number }>();
  #families = new Map<string, RefreshFamily>();
  /** Every token of a live family, current or retired → its family. */
  #refreshTokens = new Map<string, string>();

  constructor(private readonly limits: GrantStoreLimits = DEFAULT_GRANT_LIMITS) {}

  issueCode(pending: Omit<PendingCode, 'expiresAt'>): string {
    const now = Date.now();
    pruneExpired(this.#codes, (c) => c.expiresAt, now);
    if (this.#codes.size >= this.limits.maxPendingCodes) {
      throw new HttpError(503, 'temporarily_unavailable', 'too many outstanding authorization codes; retry in a minute');
    }
    const code = newToken(24);
    this.#codes.set(code, { ...pending, expiresAt: now + CODE_TTL_MS });
    return code;
  }

  /**
   * Removes the code whatever happens next: a code is good for one attempt only. A code presented
   * again revokes the refresh tokens issued from it (RFC 6749 §4.1.2, OAuth 2.1 §4.1.3).
   */
  takeCode(code: string): PendingCode | undefined {
    const now = Date.now();
    const redeemed = this.#redeemedCodes.get(code);
    if (redeemed !== undefined) {
      if (redeemed.familyId !== undefined) this.#revokeFamily(redeemed.familyId);
      return undefined;
    }
    const pending = this.#codes.get(code);
    if (!pending) return undefined;
    this.#codes.delete(code);
    pruneExpired(this.#redeemedCodes, (r) => r.forgetAt, now);
    if (this.#redeemedCodes.size >= this.limits.maxPendingCodes) {
      const oldest = this.#redeemedCodes.keys().next().value;
      if (oldest !== undefined) this.#redeemedCodes.delete(oldest);
    }
    this.#redeemedCodes.set(code, { familyId: undefined, forgetAt: now + REDEEMED_CODE_MEMORY_MS });
    return pending.expiresAt < now ? undefined : pending;
  }

  /** Starts a refresh token family for `grant`, issued from `code` when it comes from the code flow. */
  startRefreshFamily(grant: Grant, code?: string): string {
    const now = Date.now();
    pruneExpired(this.#families, (f) => f.expiresAt, now, (_id, family) => this.#forgetTokens(family));
    if (this.#families.size >= this.limits.maxRefreshFamilies) {
      const oldest = this.#families.keys().next().value;
      if (oldest !== undefined) this.#revokeFamily(oldest);
    }
    const familyId = newToken(12);
    const token = newToken(32);
    const { clientId, subject, scope, resources } = grant;
    this.#families.set(familyId, {
      grant: { clientId, subject, scope, resources: [...resources] },
      current: token,
      retired: [],
      expiresAt: now + this.limits.refreshTokenTtlMs,
    });
    this.#refreshTokens.set(token, familyId);
    const redeemed = code === undefined ? undefined : this.#redeemedCodes.get(code);
    if (redeemed !== undefined) redeemed.familyId = familyId;
    return token;
  }

  /**
   * The grant behind a refresh token, without using it up (see rotate). A token that was already
   * rotated out revokes its whole family: either the client or an attacker holds a stolen copy
   * (RFC 9700 §4.14.2, OAuth 2.1 §4.3.1).
   */
  findRefreshToken(token: string): { familyId: string; grant: Grant } | undefined {
    const familyId = this.#refreshTokens.get(token);
    const family = familyId === undefined ? undefined : this.#families.get(familyId);
    if (familyId === undefined || family === undefined) return undefined;
    if (family.expiresAt <= Date.now()) {
      this.#revokeFamily(familyId);
      return undefined;
    }
    if (family.current !== token) {
      this.#revokeFamily(familyId);
      return undefined;
    }
    return { familyId, grant: { ...family.grant, resources: [...family.grant.resources] } };
  }

  /** Replaces the family's current token with a new one; the old one becomes a reuse tripwire. */
  rotateRefreshToken(familyId: string): string {
    const family = this.#families.get(familyId);
    if (family === undefined) throw new HttpError(400, 'invalid_grant', 'unknown or revoked refresh token');
    family.retired.push(family.current);
    if (family.retired.length > RETIRED_PER_FAMILY) {
      const forgotten = family.retired.shift();
      if (forgotten !== undefined) this.#refreshTokens.delete(forgotten);
    }
    family.current = newToken(32);
    this.#refreshTokens.set(family.current, familyId);
    return family.current;
  }

  /** Counts, for tests and leak checks. */
  get sizes(): { codes: number; redeemedCodes: number; refreshFamilies: number; refreshTokens: number } {
    return {
      codes: this.#codes.size,
      redeemedCodes: this.#redeemedCodes.size,
      refreshFamilies: this.#families.size,
      refreshTokens: this.#refreshTokens.size,
    };
  }

  #revokeFamily(familyId: string): void {
    const family = this.#families.get(familyId);
    if (family === undefined) return;
    this.#families.delete(familyId);
    this.#forgetTokens(family);
  }

  #forgetTokens(family: RefreshFamily): void {
    this.#refreshTokens.delete(family.current);
    for (const token of family.retired) this.#refreshTokens.delete(token);
  }
}
