import { decodeBase64urlText } from '../backends/js/index.js';
import type { JwksSnapshot, ValidationRequest } from '../backends/types.js';
import { kidlessRefusalMayDiffer } from './native-key-set.js';

/**
 * Whether the native library's textual claim parser may have rejected this token although it is
 * valid: JSON escapes, a nested object (a nested claim read before the top-level one), exponent
 * numbers, a claim's name also written as a value (`"k":"exp"`, `"amr":["exp"]`: the library takes
 * the first `"exp"` text), a `]` inside a string of an `aud` array, a key set with two keys under
 * one kid, or a token without a kid while the native key set leaves out an RSA key or limits one
 * to an algorithm. Only then does a native rejection get a JS second opinion, so a flood of plainly bad
 * tokens costs one validation each, not two.
 */
export function nativeMayMisread(token: string, snapshot: JwksSnapshot | null): boolean {
  if (snapshot !== null && hasDuplicateKid(snapshot)) return true;
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 0 || second < 0) return false;
  const header = decodeBase64urlText(token.slice(0, first));
  const payload = decodeBase64urlText(token.slice(first + 1, second));
  if (header === null || payload === null) return false;
  if (snapshot !== null && !NAMED_KID.test(header) && kidlessRefusalMayDiffer(snapshot)) return true;
  if (header.includes('\\') || payload.includes('\\')) return true;
  if (payload.indexOf('{', payload.indexOf('{') + 1) >= 0 || header.indexOf('{', header.indexOf('{') + 1) >= 0) return true;
  if (EXPONENT.test(payload)) return true;
  return namesAmbiguous(payload, PAYLOAD_NAMES) || namesAmbiguous(header, HEADER_NAMES) || audArrayHoldsBracket(payload);
}

const EXPONENT = /\d[eE][+-]?\d/;
/** A kid that is a non-empty string (escapes and nesting are handled apart). */
const NAMED_KID = /"kid"\s*:\s*"[^"]/;
/** The members the library finds by their first `"name"` text. */
const PAYLOAD_NAMES = ['"exp"', '"nbf"', '"iat"', '"iss"', '"aud"', '"sub"', '"scope"'];
const HEADER_NAMES = ['"alg"', '"kid"', '"typ"'];
const COLON = /\s*:/y;

/**
 * A name whose text appears twice, or first as a value. Without backslashes (handled above) a
 * string cannot hold a quote, so each `"name"` text is a whole string: a member name or a value.
 */
function namesAmbiguous(json: string, names: readonly string[]): boolean {
  for (const name of names) {
    const first = json.indexOf(name);
    if (first < 0) continue;
    if (json.indexOf(name, first + name.length) >= 0) return true;
    COLON.lastIndex = first + name.length;
    if (!COLON.test(json)) return true;
  }
  return false;
}

/** An `aud` array whose text up to its first `]` holds an odd number of quotes: that `]` was inside a string. */
function audArrayHoldsBracket(payload: string): boolean {
  const name = payload.indexOf('"aud"');
  if (name < 0) return false;
  const open = payload.indexOf('[', name);
  const colon = payload.indexOf(':', name);
  if (open < 0 || colon < 0 || payload.slice(colon + 1, open).trim() !== '') return false;
  const close = payload.indexOf(']', open);
  if (close < 0) return false;
  let quotes = 0;
  for (let at = payload.indexOf('"', open); at >= 0 && at < close; at = payload.indexOf('"', at + 1)) quotes++;
  return quotes % 2 === 1;
}
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

/**
 * Requests for which the library's own rules differ from the documented ones, whatever the token:
 * an issuer configured with two or more trailing `/` (the library strips them all from it, one
 * from the token's `iss`), and clock skews over 512 s (the library adds the skew to `exp` in int64,
 * which overflows for an `exp` near 2^63, and the addon caps skews at 1e9 s). For these, every
 * refusal the second opinion covers is the JS backend's to decide.
 */
export function nativeRulesMayDiffer(request: ValidationRequest): boolean {
  return request.clockSkew > MAX_SKEW_NATIVE_AGREES || request.issuer.endsWith('//');
}

/** The JS backend accepts `exp` up to 2^63 - 513 (the doubles below 2^63): any larger skew may overflow. */
const MAX_SKEW_NATIVE_AGREES = 512;
