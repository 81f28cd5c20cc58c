/** Keys, tokens and raw native clients for the addon tests (real RSA keys made at test time). */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { generateKeyPair } from '../../src/backends/keypair.js';
import { GopherAuthError } from '../../src/backends/codes.js';
import { loadNativeLibrary, type LoadedLibrary } from '../../src/backends/native/loader.js';
import { acquireNativeRuntime } from '../../src/backends/native/runtime.js';

export const ISSUER = 'https://issuer.test.example';
export const AUDIENCE = 'https://api.test.example';
export const SUBJECT = 'user-7f3a9c-secret-subject';

export interface Signer {
  kid: string;
  privateKey: KeyObject;
  jwksJson: string;
}

export function makeSigner(kid = 'addon-test-key'): Signer {
  const { privateKey, publicKey } = generateKeyPair('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    kid,
    privateKey: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })),
    jwksJson: JSON.stringify({ keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256' }] }),
  };
}

export function mint(signer: Signer, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: signer.kid, ...header })}.${encode(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), signer.privateKey).toString('base64url')}`;
}

export function baseClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, sub: SUBJECT, aud: AUDIENCE, exp: now + 3600, iat: now, scope: 'read write', ...overrides };
}

/** A case with the verdict the library must give for it. */
export interface TokenCase {
  name: string;
  token: string;
  scopes: string;
  audience: string | null;
  valid: boolean;
  code: GopherAuthError;
  message: string | null;
}

/** Mixed valid and invalid tokens with the exact code and message the library gives each. */
export function tokenCases(signer: Signer, other: Signer): TokenCase[] {
  const now = Math.floor(Date.now() / 1000);
  const good = mint(signer, baseClaims());
  const tampered = `${good.slice(0, good.lastIndexOf('.'))}.${mint(other, baseClaims()).split('.')[2] ?? ''}`;
  return [
    { name: 'valid', token: good, scopes: 'read', audience: AUDIENCE, valid: true, code: 0, message: null },
    { name: 'valid, no options', token: good, scopes: '', audience: null, valid: true, code: 0, message: null },
    {
      name: 'expired',
      token: mint(signer, baseClaims({ exp: now - 3600 })),
      scopes: '',
      audience: null,
      valid: false,
      code: GopherAuthError.EXPIRED_TOKEN,
      message: 'JWT has expired',
    },
    {
      name: 'bad signature',
      token: tampered,
      scopes: '',
      audience: null,
      valid: false,
      code: GopherAuthError.INVALID_SIGNATURE,
      message: 'JWT signature verification failed',
    },
    {
      name: 'wrong issuer',
      token: mint(signer, baseClaims({ iss: 'https://elsewhere.example' })),
      scopes: '',
      audience: null,
      valid: false,
      code: GopherAuthError.INVALID_ISSUER,
      message: 'Invalid issuer',
    },
    {
      name: 'wrong audience',
      token: good,
      scopes: '',
      audience: 'https://other-api.example',
      valid: false,
      code: GopherAuthError.INVALID_AUDIENCE,
      message: 'Invalid audience',
    },
    {
      name: 'insufficient scope',
      token: good,
      scopes: 'admin',
      audience: null,
      valid: false,
      code: GopherAuthError.INSUFFICIENT_SCOPE,
      message: 'Insufficient scope',
    },
    {
      name: 'unknown kid',
      token: mint(signer, baseClaims(), { kid: 'nobody' }),
      scopes: '',
      audience: null,
      valid: false,
      code: GopherAuthError.INVALID_KEY,
      message: 'No key found with kid: nobody',
    },
    {
      name: 'missing exp',
      token: mint(signer, { iss: ISSUER, sub: SUBJECT }),
      scopes: '',
      audience: null,
      valid: false,
      code: GopherAuthError.INVALID_TOKEN,
      message: "JWT payload missing 'exp' claim",
    },
  ];
}

/** The koffi-loaded library, initialised; throws (never skips) when it cannot be loaded. */
export function nativeLibrary(): LoadedLibrary {
  const { library, info } = loadNativeLibrary();
  if (!library) throw new Error(`libgopher-orch did not load: ${info.reason ?? 'unknown'}`);
  acquireNativeRuntime(library);
  return library;
}

/** A raw native client (koffi pointer) with auto_refresh off and the signer's keys injected. */
export function rawClient(library: LoadedLibrary, jwksJson?: string): bigint {
  const out = Buffer.alloc(8);
  const rc = library.api.fn('gopher_auth_client_create')(out, 'http://127.0.0.1:9/never', ISSUER) as number;
  const handle = out.readBigUInt64LE(0);
  if (rc !== 0 || handle === 0n) throw new Error(`client_create failed: ${rc}`);
  library.api.fn('gopher_auth_client_set_option')(handle, 'auto_refresh', 'false');
  library.api.fn('gopher_auth_client_set_option')(handle, 'cache_duration', '86400');
  if (jwksJson !== undefined) {
    const setRc = library.api.fn('gopher_auth_client_set_jwks_json')(handle, jwksJson) as number;
    if (setRc !== 0) throw new Error(`set_jwks_json failed: ${setRc}`);
  }
  library.clearNodeOpenSslErrors();
  return handle;
}
