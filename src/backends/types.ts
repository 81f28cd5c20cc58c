/**
 * The seam between the backend-neutral core and the validation backends (js, native).
 * Backends import nothing from core; core owns JWKS fetching and hands keys down as data.
 */
import type { GopherAuthError } from './codes.js';

/** A JSON Web Key as found in a JWKS document (only the members backends read are typed). */
export interface Jwk {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  n?: string;
  e?: string;
  x?: string;
  y?: string;
  [member: string]: unknown;
}

/** One immutable version of the key set, as fetched and parsed by the JWKS manager. */
export interface JwksSnapshot {
  /** Keys from the document's `keys` array (entries that are not objects are dropped). */
  readonly keys: readonly Jwk[];
  /** The JSON text that was fetched (or re-serialised), for backends that take the document whole. */
  readonly json: string;
  /** `Date.now()` when fetched. */
  readonly fetchedAt: number;
  /** Increases by one with every snapshot the manager publishes. */
  readonly version: number;
}

/** Everything a backend needs to decide one token, already normalised by core. */
export interface ValidationRequest {
  /** Expected issuer, exactly as configured. */
  issuer: string;
  audience?: string;
  /** Required scopes; empty or absent means none. */
  scopes?: readonly string[];
  /** Seconds of leeway for exp and nbf (core fills the 60 s default). */
  clockSkew: number;
  /** Allowed JWS `alg` values. */
  algorithms: readonly string[];
  /**
   * Accepted header `typ` values as full lower-case media types (`application/at+jwt`); absent
   * means `typ` is not checked. See normalizeTokenType.
   */
  tokenTypes?: readonly string[];
  /** Seconds a token may be old (`now - iat`); absent: `iat` is not compared with the clock. */
  maxTokenAge?: number;
  /** Seconds since the epoch; defaults to now. For tests. */
  now?: number;
}

export interface Verdict {
  valid: boolean;
  code: GopherAuthError;
  message: string | null;
  /**
   * Set when validation stopped at key lookup: no key set yet, or no key with this kid.
   * Core reacts by loading or refreshing the JWKS (within its cooldown) and asking once more.
   */
  keyMiss?: { kid: string | null };
}

/** Per-GopherAuthClient state inside a backend (native: a client handle; js: imported keys). */
export interface BackendClient {
  readonly backend: BackendName;
  /** Replace the key set. Called by core on every new snapshot, before validations that need it. */
  setKeys(snapshot: JwksSnapshot): void;
  validateSync(token: string, request: ValidationRequest): Verdict;
  validate(token: string, request: ValidationRequest): Promise<Verdict>;
  /** Idempotent. May defer freeing native resources until in-flight calls finish. */
  destroy(): void;
  /** Native only: holds the client for one call made later (see NativeBackendClient.reserve). */
  reserve?(): BackendCall;
}

/** One reserved call: make it with validateSync, validate or validateBatch (once), then release(). */
export interface BackendCall {
  validateSync(token: string, request: ValidationRequest): Verdict;
  validate(token: string, request: ValidationRequest): Promise<Verdict>;
  /** Tokens sharing one request, verdicts in order (one pool job where the backend can). */
  validateBatch(tokens: readonly string[], request: ValidationRequest): Promise<Verdict[]>;
  release(): void;
}

export type BackendName = 'js' | 'native';

export interface BackendAvailability {
  available: boolean;
  /** Why not, in words a user can act on. */
  reason?: string;
}

export interface Backend {
  readonly name: BackendName;
  availability(): BackendAvailability;
  /** Algorithms this backend verifies itself. */
  supportsAlgorithm(alg: string): boolean;
  createClient(config: { jwksUri: string; issuer: string }): BackendClient;
}
