import type { JwksSnapshot } from '../../backends/types.js';
import type { Logger } from '../logger.js';

export type { JwksSnapshot };

export interface JwksManagerOptions {
  /** Cache lifetime when the response has no usable Cache-Control (s). Default 3600. `cache_duration`. */
  cacheDuration?: number;
  /** Bounds applied to Cache-Control max-age (s). Defaults 60 and 86400. */
  minCacheDuration?: number;
  maxCacheDuration?: number;
  /** Refresh in the background before expiry. Default true. `auto_refresh`. */
  autoRefresh?: boolean;
  /** Fetch timeout (s); 0 = none. Default 10. `request_timeout`. */
  requestTimeout?: number;
  /** Minimum time between unknown-kid refetches (s). Default 30. */
  unknownKidCooldown?: number;
  /** How long stale keys are served while the endpoint fails (s). Default 3600. */
  maxStale?: number;
  /** Largest accepted response body (bytes). Default 1 MiB. */
  maxResponseBytes?: number;
  logger?: Logger;
  /**
   * Replaces global fetch for the JWKS (and for the issuer metadata when `gopherAuth()` discovers
   * the JWKS URI): how to trust a private CA or go through a proxy (docs/api.md, "JWKS over HTTPS").
   */
  fetch?: typeof fetch;
}

export interface JwksStatus {
  uri: string;
  keys: number;
  kids: string[];
  /** ms since the current snapshot was fetched; null when none. */
  ageMs: number | null;
  /** true while serving keys past their cache lifetime because refreshes fail. */
  stale: boolean;
  lastError: string | null;
  /** Completed fetch attempts (success or failure). */
  fetchCount: number;
  version: number;
}

/**
 * Contract of src/core/jwks/manager.ts. One manager per GopherAuthClient; it never blocks the
 * event loop; its timers are unref'd and never keep a process alive (a fetch under way holds its
 * socket until it ends, at most requestTimeout, or until destroy()).
 */
export interface JwksManagerContract {
  /** The current snapshot without I/O; null before the first successful fetch. */
  current(): JwksSnapshot | null;
  /**
   * Synchronous gate for a validation: the snapshot while it is fresh or stale within maxStale, else
   * null (none yet, too stale, or destroyed). Never waits and never throws; when the keys are expired
   * or missing it starts a background fetch (single-flight, backed off after failures).
   */
  usable(): JwksSnapshot | null;
  /** Resolves with usable keys, fetching if needed (single-flight). Rejects with GopherAuthException(JWKS_FETCH_FAILED). */
  ready(): Promise<JwksSnapshot>;
  /** Force a fetch now (single-flight). Rejects on failure; the old snapshot stays. */
  refresh(): Promise<JwksSnapshot>;
  /**
   * A token named a kid the current snapshot lacks. Refetches at most once per cooldown; kids that
   * stayed unknown after a refetch are negatively cached for the cooldown. Resolves with the new
   * snapshot when it changed, or null when nothing new can be had now.
   */
  handleUnknownKid(kid: string | null): Promise<JwksSnapshot | null>;
  /**
   * True when `handleUnknownKid(kid)` would resolve with null without any I/O or waiting: the kid
   * stayed unknown after a recent refetch, or the cooldown holds and no fetch is under way. Lets a
   * refused token skip the asynchronous round trip; false whenever that call could bring keys.
   */
  unknownKidSettled(kid: string | null): boolean;
  /** Called with every new snapshot. Returns an unsubscribe function. */
  subscribe(listener: (snapshot: JwksSnapshot) => void): () => void;
  status(): JwksStatus;
  /** Stop timers, drop listeners; idempotent. */
  destroy(): void;
}
