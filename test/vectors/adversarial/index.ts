/**
 * The adversarial corpus, organised by RFC 8725 section and by the native library's hazards
 * (docs/security.md). It is part of VECTORS in ../table.ts, so every backend suite runs it.
 */
import { ALG_CONFUSION } from './alg-confusion.js';
import { CLAIM_TRICKS } from './claims.js';
import { ENCODING_TRICKS } from './encoding.js';
import { HEADER_TRICKS } from './header.js';
import { KEY_TRICKS } from './key-tricks.js';
import type { AdversarialCase } from './helpers.js';

export { adversarialKeys, leadingTrapKeys } from './keys.js';
export type { AdversarialCase, Section } from './helpers.js';

export const ADVERSARIAL_GROUPS: Readonly<Record<string, readonly AdversarialCase[]>> = {
  'algorithm confusion': ALG_CONFUSION,
  'header tricks': HEADER_TRICKS,
  'claim tricks': CLAIM_TRICKS,
  'encoding tricks': ENCODING_TRICKS,
  'key tricks': KEY_TRICKS,
};

export const ADVERSARIAL_VECTORS: readonly AdversarialCase[] = Object.values(ADVERSARIAL_GROUPS).flat();
