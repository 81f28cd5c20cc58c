import { fastJwt } from './fast-jwt.js';
import { joseLocal, joseRemote } from './jose.js';
import { jsonwebtoken } from './jsonwebtoken.js';
import type { Peer } from './types.js';

export type { Peer, PeerContext, PeerVerify } from './types.js';

/** Every peer, jose (local JWKS) first: it is the reference the targets name. */
export const PEERS: readonly Peer[] = [joseLocal, joseRemote, fastJwt, jsonwebtoken];
