/** fast-jwt with get-jwks (keys fetched from the JWKS endpoint, cached as PEM); its own token cache on repeated-token rows. */
import { createVerifier } from 'fast-jwt';
import buildGetJwks from 'get-jwks';
import type { Peer } from './types.js';

export const fastJwt: Peer = {
  name: 'fast-jwt + get-jwks',
  create: async (context) => {
    if (context.alg === 'EdDSA') return { unsupported: 'get-jwks (jwk-to-pem) cannot convert OKP keys' };
    const getJwks = buildGetJwks({ max: 100, ttl: 3_600_000 });
    const verify = createVerifier({
      key: async (decoded: { header: { kid?: string; alg?: string } }) =>
        getJwks.getPublicKey({ kid: decoded.header.kid, alg: decoded.header.alg, domain: context.origin }),
      algorithms: [context.alg as never],
      allowedIss: context.issuer,
      allowedAud: context.audience,
      cache: context.cache,
    });
    return async (token) => {
      await verify(token);
      return true;
    };
  },
};
