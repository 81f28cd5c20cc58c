import { enter as enterCensus, leaveClient as leaveCensus } from './client-census.js';
import { jsBackend, peekHeader, peekHeaderAlg, recheckAccepted, structuralRefusal, verifyPool, type VerifyPoolStats } from '../backends/js/index.js';
import { nativeBackend } from '../backends/native/index.js';
import type { BackendClient, BackendName, JwksSnapshot, ValidationRequest, Verdict } from '../backends/types.js';
import { createBackendClients, pickClient, resolveBackendMode, type BackendClients, type BackendMode } from './backend-selection.js';
import {
  assertHttpUrl,
  parseOption,
  resolveClientOptions,
  type GopherAuthClientOptions,
  type NativeOptionName,
  type ResolvedClientOptions,
} from './client-options.js';
import { GopherAuthError, GopherAuthException } from './errors.js';
import { FETCH_FAILED_PREFIX } from './jwks/jwks-error.js';
import { JwksManager } from './jwks/manager.js';
import type { JwksManagerOptions, JwksStatus } from './jwks/types.js';
import { logSafe } from './log-safe.js';
import { silentLogger, type Logger } from './logger.js';
import { NativeValidation, nativeRequest, nativeWorkSharing, type NativeContext } from './native-sharing.js';
import { nativeMayMisread, nativeRulesMayDiffer } from './native-misreads.js';
import { snapshotForNative } from './native-key-set.js';
import { GopherValidationOptions } from './options.js';
import { extractTokenPayload } from './payload.js';
import { validationResult, type TokenPayload, type ValidationResult } from './result.js';
import { TokenCache, optionsKey, resolveTokenCacheOptions, type TokenCacheStats } from './token-cache.js';

export type { GopherAuthClientOptions };

export interface GopherAuthClientStats {
  /** Verified-token cache counters; null when the cache is off. */
  tokenCache: TokenCacheStats | null;
  /** The process-wide JS verify worker threads (shared by every client): size, running, counters. */
  jsWorkers: VerifyPoolStats;
}

/** Per-call requirements: a GopherValidationOptions, or the same as a plain object. */
export type ValidationOptionsInput =
  | GopherValidationOptions
  | { scopes?: readonly string[] | string; audience?: string; clockSkew?: number };

/**
 * Validates OAuth 2.1 bearer JWTs against an issuer's JWKS. Construction does no I/O; keys load on
 * first use (or `await client.ready()`). A bad token yields a result, never a throw; misuse throws
 * GopherAuthException.
 */
export class GopherAuthClient {
  readonly #jwksUri: string;
  readonly #issuer: string;
  readonly #mode: BackendMode;
  readonly #logger: Logger;
  readonly #resolved: ResolvedClientOptions;
  readonly #defaultRequest: ValidationRequest;
  #lastRequest: ValidationRequest | null = null;
  readonly #stored = new Map<NativeOptionName, string>();
  #managerOptions: JwksManagerOptions;
  #manager: JwksManager;
  #unsubscribe: () => void;
  #clients: BackendClients | null = null;
  /** The manager snapshot last handed to the backends, and the re-versioned copy they got. */
  #source: JwksSnapshot | null = null;
  #snapshot: JwksSnapshot | null = null;
  /** The kids of #snapshot, for #lacksKid (made on first use per snapshot). */
  #kids: { snapshot: JwksSnapshot; kids: ReadonlySet<string | undefined> } | null = null;
  #deliveries = 0;
  #destroyed = false;
  #censusKey = '';
  /** The client-wide rules every request carries, only those configured (tokenTypes, maxTokenAge). */
  readonly #policy: Pick<ValidationRequest, 'tokenTypes' | 'maxTokenAge'>;
  readonly #cache: TokenCache | null;
  readonly #defaultCacheKey: string;
  /** Cache keys of GopherValidationOptions objects, recomputed when their settings change. */
  readonly #cacheKeys = new WeakMap<GopherValidationOptions, { scopes: readonly string[]; audience: string | undefined; clockSkew: number; key: string }>();

