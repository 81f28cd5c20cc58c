/** A verification the JS backend runs itself for one (key, alg) pair, instead of a plain crypto.verify call. */
export interface SignatureVerifier {
  /** `signingInput` is ASCII (base64url and a dot), so its latin1 and UTF-8 bytes are the bytes signed. */
  verify(signingInput: string, signature: Buffer): boolean;
}
