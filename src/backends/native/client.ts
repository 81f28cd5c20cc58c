/** One native gopher-auth client handle behind the BackendClient seam. */
import { ERROR_TEXT, GopherAuthError, getErrorDescription } from '../codes.js';
import type { BackendCall, BackendClient, JwksSnapshot, ValidationRequest, Verdict } from '../types.js';
import { NATIVE_ALGORITHMS } from './abi.js';
import { runBounded } from './async-queue.js';
import { NativeBackendError } from './errors.js';
import { readJwtHeader, type JwtHeaderInfo } from './header.js';
import { adoptClient, type AddonClientHandle, type AddonRawResult } from './addon.js';
import { AddonBatches } from './addon-batches.js';
import type { LoadedLibrary } from './loader.js';
import { acquireNativeRuntime, releaseNativeRuntime } from './runtime.js';

/** Never contacted: native clients get keys injected and have auto_refresh off. */
export const NATIVE_NEVER_FETCHED_JWKS_URI = 'http://127.0.0.1:9/gopher-auth-native-never-fetches';
const DEFAULT_CACHE_DURATION_SECONDS = 30 * 24 * 3600;
const MAX_CACHED_OPTIONS = 32;
const RESULT_SIZE = 16;
const DEFAULT_SKEW = 60;
/** The JS backend's MAX_TOKEN_LENGTH: the re-check refuses longer tokens anyway. */
const MAX_NATIVE_TOKEN_LENGTH = 64 * 1024;
/** Every accepted token gets this one verdict (verdicts are never modified). */
const NATIVE_VALID: Verdict = Object.freeze({ valid: true, code: GopherAuthError.SUCCESS, message: null });

export interface NativeClientTuning {
  /** Native `cache_duration` (s). Keys are re-injected at 90% of it. */
  cacheDurationSeconds?: number;
  /** The JWKS URI handed to the native client; defaults to an address that is never fetched. */
  nativeJwksUri?: string;
  /** Leave native auto-refresh on (tests of the native fetch path only). */
  nativeAutoRefresh?: boolean;
}

interface OptionsHandle {
  handle: bigint | null;
  temporary: boolean;
}

/**
 * What one NativeBackendClient owns natively, kept apart from the client so that `abandoned` can
 * hold it: a registry's held value must never reach the client, or the client is never collected.
 */
interface NativeHoldings {
  readonly lib: LoadedLibrary;
  /** Every native client handle this client created and has not freed: the current one and retired ones. */
  readonly handles: Set<bigint>;
  /** The subset owned by the N-API addon (freed through it; it defers the free while its own calls run). */
  readonly adopted: Map<bigint, AddonClientHandle>;
  /** Cached validation options handles (koffi path). */
  readonly options: Map<string, bigint>;
  /** Set once everything above is freed and the runtime hold is given back: never twice. */
  released: boolean;
}

/** Frees one native client handle at most once (a handle not in `handles` is already freed). */
function freeHandle(holdings: NativeHoldings, handle: bigint): void {
  if (!holdings.handles.delete(handle)) return;
  const adopted = holdings.adopted.get(handle);
  holdings.adopted.delete(handle);
  if (adopted) adopted.destroy();
  else holdings.lib.api.fn('gopher_auth_client_destroy')(handle);
}

/** Frees everything a client holds and releases its hold on the library's init, once. */
function releaseHoldings(holdings: NativeHoldings): void {
  if (holdings.released) return;
  holdings.released = true;
  const destroyOptions = holdings.lib.api.fn('gopher_auth_validation_options_destroy');
  for (const handle of holdings.options.values()) destroyOptions(handle);
  holdings.options.clear();
  for (const handle of [...holdings.handles]) freeHandle(holdings, handle);
  holdings.lib.clearNodeOpenSslErrors();
  releaseNativeRuntime(holdings.lib);
}

/**
 * A client dropped without destroy() must not keep its native handles and its runtime hold forever.
 * Only an unreachable client gets here, and a client with a call in flight is reachable: an addon
 * call's promise (kept by the addon's napi_deferred) and a koffi `.async` call's callback (kept by a
 * strong napi_ref until it completes) both have reactions or closures that hold the client, as do
 * calls waiting in the koffi queue and reservations. So nothing runs on these handles any more.
 * Runs on the thread (isolate) that created the client; never at process exit, and not after a
 * worker thread's teardown (the addon's cleanup hook frees that thread's clients then).
 */
