import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export type KeyPairType = 'rsa' | 'ec' | 'ed25519';

/**
 * `generateKeyPairSync`, returning key objects that share no lock with Node's key-generation job.
 * On Node 20 the job's destructor takes the generated key's mutex, and it runs from the garbage
 * collector: a collection that starts while the same thread holds that mutex (exporting the key as
 * a JWK, signing with it) deadlocks the thread for good. Seen here: a test child hung in
 * `ExportJWKRsaKey` → GC → `~KeyGenJob` → `pthread_mutex_lock`. Keys re-imported from their DER
 * encodings get mutexes of their own.
 */
export function generateKeyPair(
  type: KeyPairType,
  options: { modulusLength?: number; publicExponent?: number; namedCurve?: string } = {},
): { publicKey: KeyObject; privateKey: KeyObject } {
  const generate = generateKeyPairSync as unknown as (type: KeyPairType, options: object) => { publicKey: Buffer; privateKey: Buffer };
  const encoded = generate(type, {
    ...options,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  return {
    publicKey: createPublicKey({ key: encoded.publicKey, format: 'der', type: 'spki' }),
    privateKey: createPrivateKey({ key: encoded.privateKey, format: 'der', type: 'pkcs8' }),
  };
}
