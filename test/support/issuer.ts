/**
 * A test token issuer: keys generated at test time (cached per process), tokens signed with any
 * header and claims — or with raw header/payload text for duplicate and nested member cases — and
 * JWKS documents with optional alg/use/key_ops per key.
 */
import { constants, createHmac, sign, type KeyObject } from 'node:crypto';
import { generateKeyPair } from '../../src/backends/keypair.js';
import type { Jwk } from '../../src/backends/types.js';

export type KeyName =
  | 'rsa2048'
  | 'rsa2048b'
  | 'rsa2048c'
  | 'rsa3072'
  | 'rsa1024'
  | 'rsa512'
  | 'p256'
  | 'p384'
  | 'p521'
  | 'ed25519';

export interface TestKey {
  name: KeyName;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Public JWK without kid/alg/use (add them through `jwk()` / `jwks()`). */
  publicJwk: Jwk;
}

const keyCache = new Map<KeyName, TestKey>();

function generate(name: KeyName): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (name) {
    case 'rsa2048':
    case 'rsa2048b':
    case 'rsa2048c':
      return generateKeyPair('rsa', { modulusLength: 2048 });
    case 'rsa3072':
      return generateKeyPair('rsa', { modulusLength: 3072 });
    case 'rsa1024':
      return generateKeyPair('rsa', { modulusLength: 1024 });
    case 'rsa512':
      return generateKeyPair('rsa', { modulusLength: 512 });
    case 'p256':
      return generateKeyPair('ec', { namedCurve: 'P-256' });
    case 'p384':
      return generateKeyPair('ec', { namedCurve: 'P-384' });
    case 'p521':
      return generateKeyPair('ec', { namedCurve: 'P-521' });
    case 'ed25519':
      return generateKeyPair('ed25519');
  }
}

/** A key pair, generated once per process. */
export function testKey(name: KeyName): TestKey {
  let key = keyCache.get(name);
  if (!key) {
    const pair = generate(name);
    key = { name, ...pair, publicJwk: pair.publicKey.export({ format: 'jwk' }) as Jwk };
    keyCache.set(name, key);
  }
  return key;
}

/** The key each algorithm signs with unless told otherwise. */
export const DEFAULT_KEY: Readonly<Record<string, KeyName>> = {
  RS256: 'rsa2048',
  RS384: 'rsa2048',
  RS512: 'rsa2048',
  PS256: 'rsa2048',
  PS384: 'rsa2048',
  PS512: 'rsa2048',
  ES256: 'p256',
  ES384: 'p384',
  ES512: 'p521',
  EdDSA: 'ed25519',
};

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

export const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/** Sign `signingInput` as `alg` would. HS* takes an HMAC secret; everything else a private key. */
export function signJws(alg: string, signingInput: string, key: KeyObject | Buffer | string): Buffer {
  const data = Buffer.from(signingInput);
  const bits = alg.slice(2);
  const hash = HASH[bits];
  if (alg.startsWith('HS') && hash) return createHmac(hash, key as Buffer | string).update(data).digest();
  if (alg === 'EdDSA') return sign(null, data, key as KeyObject);
  if (!hash) throw new Error(`issuer cannot sign ${alg}`);
  if (alg.startsWith('RS')) return sign(hash, data, key as KeyObject);
  if (alg.startsWith('PS')) {
    return sign(hash, data, { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  }
  if (alg.startsWith('ES')) return sign(hash, data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  throw new Error(`issuer cannot sign ${alg}`);
}

export interface SignOptions {
  alg?: string;
  /** Key to sign with; default per alg. */
  key?: KeyName;
  /** Header `kid`: default the key's name; null omits it; any other value is used verbatim. */
  kid?: unknown;
  /** Extra header members (override alg/kid too). */
  header?: Record<string, unknown>;
  /** Claims merged over `defaultClaims()`; a member set to undefined is removed. */
  claims?: Record<string, unknown>;
  /** Claims used as-is (no defaults). */
  exactClaims?: Record<string, unknown>;
  /** HMAC secret for HS* algorithms. */
  secret?: Buffer | string;
}

export interface RawSignOptions {
  alg: string;
  key?: KeyName;
  secret?: Buffer | string;
  /** Header JSON text, signed exactly as given. */
  headerJson: string;
  /** Payload JSON text, signed exactly as given. */
  payloadJson: string;
}

export class TestIssuer {
  constructor(readonly issuer = 'https://issuer.test/realms/demo') {}

  /** Seconds since the epoch, whole. */
  now(): number {
    return Math.floor(Date.now() / 1000);
  }

  key(name: KeyName): TestKey {
    return testKey(name);
  }

  defaultClaims(): Record<string, unknown> {
    const now = this.now();
    return { sub: 'user-123', iss: this.issuer, iat: now, exp: now + 600 };
  }

  sign(options: SignOptions = {}): string {
    const alg = options.alg ?? 'RS256';
    const keyName = options.key ?? DEFAULT_KEY[alg] ?? 'rsa2048';
    const header: Record<string, unknown> = { alg, typ: 'JWT' };
    const kid = options.kid === undefined ? keyName : options.kid;
    if (kid !== null) header.kid = kid;
    Object.assign(header, options.header);
    const claims = options.exactClaims ?? { ...this.defaultClaims(), ...options.claims };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return this.signRaw({
      alg,
      key: keyName,
      secret: options.secret,
      headerJson: JSON.stringify(header),
      payloadJson: JSON.stringify(claims),
    });
  }

  /** Signs header and payload text verbatim (duplicate members, nesting, trailing bytes...). */
  signRaw(options: RawSignOptions): string {
    const input = `${b64url(options.headerJson)}.${b64url(options.payloadJson)}`;
    const signingKey = options.alg.startsWith('HS')
      ? options.secret ?? 'secret'
      : testKey(options.key ?? DEFAULT_KEY[options.alg] ?? 'rsa2048').privateKey;
    return `${input}.${b64url(signJws(options.alg, input, signingKey))}`;
  }

  /** A public JWK with kid (default: the key name) and optional alg/use/key_ops. */
  jwk(name: KeyName, extra: Partial<Jwk> & { kid?: string } = {}): Jwk {
    return { ...testKey(name).publicJwk, kid: name, ...extra };
  }

  /** A JWKS document; each entry is a key name or a full JWK. */
  jwks(entries: ReadonlyArray<KeyName | Jwk>): { keys: Jwk[] } {
    return { keys: entries.map((e) => (typeof e === 'string' ? this.jwk(e) : e)) };
  }
}
