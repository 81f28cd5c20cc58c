import { createHash } from 'node:crypto';
import type { Jwk } from '../../backends/types.js';
import { GopherAuthError, GopherAuthException } from '../errors.js';
import { cacheLifetimeSeconds, type CacheBounds } from './cache-control.js';
import { MAX_JWKS_KEYS, parseJwksDocument, type ParsedJwks } from './document.js';
import { fetchJwksDocument, type FetchedDocument } from './fetch.js';
import { JwksFetchError } from './jwks-error.js';
import { resolveJwksSettings, validateJwksUri, type JwksSettings } from './settings.js';
import type { JwksManagerContract, JwksManagerOptions, JwksSnapshot, JwksStatus } from './types.js';

type Listener = (snapshot: JwksSnapshot) => void;

/** setTimeout cannot wait longer than this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Refresh this share of the lifetime before expiry (capped at one minute). */
const REFRESH_LEAD_SHARE = 0.2;
const MAX_REFRESH_LEAD_MS = 60_000;
/** Retry backoff after failures: 1 s, doubling, capped at clamp(minCacheDuration, 1 s, 5 min). */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_CAP_MS = 300_000;
/**
 * Timers fire up to this share early (refresh) or either side (retry), drawn anew each time, so the
 * managers of a process with many tenants do not refresh, or retry an outage, all at once.
 */
const REFRESH_JITTER_SHARE = 0.1;
const RETRY_JITTER_SHARE = 0.2;
/** Bound on remembered unknown kids, so a flood of random kids cannot grow memory without limit. */
const MAX_NEGATIVE_KIDS = 10_000;
/**
 * Longer kids are remembered by their SHA-256: a header may carry a kid of ~48 KB, and 10,000 of
 * those would hold ~480 MB. Real kids (thumbprints, UUIDs) are far shorter.
 */
const MAX_REMEMBERED_KID_LENGTH = 128;

/** The negative-cache key of `kid`; the NUL prefix keeps digests apart from kids kept as they are. */
function negativeKidKey(kid: string): string {
  if (kid.length <= MAX_REMEMBERED_KID_LENGTH) return kid;
  return `\0sha256:${createHash('sha256').update(kid).digest('base64url')}`;
}

const noop = (): void => {};

function hasKid(snapshot: JwksSnapshot, kid: string): boolean {
  return snapshot.keys.some((key) => key.kid === kid);
}

function toFetchException(error: unknown): GopherAuthException {
  if (error instanceof GopherAuthException) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new GopherAuthException(GopherAuthError.JWKS_FETCH_FAILED, reason, { cause: error });
}

/**
 * Owns the key set of one JWKS URI: lazy single-flight fetching, Cache-Control-driven lifetime,
 * background refresh, throttled unknown-kid refetches and bounded stale-if-error.
 * All I/O is asynchronous; timers are unref'd (a fetch under way holds the process until it ends or
 * destroy(): docs/api.md, "Process exit"); background failures never surface as rejections.
 */
export class JwksManager implements JwksManagerContract {
  readonly #uri: string;
  readonly #settings: JwksSettings;
  readonly #bounds: CacheBounds;
  readonly #abort = new AbortController();
  readonly #listeners = new Set<Listener>();
  /** kid → time (ms) until which a refetch for it is not attempted. */
  readonly #negativeKids = new Map<string, number>();

  #snapshot: JwksSnapshot | null = null;
  #version = 0;
  #lastSuccessAt: number | null = null;
  #expiresAt = 0;
  #inflight: Promise<JwksSnapshot> | null = null;
  #fetchCount = 0;
  #lastError: string | null = null;
  #consecutiveFailures = 0;
  #nextRetryAt = 0;
  #outageLogged = false;
  #lastUnknownKidFetchAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | null = null;
  /** What the timer holds: a client dropped without destroy() must be collectable, not refresh forever. */
  readonly #weakSelf = new WeakRef(this);
  #destroyed = false;

