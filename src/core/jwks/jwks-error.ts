/** Why one JWKS fetch attempt failed; `message` is the reason reported in status() and exceptions. */
export class JwksFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JwksFetchError';
  }
}