const abandoned = new FinalizationRegistry<NativeHoldings>((holdings) => {
  try {
    releaseHoldings(holdings);
  } catch {
    // Nothing to report to from a finalizer, and throwing here would be an uncaught exception.
  }
});

function rsaSigningKids(snapshot: JwksSnapshot): Set<string> {
  const kids = new Set<string>();
  for (const key of snapshot.keys) {
    if (key.kty === 'RSA' && (key.use === undefined || key.use === 'sig') && typeof key.kid === 'string') {
      kids.add(key.kid);
    }
  }
  return kids;
}

export class NativeBackendClient implements BackendClient {
  readonly backend = 'native' as const;
  readonly #lib: LoadedLibrary;
  readonly #issuer: string;
  readonly #tuning: Required<Omit<NativeClientTuning, 'nativeJwksUri'>> & { nativeJwksUri: string };
  readonly #validate;
  readonly #syncResult = Buffer.alloc(RESULT_SIZE);
  #handle: bigint;
  #retired: bigint[] = [];
  readonly #holdings: NativeHoldings;
  readonly #options: Map<string, bigint>;
  /** Kids of the injected RSA signing keys; null while none are injected; 'native' after a native fetch. */
  #kids: Set<string> | 'native' | null = null;
  #lastJson: string | null = null;
  #reinjectAt = Infinity;
  #inFlight = 0;
  #destroyRequested = false;
  /** Handles owned by the N-API addon when it is loaded: async validation, key swaps and frees go through it. */
  readonly #adopted: Map<bigint, AddonClientHandle>;
  readonly #batches = new AddonBatches({
    validationStarted: () => {
      this.#inFlight++;
    },
    validationFinished: () => this.#callFinished(),
    verdict: (raw, header) => this.#addonVerdict(raw, header),
  });

  constructor(library: LoadedLibrary, config: { jwksUri: string; issuer: string }, tuning: NativeClientTuning = {}) {
    this.#lib = library;
    this.#issuer = config.issuer;
    this.#tuning = {
      cacheDurationSeconds: tuning.cacheDurationSeconds ?? DEFAULT_CACHE_DURATION_SECONDS,
      nativeJwksUri: tuning.nativeJwksUri ?? NATIVE_NEVER_FETCHED_JWKS_URI,
      nativeAutoRefresh: tuning.nativeAutoRefresh ?? false,
    };
    this.#validate = library.api.fn('gopher_auth_validate_token');
    this.#holdings = { lib: library, handles: new Set(), adopted: new Map(), options: new Map(), released: false };
    this.#adopted = this.#holdings.adopted;
    this.#options = this.#holdings.options;
    acquireNativeRuntime(library);
    try {
      this.#handle = this.#createHandle();
    } catch (err) {
      releaseNativeRuntime(library);
      throw err;
    }
    // The client itself is the unregister token (held weakly); #release() unregisters.
    abandoned.register(this, this.#holdings, this);
  }

  /** Validations and reserved calls of this client not settled yet (for tests and diagnostics). */
  get inFlight(): number {
    return this.#inFlight;
  }

  isDestroyed(): boolean {
    return this.#destroyRequested;
  }

  setKeys(snapshot: JwksSnapshot): void {
    this.#assertLive('setKeys');
    this.#inject(snapshot.json, rsaSigningKids(snapshot));
  }

  validateSync(token: string, request: ValidationRequest): Verdict {
    this.#assertLive('validateSync');
    return this.#validateSyncNow(token, request);
  }

  /**
   * For a call accepted now and made later (work sharing may defer it to the next turn): the handle
   * stays alive until release(), even if destroy() comes in between, and the call then still gets
   * the library's answer. release() must be called once the call is made or abandoned.
   */
  reserve(): BackendCall {
    this.#assertLive('reserve');
    this.#inFlight++;
    return new Reservation(this.#calls);
  }

  /** What a Reservation calls: made once per client, so a reservation allocates no closures. */
  readonly #calls: ReservedCalls = {
    validateSync: (token, request) => this.#validateSyncNow(token, request),
    validate: (token, request) => this.#validateNow(token, request),
    validateBatch: (tokens, request) => this.#validateBatchNow(tokens, request),
    finished: () => this.#callFinished(),
  };

  #validateSyncNow(token: string, request: ValidationRequest): Verdict {
    const header = readJwtHeader(token);
    const early = this.#precheck(token, request, header);
    if (early) return early;
    const adopted = this.#adopted.get(this.#handle);
    if (adopted) {
      // The addon owns the handle: its lease, key lock and per-call log attribution apply here too.
      const scopes = request.scopes;
      const raw = adopted.validateSync(token, scopes === undefined ? '' : scopes.join(' '), request.audience ?? null, request.clockSkew);
      return this.#addonVerdict(raw, header);
    }
    const options = this.#optionsFor(request);
    const result = this.#syncResult;
    result.fill(0);
    let rc: number;
    try {
      rc = this.#validate(this.#handle, token, options.handle, result) as number;
    } finally {
      this.#lib.clearNodeOpenSslErrors();
      if (options.temporary) this.#destroyOptions(options.handle);
    }
    return this.#verdict(result, rc, header, true);
  }

  validate(token: string, request: ValidationRequest): Promise<Verdict> {
    try {
      this.#assertLive('validate');
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#validateNow(token, request);
  }

  /**
   * Tokens with the same request: through the addon, one pool job for all of them (one thread
   * wake-up instead of one per token); through koffi, one call each. Verdicts in order.
   */
  #validateBatchNow(tokens: readonly string[], request: ValidationRequest): Promise<Verdict[]> {
    const adopted = this.#adopted.get(this.#handle);
    if (!adopted) return Promise.all(tokens.map((token) => this.#validateNow(token, request)));
    const verdicts: Verdict[] = new Array(tokens.length);
    const headers: (JwtHeaderInfo | null)[] = new Array(tokens.length);
    const sent: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string;
      const header = readJwtHeader(token);
      const early = this.#precheck(token, request, header);
      if (early) verdicts[i] = early;
      else {
        headers[i] = header;
        sent.push(i);
      }
    }
    if (sent.length === 0) return Promise.resolve(verdicts);
    const scopes = request.scopes;
    const batch = sent.map((i) => tokens[i] as string);
    return this.#addonCall(() => adopted.validateBatch(batch, scopes === undefined ? '' : scopes.join(' '), request.audience ?? null, request.clockSkew)).then(
      (raws) => {
        sent.forEach((i, k) => {
          verdicts[i] = this.#addonVerdict(raws[k] as AddonRawResult, headers[i] ?? null);
        });
        return verdicts;
      },
    );
  }

  #validateNow(token: string, request: ValidationRequest): Promise<Verdict> {
    const header = readJwtHeader(token);
    const early = this.#precheck(token, request, header);
    if (early) return Promise.resolve(early);
    const adopted = this.#adopted.get(this.#handle);
    if (adopted) return this.#validateThroughAddon(adopted, token, request, header);
    this.#inFlight++;
    return runBounded(
      () =>
        new Promise<Verdict>((resolve, reject) => {
          let options: OptionsHandle;
          try {
            options = this.#optionsFor(request);
          } catch (err) {
            this.#callFinished();
            reject(err);
            return;
          }
          const result = Buffer.alloc(RESULT_SIZE);
          const finish = (err: unknown, rc = 0): void => {
            this.#lib.clearNodeOpenSslErrors();
            if (options.temporary) this.#destroyOptions(options.handle);
            const verdict = err ? null : this.#verdict(result, rc, header, false);
            this.#callFinished();
            if (verdict) resolve(verdict);
            else reject(err instanceof Error ? err : new Error(String(err)));
          };
          try {
            this.#validate.async(this.#handle, token, options.handle, result, (err: unknown, rc: number) => finish(err, rc));
          } catch (err) {
            finish(err ?? new Error('koffi async call failed'));
          }
        }),
    );
  }

  /**
   * The addon path: its own queue has no limit to respect (unlike koffi's), it builds the native
   * options on the worker thread and clears that thread's OpenSSL queue there, so nothing of the
   * koffi path's per-call work (options handle, result buffer, Node's error queue) is needed here.
   * Calls of one turn with the same options share one addon call (addon-batches.ts).
   */
  #validateThroughAddon(adopted: AddonClientHandle, token: string, request: ValidationRequest, header: JwtHeaderInfo | null): Promise<Verdict> {
    const scopes = request.scopes;
    return this.#batches.submit(adopted, token, scopes === undefined ? '' : scopes.join(' '), request.audience ?? null, request.clockSkew, header);
  }

  /** Addon calls made by validate() and the tokens they carried (tests, diagnostics). */
  get addonBatchStats(): { calls: number; tokens: number } {
    return { calls: this.#batches.calls, tokens: this.#batches.tokens };
  }

  /** Starts an addon call counted in #inFlight until it settles (a deferred destroy waits for it). */
  #addonCall<T>(start: () => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = start();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.#inFlight++;
    return pending.then(
      (value) => {
        this.#callFinished();
        return value;
      },
      (err: unknown) => {
        this.#callFinished();
        throw err instanceof Error ? err : new Error(String(err));
      },
    );
  }

  /**
   * As #verdict: the code decides. The message is the library's own on every addon path (the addon
   * copies it on the thread that produced it), so an answer reads the same inline or from the pool.
   */
  #addonVerdict(raw: AddonRawResult, header: JwtHeaderInfo | null): Verdict {
    if (raw.valid && raw.code === GopherAuthError.SUCCESS) return NATIVE_VALID;
    let code = raw.code as GopherAuthError;
    if (code === GopherAuthError.SUCCESS) code = GopherAuthError.INTERNAL_ERROR;
    if (code === GopherAuthError.INVALID_KEY) {
      const kid = header?.kid ?? null;
      if (this.#kids !== 'native' && (kid === null || this.#kids === null || !this.#kids.has(kid))) return keyMiss(header);
    }
    return { valid: false, code, message: raw.message ?? getErrorDescription(code) };
  }

  destroy(): void {
    if (this.#destroyRequested) return;
    this.#destroyRequested = true;
    if (this.#inFlight === 0) this.#release();
  }

  #assertLive(what: string): void {
    if (this.#destroyRequested) {
      throw new NativeBackendError(GopherAuthError.INVALID_PARAMETER, `native client used after destroy() (${what})`);
    }
  }

  #createHandle(): bigint {
    const api = this.#lib.api;
    const out = Buffer.alloc(8);
    const rc = api.fn('gopher_auth_client_create')(out, this.#tuning.nativeJwksUri, this.#issuer) as number;
    this.#lib.clearNodeOpenSslErrors();
    const handle = out.readBigUInt64LE(0);
    if (rc !== 0 || handle === 0n) {
      throw new NativeBackendError(
        rc === 0 ? GopherAuthError.INTERNAL_ERROR : (rc as GopherAuthError),
        `native client creation failed (${rc}: ${getErrorDescription(rc)})${rc === GopherAuthError.INVALID_CONFIG ? '; the native library accepts only http(s) issuers' : ''}`,
      );
    }
    const setOption = api.fn('gopher_auth_client_set_option');
    const settings: [string, string][] = [
      ['auto_refresh', this.#tuning.nativeAutoRefresh ? 'true' : 'false'],
      ['cache_duration', String(this.#tuning.cacheDurationSeconds)],
      ['request_timeout', '5'],
    ];
    for (const [name, value] of settings) {
      const optionRc = setOption(handle, name, value) as number;
      if (optionRc !== 0) {
        api.fn('gopher_auth_client_destroy')(handle);
        throw new NativeBackendError(optionRc as GopherAuthError, `native set_option ${name}=${value} failed (${optionRc})`);
      }
    }
    const adopted = adoptClient(handle);
    if (adopted) this.#adopted.set(handle, adopted);
    this.#holdings.handles.add(handle);
    return handle;
  }

  #inject(json: string, kids: Set<string>): void {
    const adopted = this.#adopted.get(this.#handle);
    let rc: number;
    if (adopted) {
      // Through the addon the swap waits for validations of this client running on the pool.
      rc = adopted.setJwks(json);
    } else if (this.#inFlight > 0) {
      // koffi async calls may be reading this handle's key cache on worker threads: never replace it
      // under them. Inject into a fresh handle and retire the old one until the calls are done.
      const fresh = this.#createHandle();
      rc = this.#lib.api.fn('gopher_auth_client_set_jwks_json')(fresh, json) as number;
      if (rc === 0) {
        this.#retire(this.#handle);
        this.#handle = fresh;
      } else {
        this.#freeHandle(fresh);
      }
    } else {
      rc = this.#lib.api.fn('gopher_auth_client_set_jwks_json')(this.#handle, json) as number;
    }
    this.#lib.clearNodeOpenSslErrors();
    if (rc !== 0) {
      // A failed injection keeps the OLD keys natively; a removed key must not stay trusted.
      this.#retire(this.#handle);
      this.#handle = this.#createHandle();
      this.#kids = null;
      this.#lastJson = null;
      this.#reinjectAt = Infinity;
      return;
    }
    this.#kids = kids;
    this.#lastJson = json;
    this.#reinjectAt = Date.now() + this.#tuning.cacheDurationSeconds * 900;
  }

  #precheck(token: string, request: ValidationRequest, header: JwtHeaderInfo | null): Verdict | null {
    // Over-long tokens are refused before the native parser spends ~0.1 s per MiB on them.
    if (typeof token !== 'string' || token.length > MAX_NATIVE_TOKEN_LENGTH || token.includes('\0')) {
      return { valid: false, code: GopherAuthError.INVALID_TOKEN, message: ERROR_TEXT[GopherAuthError.INVALID_TOKEN] };
    }
    // Another algorithm is the library's "Unsupported algorithm" too, and answered here before the key
    // set is asked: with no key for the library (#kids null) it would be a key miss, which the
    // client hands to the JS backend, and 'native' would accept ES256 or EdDSA for lack of RSA keys.
    if (header?.alg != null && (!request.algorithms.includes(header.alg) || !NATIVE_ALGORITHMS.includes(header.alg))) {
      return { valid: false, code: GopherAuthError.INVALID_TOKEN, message: `Unsupported algorithm: ${header.alg}` };
    }
    if (this.#kids === null) return keyMiss(header);
    if (Date.now() >= this.#reinjectAt && this.#lastJson !== null && this.#kids instanceof Set) {
      this.#inject(this.#lastJson, this.#kids);
    }
    return null;
  }

  #verdict(result: Buffer, rc: number, header: JwtHeaderInfo | null, copyMessage: boolean): Verdict {
    const valid = result.readUInt8(0) !== 0;
    let code = result.readInt32LE(4) as GopherAuthError;
    if (valid && code === GopherAuthError.SUCCESS && rc === 0) return NATIVE_VALID;
    // An untouched struct (rc -1012 before init, or any failure that filled nothing): trust rc.
    if (code === GopherAuthError.SUCCESS) code = (rc !== 0 ? rc : GopherAuthError.INTERNAL_ERROR) as GopherAuthError;
    if (code === GopherAuthError.INVALID_KEY) {
      const kid = header?.kid ?? null;
      if (this.#kids !== 'native' && (kid === null || this.#kids === null || !this.#kids.has(kid))) return keyMiss(header);
    }
    let message: string | null = null;
    if (copyMessage) {
      const pointer = result.readBigUInt64LE(8);
      if (pointer !== 0n) message = this.#lib.koffi.decode.string(pointer);
    }
    return { valid: false, code, message: message ?? getErrorDescription(code) };
  }

  #optionsFor(request: ValidationRequest): OptionsHandle {
    const scopes = request.scopes && request.scopes.length > 0 ? request.scopes.join(' ') : '';
    const audience = request.audience ?? '';
    const skew = request.clockSkew;
    if (scopes === '' && audience === '' && skew === DEFAULT_SKEW) return { handle: null, temporary: false };
    const key = `${audience}\u0000${scopes}\u0000${skew}`;
    const cached = this.#options.get(key);
    if (cached !== undefined) return { handle: cached, temporary: false };
    const handle = this.#createOptions(audience, scopes, skew);
    if (this.#options.size < MAX_CACHED_OPTIONS) {
      this.#options.set(key, handle);
      return { handle, temporary: false };
    }
    return { handle, temporary: true };
  }

  #createOptions(audience: string, scopes: string, skew: number): bigint {
    const api = this.#lib.api;
    const out = Buffer.alloc(8);
    const rc = api.fn('gopher_auth_validation_options_create')(out) as number;
    const handle = out.readBigUInt64LE(0);
    if (rc !== 0 || handle === 0n) {
      throw new NativeBackendError(rc as GopherAuthError, `native validation options creation failed (${rc})`);
    }
    const steps: [string, () => number][] = [
      ['audience', () => (audience === '' ? 0 : (api.fn('gopher_auth_validation_options_set_audience')(handle, audience) as number))],
      ['scopes', () => (scopes === '' ? 0 : (api.fn('gopher_auth_validation_options_set_scopes')(handle, scopes) as number))],
      ['clock skew', () => api.fn('gopher_auth_validation_options_set_clock_skew')(handle, skew) as number],
    ];
    for (const [what, step] of steps) {
      const stepRc = step();
      if (stepRc !== 0) {
        this.#destroyOptions(handle);
        throw new NativeBackendError(stepRc as GopherAuthError, `native validation options: setting ${what} failed (${stepRc})`);
      }
    }
    return handle;
  }

  #destroyOptions(handle: bigint | null): void {
    if (handle !== null) this.#lib.api.fn('gopher_auth_validation_options_destroy')(handle);
  }

  #retire(handle: bigint): void {
    if (this.#inFlight === 0) this.#freeHandle(handle);
    else this.#retired.push(handle);
  }

  /** Frees through the addon when it owns the handle (it defers while its own calls run), else via koffi. */
  #freeHandle(handle: bigint): void {
    freeHandle(this.#holdings, handle);
  }

  #callFinished(): void {
    this.#inFlight--;
    if (this.#inFlight > 0) return;
    for (const handle of this.#retired.splice(0)) this.#freeHandle(handle);
    if (this.#destroyRequested) this.#release();
  }

  #release(): void {
    if (this.#holdings.released) return;
    // Not at destroy(): while a deferred destroy waits for calls, the finalizer stays the backstop
    // for a reservation that is dropped without release(). `released` rules out a second free.
    abandoned.unregister(this);
    this.#retired.length = 0;
    releaseHoldings(this.#holdings);
  }

  /** Test-only: drive the native JWKS fetch (only meaningful with a real `nativeJwksUri`). */
  refreshNativeJwks(): number {
    this.#assertLive('refreshNativeJwks');
    const rc = this.#lib.api.fn('gopher_auth_client_refresh_jwks')(this.#handle) as number;
    this.#lib.clearNodeOpenSslErrors();
    if (rc === 0) this.#kids = 'native';
    return rc;
  }
}

interface ReservedCalls {
  validateSync(token: string, request: ValidationRequest): Verdict;
  validate(token: string, request: ValidationRequest): Promise<Verdict>;
  validateBatch(tokens: readonly string[], request: ValidationRequest): Promise<Verdict[]>;
  finished(): void;
}

/** One accepted call on a NativeBackendClient (see reserve()); release() counts once. */
class Reservation implements BackendCall {
  #released = false;
  readonly #calls: ReservedCalls;

  constructor(calls: ReservedCalls) {
    this.#calls = calls;
  }

  validateSync(token: string, request: ValidationRequest): Verdict {
    return this.#calls.validateSync(token, request);
  }

  validate(token: string, request: ValidationRequest): Promise<Verdict> {
    return this.#calls.validate(token, request);
  }

  validateBatch(tokens: readonly string[], request: ValidationRequest): Promise<Verdict[]> {
    return this.#calls.validateBatch(tokens, request);
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#calls.finished();
  }
}

function keyMiss(header: JwtHeaderInfo | null): Verdict {
  const kid = header?.kid ?? null;
  return {
    valid: false,
    code: GopherAuthError.INVALID_KEY,
    message: kid === null ? ERROR_TEXT[GopherAuthError.INVALID_KEY] : `No key found with kid: ${kid}`,
    keyMiss: { kid },
  };
}
