import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';

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
    const { privateKey, publicKey } = rsaKeyPair();
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

/**
 * A fresh RSA-2048 pair, re-imported from DER: on Node 20 a generated key shares a mutex with its
 * generation job, whose destructor (run by the garbage collector) takes it, so using that key while
 * a collection runs (exporting it as a JWK, signing) can deadlock the thread. Re-imported keys
 * have their own. (The package does the same in src/backends/keypair.ts.)
 */
function rsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  const der = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  return {
    privateKey: createPrivateKey({ key: der.privateKey, format: 'der', type: 'pkcs8' }),
    publicKey: createPublicKey({ key: der.publicKey, format: 'der', type: 'spki' }),
  };
}
