/** jose 6: `jwtVerify` with a local JWK set and with a remote (fetched, cached) JWKS. */
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify } from 'jose';
import type { Peer, PeerContext, PeerVerify } from './types.js';

function verifier(context: PeerContext, keys: Parameters<typeof jwtVerify>[1]): PeerVerify {
  const options = { issuer: context.issuer, audience: context.audience, algorithms: [context.alg] };
  return async (token) => {
    await jwtVerify(token, keys as never, options);
    return true;
  };
}

export const joseLocal: Peer = {
  name: 'jose 6 (local JWKS)',
  create: async (context) => verifier(context, createLocalJWKSet(context.jwks as never)),
};

export const joseRemote: Peer = {
  name: 'jose 6 (remote JWKS)',
  create: async (context) => verifier(context, createRemoteJWKSet(new URL(context.jwksUrl))),
};
