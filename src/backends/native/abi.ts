/**
 * The gopher-auth C ABI as bound through koffi. Only primitive types appear in the prototypes, so
 * no koffi type names are registered that could collide with another user of koffi in the process.
 * Handles are `void*` (BigInt in koffi 3); out-parameters are caller-owned Buffers passed as `void*`,
 * so owned `char*` results can be read and then freed exactly once with `gopher_auth_free_string`.
 */
import type { KoffiFunction, KoffiLibrary } from './koffi.js';

export const ABI = {
  gopher_auth_init: 'int32_t gopher_auth_init(void)',
  gopher_auth_shutdown: 'int32_t gopher_auth_shutdown(void)',
  gopher_auth_version: 'const char* gopher_auth_version(void)',
  gopher_auth_error_to_string: 'const char* gopher_auth_error_to_string(int32_t code)',
  gopher_auth_get_last_error: 'const char* gopher_auth_get_last_error(void)',
  gopher_auth_clear_error: 'void gopher_auth_clear_error(void)',
  gopher_auth_free_string: 'void gopher_auth_free_string(void* str)',
  gopher_auth_client_create: 'int32_t gopher_auth_client_create(void* out, const char* jwks_uri, const char* issuer)',
  gopher_auth_client_destroy: 'int32_t gopher_auth_client_destroy(void* client)',
  gopher_auth_client_set_option: 'int32_t gopher_auth_client_set_option(void* client, const char* name, const char* value)',
  gopher_auth_client_set_jwks_json: 'int32_t gopher_auth_client_set_jwks_json(void* client, const char* json)',
  gopher_auth_client_jwks_ready: 'int32_t gopher_auth_client_jwks_ready(void* client, void* ready)',
  gopher_auth_client_refresh_jwks: 'int32_t gopher_auth_client_refresh_jwks(void* client)',
  gopher_auth_validation_options_create: 'int32_t gopher_auth_validation_options_create(void* out)',
  gopher_auth_validation_options_destroy: 'int32_t gopher_auth_validation_options_destroy(void* options)',
  gopher_auth_validation_options_set_scopes: 'int32_t gopher_auth_validation_options_set_scopes(void* options, const char* scopes)',
  gopher_auth_validation_options_set_audience: 'int32_t gopher_auth_validation_options_set_audience(void* options, const char* audience)',
  gopher_auth_validation_options_set_clock_skew: 'int32_t gopher_auth_validation_options_set_clock_skew(void* options, int64_t seconds)',
  gopher_auth_validate_token: 'int32_t gopher_auth_validate_token(void* client, const char* token, void* options, void* result)',
  gopher_auth_extract_payload: 'int32_t gopher_auth_extract_payload(const char* token, void* out)',
  gopher_auth_payload_get_subject: 'int32_t gopher_auth_payload_get_subject(void* payload, void* out)',
  gopher_auth_payload_get_issuer: 'int32_t gopher_auth_payload_get_issuer(void* payload, void* out)',
  gopher_auth_payload_get_audience: 'int32_t gopher_auth_payload_get_audience(void* payload, void* out)',
  gopher_auth_payload_get_scopes: 'int32_t gopher_auth_payload_get_scopes(void* payload, void* out)',
  gopher_auth_payload_get_expiration: 'int32_t gopher_auth_payload_get_expiration(void* payload, void* out)',
  gopher_auth_payload_get_claim: 'int32_t gopher_auth_payload_get_claim(void* payload, const char* name, void* out)',
  gopher_auth_payload_destroy: 'int32_t gopher_auth_payload_destroy(void* payload)',
  gopher_auth_validate_scopes: 'bool gopher_auth_validate_scopes(const char* required, const char* available)',
  gopher_auth_generate_www_authenticate:
    'int32_t gopher_auth_generate_www_authenticate(const char* realm, const char* error, const char* desc, void* out)',
  gopher_auth_generate_www_authenticate_v2:
    'int32_t gopher_auth_generate_www_authenticate_v2(const char* realm, const char* resource_metadata, const char* scope, const char* error, const char* desc, void* out)',
  gopher_auth_metadata_build_protected_resource:
    'int32_t gopher_auth_metadata_build_protected_resource(const char* resource, const char* auth_server, const char* scopes, void* out)',
} as const;

export type AbiName = keyof typeof ABI;

/** Functions without which the backend cannot validate at all. */
export const REQUIRED_SYMBOLS: readonly AbiName[] = [
  'gopher_auth_init',
  'gopher_auth_free_string',
  'gopher_auth_client_create',
  'gopher_auth_client_destroy',
  'gopher_auth_client_set_option',
  'gopher_auth_client_set_jwks_json',
  'gopher_auth_validation_options_create',
  'gopher_auth_validation_options_destroy',
  'gopher_auth_validation_options_set_scopes',
  'gopher_auth_validation_options_set_audience',
  'gopher_auth_validation_options_set_clock_skew',
  'gopher_auth_validate_token',
];

export interface SymbolCoverage {
  bound: AbiName[];
  missing: { name: AbiName; error: string }[];
}

export class NativeApi {
  readonly #fns = new Map<AbiName, KoffiFunction>();
  readonly #missing = new Map<AbiName, string>();

  constructor(lib: KoffiLibrary) {
    for (const name of Object.keys(ABI) as AbiName[]) {
      try {
        this.#fns.set(name, lib.func(ABI[name]));
      } catch (err) {
        this.#missing.set(name, (err as Error).message);
      }
    }
  }

  has(name: AbiName): boolean {
    return this.#fns.has(name);
  }

  /** The bound function; a missing symbol throws a clear error for that function only. */
  fn(name: AbiName): KoffiFunction {
    const f = this.#fns.get(name);
    if (f === undefined) {
      throw new Error(`the loaded gopher-orch library does not export ${name}: ${this.#missing.get(name) ?? 'not bound'}`);
    }
    return f;
  }

  coverage(): SymbolCoverage {
    return {
      bound: [...this.#fns.keys()],
      missing: [...this.#missing].map(([name, error]) => ({ name, error })),
    };
  }
}

/** The algorithms the library verifies; it answers any other `Unsupported algorithm: <alg>` (-1000). */
export const NATIVE_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512'];
