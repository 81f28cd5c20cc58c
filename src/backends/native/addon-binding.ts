/** The shape of the compiled addon (native/addon.cc) as seen from JS. */

/** What one native validation returned, copied on the thread that ran it. */
export interface AddonRawResult {
  /** Return code of gopher_auth_validate_token (0 only for a valid token). */
  rc: number;
  valid: boolean;
  code: number;
  /** The library's own message, copied on the worker thread; null when it gave none. */
  message: string | null;
  /** Lines the library wrote to std::cout (1) / std::cerr (2) during this call, when capturing. */
  lines?: AddonLogLine[];
}

export interface AddonLogLine {
  stream: 1 | 2;
  text: string;
}

export interface AddonAttachInfo {
  path: string;
  version: string;
  deep: boolean;
  captureAvailable: boolean;
  captureReason?: string;
  /**
   * The library's std::cout/std::cerr are libstdc++'s own objects, not the copies Node's executable
   * holds (so capturing them never touches Node's); false when both are the same objects.
   */
  streamsSeparateFromNode: boolean;
  /** The worker threads' OpenSSL error queue cleared is the bundled libcrypto's, not Node's. */
  opensslIsolated: boolean;
  /**
   * The library's per-validation parse of the key's PEM text answers from a cache of the keys that
   * same text gave before (native/key_cache.h); false with `keyCacheReason` when not installed.
   */
  keyCache: boolean;
  keyCacheReason?: string;
}

export interface AddonStats {
  attached: boolean;
  liveHandles?: number;
  inFlight?: number;
  freedHandles?: number;
  validations?: number;
  opensslErrorsCleared?: number;
  droppedLogLines?: number;
  /** Key parses answered from the key cache / parsed by the library (each parse of new PEM text). */
  keyCacheHits?: number;
  keyCacheMisses?: number;
  /** Distinct keys held, and how many it keeps before the least recently used goes (0: not installed). */
  keyCacheEntries?: number;
  keyCacheCapacity?: number;
  /** Nice levels below the calling thread that batches run at (0: on the libuv pool threads). */
  backgroundNice?: number;
  /** Kernel thread ids of the helper threads batches run on (see native/background.h). */
  backgroundThreads?: number[];
}

/**
 * Handles: `adopt` takes a koffi client pointer (BigInt) and transfers ownership to the addon; from
 * then on only the returned id (a positive integer, never reused) refers to it and only `destroy`
 * frees it. Ids of destroyed clients make every call fail with code ERR_GOPHER_ADDON_DESTROYED.
 */
export interface AddonBinding {
  readonly abiVersion: number;
  /**
   * `workerThread`: on teardown of this thread's environment, free what it adopted and release its
   * holds. `keyCache`: how many keys the key cache keeps (0: do not install it; absent: 256); only
   * the first attach in the process decides.
   */
  attach(libraryPath: string, deep: boolean, workerThread?: boolean, keyCache?: number): AddonAttachInfo;
  adopt(client: bigint): number;
  /** True the first time; the native free waits for calls in flight. */
  destroy(id: number): boolean;
  setJwks(id: number, jwksJson: string): number;
  validate(id: number, token: string, scopes: string, audience: string | null, clockSkew: number): Promise<AddonRawResult>;
  /** Several tokens with the same options, one after another on one helper thread (or pool thread); results in order. */
  validateBatch(id: number, tokens: string[], scopes: string, audience: string | null, clockSkew: number): Promise<AddonRawResult[]>;
  validateSync(id: number, token: string, scopes: string, audience: string | null, clockSkew: number): AddonRawResult;
  setLogCapture(mode: 'capture' | 'drop', sink?: (lines: AddonLogLine[]) => void): boolean;
  /**
   * Batches run `levels` nice levels below the calling thread, on the helper threads (one per CPU;
   * Linux; 0: on the libuv pool threads instead). Returns the levels in effect.
   */
  setBackgroundPriority(levels: number): number;
  stats(): AddonStats;
  /**
   * The process-wide holder count of the library's init (every thread shares it): +1 initialises
   * when nobody holds it (rc != 0: failed, nothing held), -1 shuts down when the last holder lets
   * go, 0 reads it.
   */
  holdRuntime(delta: 1 | -1 | 0): { holders: number; rc: number };
}
