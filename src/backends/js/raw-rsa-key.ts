/**
 * The key argument for RSAVP1 (`publicDecrypt` without padding, rsa-pkcs1.ts).
 *
 * The documented form is `{ key, padding: RSA_NO_PADDING }`. Node 24 (measured on 24.21.0) asks
 * whether any argument is a KeyObject, then a CryptoKey, by letting an internal lookup throw for
 * every other object: two exceptions per call, ~10 µs on top of a ~20 µs RSA operation. A KeyObject
 * argument takes the fast path, and `publicDecrypt` reads `padding` from whatever object it is given
 * (Node 20, 22 and 24 alike). So each verifier gets its own copy of the key carrying `padding` as an
 * own property — a copy, because crypto.verify reads `padding` from its key argument too and the
 * imported key also serves there (the libuv-pool path, PS*).
 *
 * That reading is not documented, so the copy is used only once it has shown that the padding takes
 * effect: RSAVP1 of the integer 1 is 1 (1^e mod n), which PKCS#1 v1.5 padding would refuse. Otherwise
 * the documented form.
 */
import { constants, createPublicKey, publicDecrypt, type KeyObject } from 'node:crypto';

export type RawRsaKey = KeyObject | { key: KeyObject; padding: number };

type Decrypt = (key: RawRsaKey, buffer: Buffer) => Buffer;

/** `k`: the modulus length in bytes. `decrypt` is for tests (a Node that ignored the property). */
export function rawRsaKey(key: KeyObject, k: number, decrypt: Decrypt = publicDecrypt): RawRsaKey {
  const documented = { key, padding: constants.RSA_NO_PADDING };
  let copy: KeyObject;
  try {
    copy = createPublicKey({ key: key.export({ format: 'jwk' }), format: 'jwk' });
    Object.defineProperty(copy, 'padding', { value: constants.RSA_NO_PADDING });
  } catch {
    return documented;
  }
  const one = Buffer.alloc(k);
  one[k - 1] = 1;
  try {
    return decrypt(copy, one).equals(one) ? copy : documented;
  } catch {
    return documented;
  }
}
