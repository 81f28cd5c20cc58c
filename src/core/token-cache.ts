/**
 * The verified-token cache: verdicts keyed by the exact token string and the validation options, so
 * a client that sends the same bearer token on every request costs a Map lookup, not a signature
 * check. One cache per GopherAuthClient, so the issuer, algorithm allow-list and backend mode (fixed
 * per client) are implicitly part of every key.
 *
 * Rules: a valid verdict lives until the earliest of `ttl` and the token's `exp` (never into the
 * clock-skew grace after exp); a refusal lives `failureTtl` at most, and refusals that depend on the
 * key set or the network are never cached; when the key set changes, entries verified with a key that
 * is gone or changed are dropped, as are all refusals; least recently used tokens go first.
 */
import type { Jwk, JwksSnapshot } from '../backends/types.js';
import { unknownKey, unknownKeyMessage } from './known-keys.js';
import { GopherAuthError, GopherAuthException } from './errors.js';
import { validationResult, type ValidationResult } from './result.js';

export interface TokenCacheOptions {
  /** Most distinct tokens kept (each with verdicts for up to 8 option sets); the least recently used goes first. Default 10,000. */
  maxEntries?: number;
  /** Longest a valid verdict is reused, in seconds; never past the token's `exp`. Default 300. */
  ttl?: number;
  /** Longest a refusal (bad signature, expired, wrong audience, ...) is reused, in seconds. Default 5; 0 = never. */
  failureTtl?: number;
}

export interface TokenCacheStats {
  hits: number;
  misses: number;
  /** Entries pushed out by the LRU bound (not expiries or key-set drops). */
  evictions: number;
  /** Entries dropped because their key left or changed in the JWKS. */
  keyDrops: number;
  /** Distinct tokens cached now. */
  size: number;
  maxEntries: number;
  /** Misses answered by a validation of the same token and options already under way. */
  joined: number;
}

export const DEFAULT_TOKEN_CACHE_MAX_ENTRIES = 10_000;
export const DEFAULT_TOKEN_CACHE_TTL_SECONDS = 300;
export const DEFAULT_TOKEN_CACHE_FAILURE_TTL_SECONDS = 5;
/**
 * Longer tokens are validated every time. Bounds memory (maxEntries × this), and V8 hashes strings
 * longer than 16,383 characters by length only, which would turn Map lookups into long collision chains.
 */
export const MAX_CACHED_TOKEN_LENGTH = 8192;
/** Option sets remembered per token (a server normally validates a token one or two ways). */
const MAX_VARIANTS_PER_TOKEN = 8;

/** Refusals that a new key set or a working network could turn around: never cached. */
const UNCACHEABLE = new Set<GopherAuthError>([
  GopherAuthError.JWKS_FETCH_FAILED,
  GopherAuthError.NETWORK_ERROR,
  GopherAuthError.INVALID_KEY,
  GopherAuthError.INVALID_CONFIG,
  GopherAuthError.OUT_OF_MEMORY,
  GopherAuthError.INVALID_PARAMETER,
  GopherAuthError.NOT_INITIALIZED,
  GopherAuthError.INTERNAL_ERROR,
]);

interface Variant {
  optionsKey: string;
  valid: boolean;
  errorCode: GopherAuthError;
  errorMessage: string | null;
  /** ms since the epoch (the cache's clock). Until `bounded`, only the TTL's end. */
  expiresAt: number;
  /**
   * Whether a valid verdict's end includes the token's exp (and iat + maxTokenAge). They are read
   * from the token on its first hit, not when it is stored: a busy server sees most tokens once,
   * and reading the payload again costs about as much as the rest of a cache miss together.
   */
  bounded: boolean;
}

interface Slot {
  token: string;
  /** The token's `kid`; null when it names none (then any key change drops it). */
  kid: string | null;
  variants: Variant[];
  /** When it last moved to the recent end of the LRU order (ms). */
  touchedAt: number;
  /** Its neighbours in the LRU order (see TokenCache.#oldest). */
  older: Slot | undefined;
  newer: Slot | undefined;
}

interface Underway {
  readonly key: string;
  /** The key-set generation it started under: only a call under the same one may join it. */
  readonly generation: number;
  pending: Promise<ValidationResult>;
  next: Underway | undefined;
}

/**
 * A hit moves its token to the recent end at most this often: the LRU order is exact to this
 * granularity, and a hot token costs one Map lookup instead of a delete and a re-insert per hit.
 */
