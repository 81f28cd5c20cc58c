/** CI-sized fuzzing of JWKS documents, WWW-Authenticate builders and Authorization headers. */
import { describe, expect, it } from 'vitest';
import { authorizationProperty, challengeBuildersProperty, jwksDocumentsProperty, parseChallenge } from './properties.js';

describe('input fuzzing (CI size)', () => {
  it('the challenge parser used by the property reads what the builders write', () => {
    expect(parseChallenge('Bearer realm="a \\"b\\" \\\\", error="invalid_token"')).toEqual({ realm: 'a "b" \\', error: 'invalid_token' });
    expect(() => parseChallenge('Bearer realm="a"\r\nX: y')).toThrow();
  });

  it('JWKS documents: no throw, no crash, genuine tokens verify only with their own key', () => {
    jwksDocumentsProperty({ runs: 400 });
  });

  it('WWW-Authenticate builders never emit CR/LF and round-trip their inputs', () => {
    challengeBuildersProperty({ runs: 3000 });
  });

  it('Authorization headers: extraction never throws and only takes one verbatim token68', () => {
    authorizationProperty({ runs: 3000 });
  });
});