  constructor(jwksUri: string, issuer: string, options: GopherAuthClientOptions = {}) {
    assertHttpUrl('jwksUri', jwksUri);
    assertHttpUrl('issuer', issuer);
    this.#jwksUri = jwksUri;
    this.#issuer = issuer;
    this.#logger = options.logger ?? silentLogger;
    this.#resolved = resolveClientOptions(options);
    this.#mode = resolveBackendMode(options.backend);
    const { tokenTypes, maxTokenAge } = this.#resolved;
    this.#policy = Object.freeze({ ...(tokenTypes && { tokenTypes }), ...(maxTokenAge !== undefined && { maxTokenAge }) });
    this.#defaultRequest = Object.freeze({ issuer, clockSkew: this.#resolved.clockSkew, algorithms: this.#resolved.algorithms, ...this.#policy });
    const cacheOptions = resolveTokenCacheOptions(options.tokenCache);
    this.#cache = cacheOptions === null ? null : new TokenCache(cacheOptions, Date.now, this.#resolved.maxTokenAge);
    this.#defaultCacheKey = optionsKey(this.#defaultRequest);
    this.#managerOptions = this.#resolved.manager;
    this.#manager = new JwksManager(jwksUri, this.#managerOptions);
    this.#unsubscribe = this.#manager.subscribe((snapshot) => this.#deliver(snapshot));
    // Fail fast: a forced native backend that cannot run is a configuration error, not a token error.
    if (this.#mode === 'native') this.#backends();
    this.#censusKey = enterCensus(this, jwksUri, issuer);
  }

  /** The backend answering tokens: 'native' when in use (RS* tokens under 'auto'), else 'js'. */
  get backend(): BackendName {
    this.#assertLive();
    return this.#backends().primary;
  }

  /** Loads the key set (single-flight). Rejects with GopherAuthException(JWKS_FETCH_FAILED). */
  async ready(): Promise<void> {
    this.#assertLive();
    this.#backends();
    const snapshot = await this.#onManager((manager) => manager.ready());
    this.#assertLive();
    this.#deliver(snapshot);
  }

  /** Fetches the key set now. Rejects with GopherAuthException(JWKS_FETCH_FAILED); old keys stay. */
  async refreshJwks(): Promise<void> {
    this.#assertLive();
    const snapshot = await this.#onManager((manager) => manager.refresh());
    this.#assertLive();
    this.#deliver(snapshot);
  }

  /**
   * A call on the JWKS manager; when setOption swaps managers while it waits (the old one is
   * destroyed, which fails its calls), the call is made again on the new one.
   */
  async #onManager<T>(call: (manager: JwksManager) => Promise<T>): Promise<T> {
    for (;;) {
      const manager = this.#manager;
      try {
        return await call(manager);
      } catch (error) {
        // Destroyed meanwhile: say so as every other member does, not as the manager it destroyed.
        this.#assertLive();
        if (manager === this.#manager) throw error;
      }
    }
  }

  jwksStatus(): JwksStatus {
    this.#assertLive();
    return this.#manager.status();
  }

  /** Counters: this client's verified-token cache, and the process-wide JS verify workers. */
  stats(): GopherAuthClientStats {
    this.#assertLive();
    return { tokenCache: this.#cache?.stats() ?? null, jsWorkers: verifyPool.stats() };
  }

  validateToken(token: string, options?: ValidationOptionsInput): Promise<ValidationResult> {
    // Not an async function: a cache hit answers with one already-resolved promise.
    try {
      this.#assertLive();
      const cache = this.#cache;
      // Keys past maxStale in an outage end every verdict made with them, cached ones included.
      if (cache !== null && typeof token === 'string' && !this.#tooStale()) {
        const key = this.#cacheKey(options);
        const hit = cache.get(token, key);
        if (hit !== undefined) return Promise.resolve(hit);
        return cache.joinUnderway(token, key) ?? this.#validateAndRemember(cache, token, options, key);
      }
      return this.#validate(token, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #validateAndRemember(cache: TokenCache, token: string, options: ValidationOptionsInput | undefined, key: string): Promise<ValidationResult> {
    const generation = cache.generation;
    return cache.validateAndRemember(token, key, generation, this.#validate(token, options), this.#live);
  }

  readonly #live = (): boolean => !this.#destroyed;

  /**
   * Not an async function: its frame and awaits left ~0.3 KB more garbage per call than one then()
   * (heap sampling, one validation in flight: 2.5 → 2.2 KB per validation), and with validations on
   * both cores the young-generation GC's helper threads take CPU time from them.
   */
  #validate(token: string, options: ValidationOptionsInput | undefined): Promise<ValidationResult> {
    let request: ValidationRequest;
    let pending: Promise<Verdict>;
    try {
      request = this.#request(options);
      assertTokenType(token);
      if (this.#tooStale()) return Promise.resolve(fetchFailed(TOO_STALE));
      pending = this.#run(this.#choose(token, request), token, request);
    } catch (error) {
      return Promise.reject(error);
    }
    return pending.then((verdict) =>
      verdict.keyMiss && !this.#keyMissSettled(verdict) ? this.#afterKeyMiss(verdict, token, request) : toResult(verdict),
    );
  }

  /**
   * A kid the keys lack whose refetch is throttled (remembered as unknown, or within the cooldown with
   * no fetch under way) is refused at once: a flood of such tokens skips #afterKeyMiss's round trip
   * (three async frames: ~1.3 KB of garbage and ~1 µs per token, bench/README.md).
   */
  #keyMissSettled(missed: Verdict): boolean {
    return this.#snapshot !== null && this.#manager.unknownKidSettled(missed.keyMiss?.kid ?? null);
  }

  /** A kid the keys lack: fetch (throttled) and validate again when new keys came. */
  async #afterKeyMiss(missed: Verdict, token: string, request: ValidationRequest): Promise<ValidationResult> {
    const outcome = await this.#loadKeys(missed.keyMiss?.kid ?? null);
    this.#assertLive();
    if (outcome.kind === 'failed') return fetchFailed(outcome.message);
    // Chosen again: with the new keys 'auto' may now send the token to the native backend.
    return toResult(outcome.kind === 'loaded' ? await this.#run(this.#choose(token, request), token, request) : missed);
  }

  /**
   * Synchronous validation with the keys already loaded (`await client.ready()` first). Without keys
   * it answers JWKS_FETCH_FAILED and starts loading them; an unknown kid starts a throttled refetch.
   */
  validateTokenSync(token: string, options?: ValidationOptionsInput): ValidationResult {
    this.#assertLive();
    const cache = this.#cache;
    if (cache !== null && typeof token === 'string' && !this.#tooStale()) {
      const key = this.#cacheKey(options);
      const hit = cache.get(token, key);
      if (hit !== undefined) return hit;
      const generation = cache.generation;
      const result = this.#validateSync(token, options);
      cache.set(token, key, result, generation);
      return result;
    }
    return this.#validateSync(token, options);
  }

  #validateSync(token: string, options: ValidationOptionsInput | undefined): ValidationResult {
    const request = this.#request(options);
    assertTokenType(token);
    if (this.#tooStale()) return fetchFailed(TOO_STALE);
    const backend = this.#choose(token, request);
    const verdict = this.#runSync(backend, token, request);
    if (verdict.keyMiss) {
      if (this.#snapshot === null) {
        this.#background(this.#manager.ready());
        return fetchFailed('JWKS not loaded yet; await client.ready() before validateTokenSync()');
      }
      if (!this.#keyMissSettled(verdict)) this.#background(this.#manager.handleUnknownKid(verdict.keyMiss.kid));
    }
    return toResult(verdict);
  }

  /**
   * Reads the claims WITHOUT VERIFYING THE TOKEN: no signature, expiry or issuer check. Anyone can
   * forge its input. Never base an access decision on it; use validateAndExtract for that.
   * Returns null for a malformed token.
   */
  extractPayload(token: string): TokenPayload | null {
    this.#assertLive();
    return extractTokenPayload(token);
  }

  /** Validates, then returns the payload only when the token is valid (null otherwise). */
  async validateAndExtract(token: string, options?: ValidationOptionsInput): Promise<{ result: ValidationResult; payload: TokenPayload | null }> {
    const result = await this.validateToken(token, options);
    return { result, payload: result.valid ? extractTokenPayload(token) : null };
  }

  /**
   * Sets one option by its native name (`cache_duration`, `auto_refresh`, `request_timeout`,
   * `client_id`, `client_secret`, `exchange_idps`, `token_endpoint`, `oauth_authorize_url`,
   * `oauth_token_url`, `server_url`). Throws GopherAuthException with the native code: unknown name
   * → INVALID_PARAMETER "Unknown option: X"; unparsable value → INVALID_CONFIG.
   */
  setOption(name: string, value: string | number | boolean): void {
    this.#assertLive();
    const change = parseOption(name, value);
    if (change.kind === 'stored') {
      this.#stored.set(change.name, change.value);
      return;
    }
    this.#managerOptions = { ...this.#managerOptions, ...change.patch };
    // The manager's settings are fixed at construction: swap in a new one that takes over the keys
    // (and refreshes them under the new settings); backends keep their keys meanwhile.
    this.#unsubscribe();
    const previous = this.#manager;
    this.#manager = new JwksManager(this.#jwksUri, this.#managerOptions);
    this.#unsubscribe = this.#manager.subscribe((snapshot) => this.#deliver(snapshot));
    this.#manager.takeOver(previous);
    previous.destroy();
  }

  /** An option stored with setOption that validation does not use (client_id, server_url, ...). */
  getOption(name: NativeOptionName): string | undefined {
    this.#assertLive();
    return this.#stored.get(name);
  }

  isDestroyed(): boolean {
    return this.#destroyed;
  }

  /** Idempotent. Stops JWKS timers and frees backend resources; later use throws. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    leaveCensus(this, this.#censusKey);
    this.#unsubscribe();
    this.#manager.destroy();
    this.#clients?.native?.destroy();
    this.#clients?.js.destroy();
    this.#clients = null;
    this.#snapshot = null;
    this.#source = null;
    this.#cache?.clear();
  }

  [Symbol.dispose](): void {
    this.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.destroy();
  }

  /**
   * The backends keep the last key set they were given; the manager alone knows its age. Past
   * maxStale (endpoint failing) no token is accepted on those keys. usable() also schedules the retry.
   */
  #tooStale(): boolean {
    return this.#manager.current() !== null && this.#manager.usable() === null;
  }

  #assertLive(): void {
    if (this.#destroyed) {
      throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'GopherAuthClient used after destroy()');
    }
  }

  #backends(): BackendClients {
    if (this.#clients === null) {
      this.#clients = createBackendClients(
        this.#mode,
        { jwksUri: this.#jwksUri, issuer: this.#issuer },
        { js: jsBackend, native: nativeBackend },
        this.#logger,
      );
      if (this.#snapshot !== null) this.#handDown(this.#clients, this.#snapshot);
    }
    return this.#clients;
  }

  #deliver(source: JwksSnapshot): void {
    if (this.#destroyed || source === this.#source) return;
    this.#source = source;
    // Re-versioned so versions keep increasing across manager swaps (setOption).
    this.#snapshot = Object.freeze({ keys: source.keys, json: source.json, fetchedAt: source.fetchedAt, version: ++this.#deliveries });
    this.#cache?.setKeys(this.#snapshot);
    if (this.#clients !== null) this.#handDown(this.#clients, this.#snapshot);
  }

  #handDown(clients: BackendClients, snapshot: JwksSnapshot): void {
    clients.js.setKeys(snapshot);
    if (clients.native === null) return;
    try {
      clients.native.setKeys(snapshotForNative(snapshot));
    } catch (error) {
      this.#logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'gopher-auth: native backend refused the key set');
    }
  }

  #request(options: ValidationOptionsInput | undefined): ValidationRequest {
    if (options === undefined || options === null) return this.#defaultRequest;
    const opts = options instanceof GopherValidationOptions ? options : toValidationOptions(options);
    const scopes = opts.scopes.length > 0 ? opts.scopes : undefined;
    const audience = opts.audience;
    const clockSkew = opts.clockSkew ?? this.#resolved.clockSkew;
    // Callers repeat the same options (often a fresh object literal per call): the same frozen
    // request is reused, so the verify workers get it once per batch instead of once per token.
    const last = this.#lastRequest;
    if (last !== null && last.audience === audience && last.clockSkew === clockSkew && sameScopes(last.scopes, scopes)) return last;
    const request: ValidationRequest = Object.freeze({ issuer: this.#issuer, audience, scopes: scopes && Object.freeze([...scopes]), clockSkew, algorithms: this.#resolved.algorithms, ...this.#policy });
    this.#lastRequest = request;
    return request;
  }

  #cacheKey(options: ValidationOptionsInput | undefined): string {
    if (options === undefined || options === null) return this.#defaultCacheKey;
    if (!(options instanceof GopherValidationOptions)) return optionsKey(this.#request(options));
    const scopes = options.scopes;
    const audience = options.audience;
    const clockSkew = options.clockSkew ?? this.#resolved.clockSkew;
    const memo = this.#cacheKeys.get(options);
    if (memo !== undefined && memo.scopes === scopes && memo.audience === audience && memo.clockSkew === clockSkew) return memo.key;
    const key = optionsKey({ scopes, audience, clockSkew });
    this.#cacheKeys.set(options, { scopes, audience, clockSkew, key });
    return key;
  }

  #choose(token: string, request: ValidationRequest): BackendClient {
    const clients = this.#backends();
    if (clients.native === null) return clients.js;
    const header = peekHeader(token);
    if (header === null) return pickClient(clients, this.#mode, null, request.algorithms);
    // Only a plain header's kid: the library may read another kid than this parse in any other.
    const keysLackKid = this.#mode === 'auto' && header.plain && header.kid !== null && this.#lacksKid(header.kid);
    return pickClient(clients, this.#mode, header.alg, request.algorithms, keysLackKid);
  }

  /** Whether the keys this client holds have no key with `kid` (false before any keys). */
  #lacksKid(kid: string): boolean {
    const snapshot = this.#snapshot;
    if (snapshot === null) return false;
    let kids = this.#kids;
    if (kids === null || kids.snapshot !== snapshot) {
      kids = { snapshot, kids: new Set(snapshot.keys.map((key) => key.kid)) };
      this.#kids = kids;
    }
    return !kids.kids.has(kid);
  }

  #run(backend: BackendClient, token: string, request: ValidationRequest): Promise<Verdict> {
    if (backend.backend === 'js' || backend.reserve === undefined) return backend.validate(token, request);
    // Reserved now: a call deferred to a later turn is still answered if destroy() comes first.
    return nativeWorkSharing.run(new NativeValidation(backend, backend.reserve(), token, request, this.#snapshot, this.#nativeContext));
  }

  #runSync(backend: BackendClient, token: string, request: ValidationRequest): Verdict {
    if (backend.backend === 'js') return backend.validateSync(token, request);
    return this.#recheck(backend.validateSync(token, nativeRequest(request)), token, request, this.#snapshot);
  }

  /** What a NativeValidation needs from this client, made once (no closures per call). */
  readonly #nativeContext: NativeContext = {
    snapshot: () => this.#snapshot,
    recheck: (native, token, request, snapshot) => this.#recheck(native, token, request, snapshot),
  };

  /** The native library misreads some claims (see docs/api.md): its "valid" is re-checked in JS. */
  #recheck(native: Verdict, token: string, request: ValidationRequest, snapshot: JwksSnapshot | null): Verdict {
    if (!native.valid) return this.#secondOpinion(native, token, request, snapshot);
    const verdict = recheckAccepted(token, request, snapshot);
    if (!verdict.keyMiss) return verdict;
    // A rotation landed while the call waited on the pool: the library verified with keys newer
    // than `snapshot`. Which key it used is unknown here, so the JS backend decides the whole
    // token, signature included, on the current keys.
    const clients = this.#clients;
    if (clients !== null && this.#snapshot !== null && this.#snapshot !== snapshot) {
      const js = clients.js.validateSync(token, request);
      if (!js.keyMiss) return js;
    }
    return { valid: false, code: verdict.code, message: verdict.message };
  }