const TOUCH_INTERVAL_MS = 1000;
/** Slots the expiry hand looks at per new token: two per one added keeps up with any insertion rate. */
const SWEEP_STEP = 2;

/** Options as the cache needs them: a number, a string, a list; `optionsKey` turns them into a key. */
export interface CacheableOptions {
  readonly scopes?: readonly string[] | undefined;
  readonly audience?: string | undefined;
  readonly clockSkew: number;
}

/** An unambiguous key for one set of validation options (JSON keeps `['a b']` apart from `['a','b']`). */
export function optionsKey(options: CacheableOptions): string {
  const scopes = options.scopes !== undefined && options.scopes.length > 0 ? options.scopes : null;
  return JSON.stringify([options.clockSkew, options.audience ?? null, scopes]);
}

// Every key of TokenCacheOptions, and only those: the compiler refuses the list when the type changes.
const TOKEN_CACHE_OPTION_KEYS: ReadonlySet<string> = new Set(Object.keys({ maxEntries: true, ttl: true, failureTtl: true } satisfies Record<keyof TokenCacheOptions, true>));

export function resolveTokenCacheOptions(input: boolean | TokenCacheOptions | undefined): Required<TokenCacheOptions> | null {
  if (input === undefined || input === false) return null;
  const options = input === true ? {} : input;
  if (options === null || typeof options !== 'object') {
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, 'tokenCache must be true, false or an options object');
  }
  const unknown = unknownKey(options, TOKEN_CACHE_OPTION_KEYS);
  if (unknown !== null) refuse(unknownKeyMessage('tokenCache option', unknown));
  const maxEntries = options.maxEntries ?? DEFAULT_TOKEN_CACHE_MAX_ENTRIES;
  const ttl = options.ttl ?? DEFAULT_TOKEN_CACHE_TTL_SECONDS;
  const failureTtl = options.failureTtl ?? DEFAULT_TOKEN_CACHE_FAILURE_TTL_SECONDS;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) refuse(`tokenCache.maxEntries must be a positive integer, got ${String(maxEntries)}`);
  if (typeof ttl !== 'number' || !(ttl > 0) || !Number.isFinite(ttl)) refuse(`tokenCache.ttl must be a positive number of seconds, got ${String(ttl)}`);
  if (typeof failureTtl !== 'number' || !(failureTtl >= 0) || !Number.isFinite(failureTtl)) {
    refuse(`tokenCache.failureTtl must be a non-negative number of seconds, got ${String(failureTtl)}`);
  }
  return { maxEntries, ttl, failureTtl };
}

function refuse(message: string): never {
  throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, message);
}

function copyResult(result: ValidationResult): ValidationResult {
  return validationResult(result.valid, result.errorCode, result.errorMessage);
}

export class TokenCache {
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #failureTtlMs: number;
  readonly #now: () => number;
  readonly #slots = new Map<string, Slot>();
  /**
   * The LRU order as a list through the slots. Not the Map's insertion order: finding a Map's first
   * entry walks past every entry deleted since the Map last compacted, which made each eviction
   * cost hundreds of steps.
   */
  #oldest: Slot | undefined;
  #newest: Slot | undefined;
  /**
   * Where the next look for expired entries starts: a hand walking the list from oldest to newest,
   * SWEEP_STEP slots per new token. Without it an expired entry stayed until pushed out, so a flood
   * of refused 8 KB tokens (remembered 5 s) pinned ~90 MB for good.
   */
  #sweep: Slot | undefined;
  /** The slot evicted last, reused for the next new token (see #newSlot); nothing else refers to it. */
  #spare: Slot | undefined;
  /** kid → the JSON of the key(s) carrying it in the current key set; null before the first set. */
  /** Fingerprint per kid; keys without one (or with kid "") under null. */
  #keys: Map<string | null, string> | null = null;
  /** Increases whenever the key set changes; a validation that straddled a change is not cached. */
  #generation = 0;
  /** Validations under way, per token (a list, one per options key): a burst of one token is validated once. */
  readonly #underway = new Map<string, Underway>();
  #joined = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #keyDrops = 0;

  readonly #maxTokenAgeMs: number | undefined;

