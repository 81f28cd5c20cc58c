import { decodeBase64urlText } from '../backends/js/index.js';
import type { JwksSnapshot } from '../backends/types.js';

/**
 * Whether the native library's textual claim parser may have rejected this token although it is
 * valid: JSON escapes, a nested object (a nested claim read before the top-level one), exponent
 * numbers, or a key set with two keys under one kid. Only then does a native rejection get a JS
 * second opinion, so a flood of plainly bad tokens costs one validation each, not two.
 */
export function nativeMayMisread(token: string, snapshot: JwksSnapshot | null): boolean {
  if (snapshot !== null && hasDuplicateKid(snapshot)) return true;
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 0 || second < 0) return false;
  const header = decodeBase64urlText(token.slice(0, first));
  const payload = decodeBase64urlText(token.slice(first + 1, second));
  if (header === null || payload === null) return false;
  if (header.includes('\\') || payload.includes('\\')) return true;
  if (payload.indexOf('{', payload.indexOf('{') + 1) >= 0 || header.indexOf('{', header.indexOf('{') + 1) >= 0) return true;
  return EXPONENT.test(payload);
}

const EXPONENT = /\d[eE][+-]?\d/;
const duplicateKids = new WeakMap<JwksSnapshot, boolean>();

function hasDuplicateKid(snapshot: JwksSnapshot): boolean {
  let answer = duplicateKids.get(snapshot);
  if (answer === undefined) {
    const kids = snapshot.keys.map((key) => key.kid).filter((kid): kid is string => typeof kid === 'string');
    answer = new Set(kids).size !== kids.length;
    duplicateKids.set(snapshot, answer);
  }
  return answer;
}