  /**
   * The native parser also rejects some well-formed RS* tokens the JS backend accepts (JSON escapes
   * in names or values, exponent NumericDates, a nested claim before the top-level one, a second key
   * with the same kid): JS decides those, so every backend gives the same verdict. Where the native
   * library may have misread a token, or read it leniently (padding, standard base64, duplicate
   * names: it reports a bad signature or the first of two claims), its code is not the check order's
   * either: the JS reason is given. A well-formed token both refuse keeps the native code, except
   * INVALID_KEY, the native answer for a key its key set left out (native-key-set.ts).
   * Evidence: test/vectors (every backend, one code per single defect).
   */
  #secondOpinion(native: Verdict, token: string, request: ValidationRequest, snapshot: JwksSnapshot | null): Verdict {
    const clients = this.#clients;
    if (clients === null) return native;
    if (native.keyMiss) {
      // The library may lack a key the JS backend has (left out of the native key set, or named
      // by a nested kid it read first): a key miss is the JS backend's to decide when it has keys.
      if (snapshot === null) return native;
      const js = clients.js.validateSync(token, request);
      return js.keyMiss ? native : js;
    }
    if (!SECOND_OPINION_CODES.has(native.code)) return native;
    const structural = structuralRefusal(token, request);
    if (structural !== null) return structural;
    // INVALID_KEY: also the answer for a key left out of the native key set (native-key-set.ts).
    if (native.code !== GopherAuthError.INVALID_KEY && !nativeMayMisread(token, snapshot) && !nativeRulesMayDiffer(request)) return native;
    const alg = peekHeaderAlg(token);
    if (alg === null || clients.nativeBackend === null || !clients.nativeBackend.supportsAlgorithm(alg)) return native;
    const js = clients.js.validateSync(token, request);
    // A JS key miss on a token the library may have misread: the library stopped at a claim it
    // misread before reaching the key, so the key miss is the answer (and brings the refetch).
    return js.keyMiss && native.code === GopherAuthError.INVALID_KEY ? native : js;
  }

  async #loadKeys(kid: string | null): Promise<{ kind: 'loaded' | 'unchanged' } | { kind: 'failed'; message: string }> {
    if (this.#snapshot === null) {
      try {
        this.#deliver(await this.#onManager((manager) => manager.ready()));
        return { kind: 'loaded' };
      } catch (error) {
        return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
      }
    }
    const fresh = await this.#onManager((manager) => manager.handleUnknownKid(kid));
    if (fresh === null) return { kind: 'unchanged' };
    this.#deliver(fresh);
    return { kind: 'loaded' };
  }

  #background(pending: Promise<JwksSnapshot | null>): void {
    pending.then(
      (snapshot) => {
        if (snapshot) this.#deliver(snapshot);
      },
      (error: unknown) => {
        if (!this.#destroyed) this.#logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'gopher-auth: background JWKS load failed');
      },
    );
  }
}