  /** `maxTokenAge` (s): the client's bound on `now - iat`; a valid verdict never outlives it. */
  constructor(options: TokenCacheOptions = {}, now: () => number = Date.now, maxTokenAge?: number) {
    this.#maxTokenAgeMs = maxTokenAge === undefined ? undefined : maxTokenAge * 1000;
    const resolved = resolveTokenCacheOptions(options) as Required<TokenCacheOptions>;
    this.#maxEntries = resolved.maxEntries;
    this.#ttlMs = resolved.ttl * 1000;
    this.#failureTtlMs = resolved.failureTtl * 1000;
    this.#now = now;
  }

  /** The cached result for this token and options key, or undefined. A fresh object on every hit. */
  get(token: string, key: string): ValidationResult | undefined {
    const slot = this.#slots.get(token);
    if (slot !== undefined) {
      const variants = slot.variants;
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[i] as Variant;
        if (variant.optionsKey !== key) continue;
        if (!variant.bounded) this.#bound(token, variant);
        const now = this.#now();
        if (now < variant.expiresAt) {
          this.#hits++;
          if (now - slot.touchedAt >= TOUCH_INTERVAL_MS) this.#touch(slot, now);
          return validationResult(variant.valid, variant.errorCode, variant.errorMessage);
        }
        variants.splice(i, 1);
        if (variants.length === 0) this.#remove(slot);
        break;
      }
    }
    this.#misses++;
    return undefined;
  }

  get generation(): number {
    return this.#generation;
  }

  /**
   * Remembers a final result (after any key reload) when the rules allow it. `generation`: the value
   * of `generation` when the validation started; when the key set changed since, nothing is cached.
   */
  set(token: string, key: string, result: ValidationResult, generation = this.#generation): void {
    if (token.length > MAX_CACHED_TOKEN_LENGTH || generation !== this.#generation) return;
    const now = this.#now();
    let expiresAt: number;
    let kid: string | null;
    if (result.valid) {
      const readKid = tokenKid(token);
      if (readKid === undefined || this.#keys === null) return;
      kid = readKid;
      // A validation that finished after its key left the key set must not outlive that change.
      if (kid !== null && !this.#keys.has(kid)) return;
      expiresAt = now + this.#ttlMs;
    } else {
      if (this.#failureTtlMs === 0 || UNCACHEABLE.has(result.errorCode)) return;
      // A token refused before its nbf (or, with maxTokenAge, its iat) may be valid within the
      // failure TTL: not remembered.
      if (result.errorCode === GopherAuthError.INVALID_TOKEN && startsLater(token, now, this.#maxTokenAgeMs !== undefined)) return;
      kid = null;
      expiresAt = now + this.#failureTtlMs;
    }
    if (!(expiresAt > now)) return;
    const slot = this.#slots.get(token);
    if (slot === undefined) {
      const added = this.#newSlot(token, kid, now);
      fillVariant(added.variants[0] as Variant, key, result, expiresAt);
      this.#slots.set(token, added);
      this.#append(added);
      this.#evictOverflow();
      this.#sweepExpired(now);
      return;
    }
    const variant = fillVariant(blankVariant(), key, result, expiresAt);
    const variants = slot.variants.filter((v) => v.optionsKey !== key);
    variants.push(variant);
    if (variants.length > MAX_VARIANTS_PER_TOKEN) variants.shift();
    slot.variants = variants;
    this.#touch(slot, now);
  }

  /**
   * A new key set: drops refusals and entries whose key is gone or changed (and, when any key
   * changed, entries of tokens without a kid, whose verifying key is unknown).
   */
  setKeys(snapshot: JwksSnapshot): void {
    const next = keyFingerprints(snapshot.keys);
    const previous = this.#keys;
    this.#keys = next;
    if (previous === null) {
      // No earlier keys: nothing validated so far can have used a key that is now gone.
      this.#dropWhere(() => false);
      return;
    }
    const changed = new Set<string | null>();
    for (const [kid, fingerprint] of previous) if (next.get(kid) !== fingerprint) changed.add(kid);
    for (const kid of next.keys()) if (!previous.has(kid)) changed.add(kid);
    if (changed.size === 0) return;
    this.#generation++;
    this.#dropWhere((slot) => slot.kid === null || changed.has(slot.kid));
  }

  clear(): void {
    this.#slots.clear();
    this.#oldest = this.#newest = this.#sweep = undefined;
  }

  stats(): TokenCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      keyDrops: this.#keyDrops,
      size: this.#slots.size,
      maxEntries: this.#maxEntries,
      joined: this.#joined,
    };
  }

  /** The result of a validation of this token with these options already under way (a copy), or undefined. */
  joinUnderway(token: string, key: string): Promise<ValidationResult> | undefined {
    for (let entry = this.#underway.get(token); entry !== undefined; entry = entry.next) {
      // One started before a key change is decided on the old keys: a call after the change (a
      // retired key's token, say) must be decided on the new ones.
      if (entry.key !== key || entry.generation !== this.#generation) continue;
      this.#joined++;
      return entry.pending.then(copyResult);
    }
    return undefined;
  }

  /**
   * The result of `validate` (started when `generation` was current), remembered when it settles
   * (see set) unless `live()` is false by then (the client was destroyed meanwhile). Until it
   * settles, calls with the same token and options join it (joinUnderway).
   */
  validateAndRemember(token: string, key: string, generation: number, validate: Promise<ValidationResult>, live: () => boolean): Promise<ValidationResult> {
    if (token.length > MAX_CACHED_TOKEN_LENGTH) return validate;
    const entry: Underway = { key, generation, pending: validate, next: this.#underway.get(token) };
    this.#underway.set(token, entry);
    entry.pending = validate.then(
      (result) => {
        this.#settled(token, entry);
        if (live()) this.set(token, key, result, generation);
        return result;
      },
      (error: unknown) => {
        this.#settled(token, entry);
        throw error;
      },
    );
    return entry.pending;
  }

  #settled(token: string, settled: Underway): void {
    let previous: Underway | undefined;
    for (let entry = this.#underway.get(token); entry !== undefined; previous = entry, entry = entry.next) {
      if (entry !== settled) continue;
      if (previous !== undefined) previous.next = entry.next;
      else if (entry.next !== undefined) this.#underway.set(token, entry.next);
      else this.#underway.delete(token);
      return;
    }
  }

  /** Ends a valid verdict no later than the token's exp and iat + maxTokenAge (at once when unreadable). */
  #bound(token: string, variant: Variant): void {
    variant.bounded = true;
    const times = readTokenTimes(token);
    let end = times === null ? 0 : Math.min(variant.expiresAt, times.exp * 1000);
    if (this.#maxTokenAgeMs !== undefined) end = times?.iat == null ? 0 : Math.min(end, times.iat * 1000 + this.#maxTokenAgeMs);
    variant.expiresAt = end;
  }

  #evictOverflow(): void {
    while (this.#slots.size > this.#maxEntries && this.#oldest !== undefined) {
      const evicted = this.#oldest;
      this.#remove(evicted);
      this.#spare = evicted;
      this.#evictions++;
    }
  }

  /**
   * A slot with one (unfilled) variant for a new token: the slot evicted last when there is one.
   * A full cache then allocates nothing per miss. An entry lives for about maxEntries misses, long
   * enough for the young-generation GC to copy and promote it: with fresh entries a miss into a full
   * cache cost 1.6–2.0 µs, with reused ones 0.55–0.75 µs (bench/cache.ts).
   */
  #newSlot(token: string, kid: string | null, now: number): Slot {
    const spare = this.#spare;
    if (spare === undefined) return { token, kid, variants: [blankVariant()], touchedAt: now, older: undefined, newer: undefined };
    this.#spare = undefined;
    spare.token = token;
    spare.kid = kid;
    spare.touchedAt = now;
    if (spare.variants.length === 0) spare.variants.push(blankVariant());
    else spare.variants.length = 1;
    return spare;
  }

  #dropWhere(predicate: (slot: Slot) => boolean): void {
    for (const slot of this.#slots.values()) {
      if (predicate(slot)) {
        this.#remove(slot);
        if (slot.variants.some((v) => v.valid)) this.#keyDrops++;
        continue;
      }
      // Refusals may turn around with new keys (a signature that now verifies).
      const kept = slot.variants.filter((v) => v.valid);
      if (kept.length === 0) this.#remove(slot);
      else slot.variants = kept;
    }
  }

  /** Links a slot (not in the list) in as the most recently used. */
  #append(slot: Slot): void {
    slot.older = this.#newest;
    slot.newer = undefined;
    if (this.#newest !== undefined) this.#newest.newer = slot;
    else this.#oldest = slot;
    this.#newest = slot;
  }

  /** Looks at the next SWEEP_STEP slots of the hand's walk and drops those whose every verdict has ended. */
  #sweepExpired(now: number): void {
    for (let n = 0; n < SWEEP_STEP; n++) {
      const slot = this.#sweep ?? this.#oldest;
      if (slot === undefined) return;
      this.#sweep = slot.newer;
      if (slot.variants.every((variant) => variant.expiresAt <= now)) this.#remove(slot);
    }
  }

  #unlink(slot: Slot): void {
    if (this.#sweep === slot) this.#sweep = slot.newer;
    if (slot.older !== undefined) slot.older.newer = slot.newer;
    else this.#oldest = slot.newer;
    if (slot.newer !== undefined) slot.newer.older = slot.older;
    else this.#newest = slot.older;
    slot.older = slot.newer = undefined;
  }

  #touch(slot: Slot, now: number): void {
    slot.touchedAt = now;
    if (slot === this.#newest) return;
    this.#unlink(slot);
    this.#append(slot);
  }

  #remove(slot: Slot): void {
    this.#slots.delete(slot.token);
    this.#unlink(slot);
  }
}

