/** jsonwebtoken with jwks-rsa (signing keys fetched and cached by kid). */
import jwt from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import type { Peer } from './types.js';

export const jsonwebtoken: Peer = {
  name: 'jsonwebtoken + jwks-rsa',
  create: async (context) => {
    if (context.alg === 'EdDSA') return { unsupported: 'jsonwebtoken 9 does not verify EdDSA' };
    const client = jwksRsa({ jwksUri: context.jwksUrl, cache: true, rateLimit: false });
    const getKey: jwt.GetPublicKeyOrSecret = (header, callback) => {
      client.getSigningKey(header.kid, (error, key) => callback(error ?? null, key?.getPublicKey()));
    };
    const options: jwt.VerifyOptions = { issuer: context.issuer, audience: context.audience, algorithms: [context.alg as jwt.Algorithm] };
    return (token) =>
      new Promise<boolean>((resolve, reject) => {
        jwt.verify(token, getKey, options, (error) => (error ? reject(error) : resolve(true)));
      });
  },
};
