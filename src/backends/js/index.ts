import type { Backend } from '../types.js';
import { ALGORITHMS } from './algorithms.js';
import { JsBackendClient } from './client.js';

export const jsBackend: Backend = {
  name: 'js',
  availability: () => ({ available: true }),
  supportsAlgorithm: (alg) => Object.prototype.hasOwnProperty.call(ALGORITHMS, alg),
  createClient: () => new JsBackendClient(),
};

export { JS_ALGORITHMS, MIN_RSA_BITS } from './algorithms.js';
export { JsBackendClient } from './client.js';
export { recheckAccepted, structuralRefusal } from './pipeline.js';
export { keyringFor } from './keyring.js';
export { isScopeToken, readTokenScopes, splitScopes } from './scopes.js';
export { issuerMatches } from './claims.js';
export { decodeBase64urlText } from './base64url.js';
export { parseJsonObject } from './json-object.js';
export { MAX_TOKEN_LENGTH, normalizeTokenType } from './token.js';
export { peekHeader, peekHeaderAlg } from './peek.js';
export { describeVerifyWorkers, verifyPool, type VerifyPoolStats } from './verify-pool.js';