function blankVariant(): Variant {
  return { optionsKey: '', valid: false, errorCode: GopherAuthError.SUCCESS, errorMessage: null, expiresAt: 0, bounded: false };
}

/** A valid verdict's end is bounded by the token's times on its first hit (Variant.bounded). */
function fillVariant(variant: Variant, key: string, result: ValidationResult, expiresAt: number): Variant {
  variant.optionsKey = key;
  variant.valid = result.valid;
  variant.errorCode = result.errorCode;
  variant.errorMessage = result.errorMessage;
  variant.expiresAt = expiresAt;
  variant.bounded = !result.valid;
  return variant;
}

/**
 * What each kid's keys are. Keys without a kid count too (under null): replacing the only,
 * kid-less key is a rotation like any other, and must end the verdicts made with the old one.
 */
function keyFingerprints(keys: readonly Jwk[]): Map<string | null, string> {
  const map = new Map<string | null, string>();
  for (const key of keys) {
    const kid = typeof key.kid === 'string' && key.kid !== '' ? key.kid : null;
    const json = JSON.stringify(key);
    const seen = map.get(kid);
    map.set(kid, seen === undefined ? json : `${seen}\n${json}`);
  }
  return map;
}

/**
 * The whole-second `exp` and the `iat` of a token that validated, or null. The backend already
 * parsed it strictly (duplicate names refused), so plain JSON.parse reads the same values.
 */