/** Native rejection codes its claim and header parser can produce for tokens that are in fact valid. */
const SECOND_OPINION_CODES: ReadonlySet<GopherAuthError> = new Set([
  GopherAuthError.INVALID_TOKEN,
  GopherAuthError.EXPIRED_TOKEN,
  GopherAuthError.INVALID_SIGNATURE,
  GopherAuthError.INVALID_ISSUER,
  GopherAuthError.INVALID_AUDIENCE,
  GopherAuthError.INVALID_KEY,
]);

function toValidationOptions(init: Exclude<ValidationOptionsInput, GopherValidationOptions>): GopherValidationOptions {
  if (typeof init !== 'object') {
    throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'validation options must be an object or GopherValidationOptions');
  }
  const opts = new GopherValidationOptions();
  if (init.scopes !== undefined) opts.setScopes(init.scopes);
  if (init.audience !== undefined) opts.setAudience(init.audience);
  if (init.clockSkew !== undefined) opts.setClockSkew(init.clockSkew);
  return opts;
}

function sameScopes(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function assertTokenType(token: unknown): asserts token is string {
  if (typeof token !== 'string') {
    throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, `token must be a string, got ${token === null ? 'null' : typeof token}`);
  }
}

function toResult(verdict: Verdict): ValidationResult {
  // Messages can quote the token (its kid, its alg) or the native library quoting it: made safe to log.
  return validationResult(verdict.valid, verdict.code, verdict.valid || verdict.message === null ? null : logSafe(verdict.message));
}

const TOO_STALE = 'JWKS keys are older than maxStale and the endpoint is failing';

/** `reason` is one of ours or a JwksFetchError's, already escaped and cut to fit with the prefix. */
function fetchFailed(reason: string): ValidationResult {
  return validationResult(false, GopherAuthError.JWKS_FETCH_FAILED, `${FETCH_FAILED_PREFIX}${reason}`);
}
