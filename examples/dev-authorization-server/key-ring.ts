import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { generateKeyPair } from '../../src/backends/keypair.js';

interface RingKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

/**
 * RS256 signing keys. The newest key signs; older keys stay published in the JWKS (up to
 * `retain` of them) so tokens signed before a rotation keep verifying until they expire.
 */
export class KeyRing {
  #keys: RingKey[] = [];

  constructor(private readonly retain = 1) {}

  /** Generates a fresh key, makes it the signer and returns its kid. */
  async rotate(options: { keepPrevious?: boolean } = {}): Promise<string> {
    // Not jose's WebCrypto generateKeyPair: see src/backends/keypair.ts (a Node 20 deadlock).
    const { privateKey, publicKey } = generateKeyPair('rsa', { modulusLength: 2048 });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    const entry: RingKey = { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
    const keepPrevious = options.keepPrevious ?? true;
    this.#keys = keepPrevious ? [entry, ...this.#keys].slice(0, this.retain + 1) : [entry];
    return kid;
  }

  get signer(): RingKey {
    const current = this.#keys[0];
    if (!current) throw new Error('KeyRing has no key yet: call rotate() first');
    return current;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.#keys.map((k) => k.publicJwk) };
  }
}