function readTokenTimes(token: string): { exp: number; iat: number | null } | null {
  const payload = tokenPayload(token);
  const exp = payload?.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return null;
  const iat = payload?.iat;
  return { exp: Math.trunc(exp), iat: typeof iat === 'number' && Number.isFinite(iat) ? iat : null };
}

/** The header's kid of a token that validated (null when none), or undefined when unreadable. */
function tokenKid(token: string): string | null | undefined {
  const dot1 = token.indexOf('.');
  return dot1 <= 0 ? undefined : headerKid(token.slice(0, dot1));
}

/**
 * Whether the token's payload has an nbf (or, when `iatCounts`, an iat) still in the future, or
 * passed less than STARTED_MARGIN_MS ago. The checks compare whole seconds (a fractional nbf counts
 * from the next second), and a refusal is stored a little after it was decided: without the margin a
 * "not yet valid" refusal could be kept for the failure TTL after the token became valid.
 */
function startsLater(token: string, nowMs: number, iatCounts: boolean): boolean {
  const payload = tokenPayload(token);
  const ahead = (time: unknown): boolean => typeof time === 'number' && Math.ceil(time) * 1000 > nowMs - STARTED_MARGIN_MS;
  return ahead(payload?.nbf) || (iatCounts && ahead(payload?.iat));
}

const STARTED_MARGIN_MS = 2000;

/** The token's payload as plain JSON.parse reads it, or null when the token or its payload is unreadable. */
function tokenPayload(token: string): Record<string, unknown> | null {
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  return dot1 <= 0 || dot2 <= dot1 ? null : parseSegment(token.slice(dot1 + 1, dot2));
}

/** An issuer reuses a handful of headers: their kids are remembered by header text. */
const headerKids = new Map<string, string | null>();
const HEADER_KIDS_LIMIT = 64;

/** The header's kid (null when none), or undefined when the header does not parse. */
function headerKid(segment: string): string | null | undefined {
  let kid = headerKids.get(segment);
  if (kid !== undefined) return kid;
  const header = parseSegment(segment);
  if (header === null) return undefined;
  kid = typeof header.kid === 'string' && header.kid !== '' ? header.kid : null;
  if (headerKids.size >= HEADER_KIDS_LIMIT) headerKids.clear();
  headerKids.set(segment, kid);
  return kid;
}

function parseSegment(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