  constructor(uri: string, options?: JwksManagerOptions) {
    validateJwksUri(uri);
    this.#uri = uri;
    this.#settings = resolveJwksSettings(options);
    this.#bounds = {
      cacheDuration: this.#settings.cacheDurationMs / 1000,
      minCacheDuration: this.#settings.minCacheDurationMs / 1000,
      maxCacheDuration: this.#settings.maxCacheDurationMs / 1000,
    };
  }

  /**
   * Takes over the keys of the manager this one replaces (setOption builds a new manager for new
   * settings), with their age and failure state, and refreshes them now under this manager's
   * settings: the old keys keep working meanwhile, and maxStale and the refresh schedule go on.
   */
  takeOver(previous: JwksManager): void {
    this.#snapshot = previous.#snapshot;
    this.#version = previous.#version;
    this.#lastSuccessAt = previous.#lastSuccessAt;
    this.#expiresAt = previous.#expiresAt;
    this.#fetchCount = previous.#fetchCount;
    this.#lastError = previous.#lastError;
    this.#consecutiveFailures = previous.#consecutiveFailures;
    this.#outageLogged = previous.#outageLogged;
    if (this.#snapshot !== null && !this.#destroyed) this.#fetchShared().catch(noop);
  }

  current(): JwksSnapshot | null {
    return this.#snapshot;
  }

  usable(): JwksSnapshot | null {
    if (this.#destroyed) return null;
    const now = Date.now();
    const snapshot = this.#snapshot;
    if (snapshot && now < this.#expiresAt) return snapshot;
    this.#retryIfDue(now);
    return snapshot && this.#withinMaxStale(now) ? snapshot : null;
  }

  ready(): Promise<JwksSnapshot> {
    if (this.#destroyed) return Promise.reject(this.#destroyedError());
    const now = Date.now();
    const snapshot = this.#snapshot;
    if (snapshot && now < this.#expiresAt) return Promise.resolve(snapshot);
    if (snapshot && this.#withinMaxStale(now)) {
      if (this.#consecutiveFailures > 0) {
        // Known outage: answer with the stale keys at once; retry in the background when due.
        this.#retryIfDue(now);
        return Promise.resolve(snapshot);
      }
      return this.#fetchShared().catch((error: unknown) => {
        const kept = this.#snapshot;
        if (!this.#destroyed && kept && this.#withinMaxStale(Date.now())) return kept;
        throw toFetchException(error);
      });
    }
    if (!this.#inflight && this.#consecutiveFailures > 0 && now < this.#nextRetryAt) {
      // lastError is a JwksFetchError's message, already escaped and cut: not made into one again.
      return Promise.reject(new GopherAuthException(GopherAuthError.JWKS_FETCH_FAILED, this.#lastError ?? 'JWKS fetch failed'));
    }
    return this.#fetchShared().catch((error: unknown) => {
      throw toFetchException(error);
    });
  }

  /** Fetches now: the answer comes from a request sent after this call (never one already under way). */
  refresh(): Promise<JwksSnapshot> {
    if (this.#destroyed) return Promise.reject(this.#destroyedError());
    const earlier = this.#inflight;
    const fetched = earlier === null ? this.#fetchShared() : earlier.then(() => this.#fetchShared(), () => this.#fetchShared());
    return fetched.catch((error: unknown) => {
      throw toFetchException(error);
    });
  }

  handleUnknownKid(kid: string | null): Promise<JwksSnapshot | null> {
    if (this.#destroyed) return Promise.reject(this.#destroyedError());
    const snapshot = this.#snapshot;
    if (snapshot === null) return this.ready().catch(() => this.#nullUnlessDestroyed());
    // Someone else's refetch may already have brought the kid in.
    if (kid !== null && hasKid(snapshot, kid)) return Promise.resolve(snapshot);
    if (this.#refetchThrottled(kid)) return Promise.resolve(null);

    const seenVersion = snapshot.version;
    const earlier = this.#inflight;
    if (earlier === null) return this.#fetchForUnknownKid(kid, seenVersion);
    // A fetch under way began before this kid was seen: its key set may predate the kid, so it
    // decides nothing about it — without the kid, one fetch of its own (within the cooldown) does.
    return earlier.then(
      (fresh) => (kid === null || hasKid(fresh, kid) ? (fresh.version > seenVersion ? fresh : null) : this.#fetchForUnknownKid(kid, seenVersion)),
      () => this.#nullUnlessDestroyed(),
    );
  }

  unknownKidSettled(kid: string | null): boolean {
    const snapshot = this.#snapshot;
    if (this.#destroyed || snapshot === null || (kid !== null && hasKid(snapshot, kid))) return false;
    return this.#refetchThrottled(kid);
  }

  /**
   * No refetch for this kid now, and nothing to wait for: remembered as unknown, or the cooldown holds
   * with no fetch under way (a fetch under way may bring any kid not remembered as unknown).
   */
  #refetchThrottled(kid: string | null): boolean {
    const now = Date.now();
    if (kid !== null && (this.#negativeKids.get(negativeKidKey(kid)) ?? 0) > now) return true;
    return this.#inflight === null && now - this.#lastUnknownKidFetchAt < this.#settings.unknownKidCooldownMs;
  }

  /**
   * The throttled refetch for a kid no key has: at most one per cooldown (a fetch under way now began
   * after the kid was seen, so it is joined), and the kid remembered as unknown when it still is.
   */
  #fetchForUnknownKid(kid: string | null, seenVersion: number): Promise<JwksSnapshot | null> {
    if (this.#destroyed) return Promise.reject(this.#destroyedError());
    let pending = this.#inflight;
    if (pending === null) {
      const now = Date.now();
      if (now - this.#lastUnknownKidFetchAt < this.#settings.unknownKidCooldownMs) return Promise.resolve(null);
      this.#lastUnknownKidFetchAt = now;
      pending = this.#fetchShared();
    }
    return pending.then(
      (fresh) => {
        if (kid !== null && !hasKid(fresh, kid)) this.#rememberUnknownKid(kid);
        return fresh.version > seenVersion ? fresh : null;
      },
      () => {
        if (kid !== null) this.#rememberUnknownKid(kid);
        return this.#nullUnlessDestroyed();
      },
    );
  }

  subscribe(listener: Listener): () => void {
    if (this.#destroyed) return noop;
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  status(): JwksStatus {
    const now = Date.now();
    const snapshot = this.#snapshot;
    return {
      uri: this.#uri,
      keys: snapshot?.keys.length ?? 0,
      kids: snapshot ? snapshot.keys.map((key: Jwk) => key.kid).filter((kid): kid is string => typeof kid === 'string') : [],
      ageMs: this.#lastSuccessAt === null ? null : now - this.#lastSuccessAt,
      stale: snapshot !== null && now >= this.#expiresAt,
      lastError: this.#lastError,
      fetchCount: this.#fetchCount,
      version: this.#version,
    };
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#clearTimer();
    this.#listeners.clear();
    this.#negativeKids.clear();
    this.#abort.abort();
  }

  isDestroyed(): boolean {
    return this.#destroyed;
  }

  #withinMaxStale(now: number): boolean {
    return now < this.#expiresAt + this.#settings.maxStaleMs;
  }

  #destroyedError(): GopherAuthException {
    return new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'JwksManager used after destroy()');
  }

  #nullUnlessDestroyed(): null {
    if (this.#destroyed) throw this.#destroyedError();
    return null;
  }

  /** One fetch at a time; every caller during a fetch shares its outcome. */
  #fetchShared(): Promise<JwksSnapshot> {
    if (this.#inflight) return this.#inflight;
    const pending = this.#fetchOnce().finally(() => {
      if (this.#inflight === pending) this.#inflight = null;
    });
    pending.catch(noop);
    this.#inflight = pending;
    return pending;
  }

  async #fetchOnce(): Promise<JwksSnapshot> {
    let document: FetchedDocument;
    let parsed: ParsedJwks;
    try {
      document = await fetchJwksDocument(this.#uri, {
        timeoutMs: this.#settings.requestTimeoutMs,
        maxBytes: this.#settings.maxResponseBytes,
        maxRedirects: this.#settings.maxRedirects,
        fetch: this.#settings.fetch,
        signal: this.#abort.signal,
      });
      parsed = parseJwksDocument(document.text);
    } catch (error) {
      if (this.#destroyed) throw this.#destroyedError();
      this.#fetchCount++;
      const failure = error instanceof JwksFetchError ? error : new JwksFetchError(String(error), { cause: error });
      this.#recordFailure(failure);
      throw failure;
    }
    if (this.#destroyed) throw this.#destroyedError();
    this.#fetchCount++;
    return this.#recordSuccess(parsed, document);
  }

  #recordSuccess(parsed: ParsedJwks, document: FetchedDocument): JwksSnapshot {
    const now = Date.now();
    const lifetimeMs = cacheLifetimeSeconds(document.cacheControl, document.age, this.#bounds) * 1000;
    this.#lastSuccessAt = now;
    this.#expiresAt = now + lifetimeMs;
    this.#lastError = null;
    if (this.#outageLogged) {
      this.#settings.logger.info(
        { jwksUri: this.#uri, failedAttempts: this.#consecutiveFailures },
        'gopher-auth: JWKS endpoint recovered; keys are fresh again',
      );
    }
    this.#consecutiveFailures = 0;
    this.#outageLogged = false;

    let snapshot = this.#snapshot;
    if (snapshot === null || snapshot.json !== parsed.json) {
      if (parsed.truncated > 0) {
        this.#settings.logger.warn(
          { jwksUri: this.#uri, keptKeys: parsed.keys.length, droppedKeys: parsed.truncated },
          `gopher-auth: JWKS document holds more than ${MAX_JWKS_KEYS} keys; only the first ${MAX_JWKS_KEYS} are used`,
        );
      }
      snapshot = Object.freeze({
        keys: Object.freeze(parsed.keys),
        json: parsed.json,
        fetchedAt: now,
        version: ++this.#version,
      });
      this.#snapshot = snapshot;
      this.#publish(snapshot);
    }
    if (lifetimeMs > 0) {
      const refreshInMs = lifetimeMs - Math.min(lifetimeMs * REFRESH_LEAD_SHARE, MAX_REFRESH_LEAD_MS);
      this.#schedule(refreshInMs * (1 - REFRESH_JITTER_SHARE * Math.random()));
    } else {
      this.#clearTimer();
    }
    return snapshot;
  }

  #recordFailure(error: JwksFetchError): void {
    this.#lastError = error.message;
    this.#consecutiveFailures++;
    const cap = Math.min(Math.max(this.#settings.minCacheDurationMs, FIRST_RETRY_MS), MAX_RETRY_CAP_MS);
    const base = Math.min(FIRST_RETRY_MS * 2 ** Math.min(this.#consecutiveFailures - 1, 30), cap);
    const backoff = base * (1 - RETRY_JITTER_SHARE / 2 + RETRY_JITTER_SHARE * Math.random());
    this.#nextRetryAt = Date.now() + backoff;
    if (!this.#outageLogged) {
      this.#outageLogged = true;
      this.#settings.logger.warn(
        { jwksUri: this.#uri, err: error.message, servingStaleKeys: this.#snapshot !== null },
        this.#snapshot
          ? 'gopher-auth: JWKS endpoint failing; serving the last keys until it recovers (bounded by maxStale)'
          : 'gopher-auth: JWKS endpoint failing; no keys loaded yet',
      );
    }
    this.#schedule(backoff);
  }

  #publish(snapshot: JwksSnapshot): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(snapshot);
      } catch (error) {
        this.#settings.logger.error({ jwksUri: this.#uri, err: error instanceof Error ? error.message : String(error) }, 'gopher-auth: JWKS snapshot listener threw');
      }
    }
  }

  #retryIfDue(now: number): void {
    if (!this.#inflight && now >= this.#nextRetryAt) this.#fetchShared().catch(noop);
  }

  #rememberUnknownKid(unknownKid: string): void {
    const kid = negativeKidKey(unknownKid);
    const now = Date.now();
    // Every entry lives for the same cooldown, so the Map's insertion order is expiry order: drop
    // from the front what has expired, or the oldest while full, and stop at the first keeper.
    // (Scanning the whole map per insert made a burst of N unknown kids cost N × 10,000 steps.)
    for (const [known, until] of this.#negativeKids) {
      if (until > now && this.#negativeKids.size < MAX_NEGATIVE_KIDS) break;
      this.#negativeKids.delete(known);
    }
    this.#negativeKids.delete(kid);
    this.#negativeKids.set(kid, now + this.#settings.unknownKidCooldownMs);
  }

  #schedule(delayMs: number): void {
    this.#clearTimer();
    if (!this.#settings.autoRefresh || this.#destroyed) return;
    this.#timer = setTimeout(JwksManager.#onTimer, Math.min(Math.max(0, delayMs), MAX_TIMER_MS), this.#weakSelf);
    this.#timer.unref();
  }

  static #onTimer(self: WeakRef<JwksManager>): void {
    const manager = self.deref();
    if (manager === undefined) return;
    manager.#timer = null;
    manager.#fetchShared().catch(noop);
  }

  #clearTimer(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }
}
