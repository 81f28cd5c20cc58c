import type { ValidationRequest, Verdict } from '../types.js';
import { algorithmSpec } from './algorithms.js';
import { decodeBase64url, decodeBase64urlText, isBase64url } from './base64url.js';
import { parseJsonObject, type JsonObjectResult } from './json-object.js';
import { invalidToken } from './verdicts.js';

/** Longest token accepted (characters). Real access tokens are a few KiB; this bounds parse work. */
export const MAX_TOKEN_LENGTH = 64 * 1024;

/** exp/nbf must be NumericDates that fit the native library's int64 seconds. */
const MAX_NUMERIC_DATE = 2 ** 63;

export interface ParsedToken {
  alg: string;
  /** null when absent or empty (the native library treats an empty kid as none). */
  kid: string | null;
  /** A reader that takes the first textual `"alg"` and `"kid"` finds these same values (see readsAlike). */
  plainHeader: boolean;
  /** `header.payload`, the bytes the signature covers. */
  signingInput: string;
  /** Base64url signature segment, decoded only when needed. */
  signatureSegment: string;
  claims: Record<string, unknown>;
  /** Whole seconds, as the native library reads it. */
  exp: number;
}

/**
 * Structure, header and payload checks, in the native library's order: split → header alg →
 * payload → required claims (sub, iss, exp). Returns the parsed token or the rejection.
 */
export function parseToken(token: string, request: ValidationRequest): ParsedToken | Verdict {
  if (token.length > MAX_TOKEN_LENGTH) return invalidToken(`JWT exceeds ${MAX_TOKEN_LENGTH} characters`);
  const dot1 = token.indexOf('.');
  if (dot1 < 0) return invalidToken('Invalid JWT format: missing first separator');
  const dot2 = token.indexOf('.', dot1 + 1);
  if (dot2 < 0) return invalidToken('Invalid JWT format: missing second separator');
  if (token.indexOf('.', dot2 + 1) >= 0) return invalidToken('Invalid JWT format: more than three segments');
  if (dot1 === 0 || dot2 === dot1 + 1 || dot2 === token.length - 1) {
    return invalidToken('Invalid JWT format: empty component');
  }

  const header = readHeader(token.slice(0, dot1));
  if (isVerdict(header)) return header;
  const { alg, kid, plain } = header;
  if (!request.algorithms.includes(alg)) return invalidToken(`Unsupported algorithm: ${alg}`);
  if (request.tokenTypes !== undefined && (header.typ === null || !request.tokenTypes.includes(header.typ))) {
    return invalidToken(header.typ === null ? "JWT header missing 'typ' field" : `Unexpected token type: ${header.typ}`);
  }

  const payloadText = decodeBase64urlText(token.slice(dot1 + 1, dot2));
  if (payloadText === null) return invalidToken('Failed to decode JWT payload');
  const payload = parseJsonObject(payloadText);
  if (!payload.ok) return jsonFailure(payload, 'payload');
  const claims = payload.value;

  if (!isNonEmptyString(claims.sub)) return invalidToken("JWT payload missing 'sub' claim");
  if (!isNonEmptyString(claims.iss)) return invalidToken("JWT payload missing 'iss' claim");
  const exp = numericDate(claims.exp);
  if (exp === null) return invalidToken("JWT payload missing 'exp' claim");

  return {
    alg,
    kid,
    plainHeader: plain,
    signingInput: token.slice(0, dot2),
    signatureSegment: token.slice(dot2 + 1),
    claims,
    exp,
  };
}

export interface HeaderInfo {
  alg: string;
  kid: string | null;
  plain: boolean;
  /** `typ` normalized (normalizeTokenType), or null when absent or not a string. */
  typ: string | null;
}

/**
 * A `typ` as the media type it names (RFC 7515 §4.1.9): lower case, `application/` prepended when
 * it has no `/` — so `at+jwt`, `AT+JWT` and `application/at+jwt` compare equal.
 */
export function normalizeTokenType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

/** Issuers reuse a handful of headers, so parsed headers are cached by their segment text. */
const headerCache = new Map<string, HeaderInfo | Verdict>();
const HEADER_CACHE_LIMIT = 256;
/** Longer header segments are parsed every time, so the cache stays small whatever tokens arrive. */
const CACHED_HEADER_MAX_LENGTH = 512;

export function readHeader(segment: string): HeaderInfo | Verdict {
  let info = headerCache.get(segment);
  if (info === undefined) {
    info = Object.freeze(parseHeader(segment));
    if (segment.length <= CACHED_HEADER_MAX_LENGTH) {
      if (headerCache.size >= HEADER_CACHE_LIMIT) headerCache.clear();
      headerCache.set(segment, info);
    }
  }
  return info;
}

function parseHeader(segment: string): HeaderInfo | Verdict {
  const text = decodeBase64urlText(segment);
  if (text === null) return invalidToken('Failed to decode JWT header');
  const header = parseJsonObject(text);
  if (!header.ok) return jsonFailure(header, 'header');
  const alg = header.value.alg;
  if (typeof alg !== 'string') return invalidToken("JWT header missing 'alg' field");
  if (!algorithmSpec(alg)) return invalidToken(`Unsupported algorithm: ${alg}`);
  const crit = header.value.crit;
  if (crit !== undefined) {
    // No JWS extension is understood, so any critical one makes the token unacceptable (RFC 7515 §4.1.11).
    // Not String(crit): a crit like {"toString":1} makes String() throw.
    const first = Array.isArray(crit) && typeof crit[0] === 'string' ? crit[0] : (JSON.stringify(crit) ?? typeof crit);
    return invalidToken(`Unsupported critical header parameter: ${first}`);
  }
  const kid = header.value.kid;
  if (kid !== undefined && typeof kid !== 'string') return invalidToken("JWT header 'kid' is not a string");
  // The native library treats an empty kid as none.
  const keyId = kid === undefined || kid === '' ? null : kid;
  const typ = header.value.typ;
  return { alg, kid: keyId, plain: readsAlike(text, alg, keyId), typ: typeof typ === 'string' ? normalizeTokenType(typ) : null };
}

/**
 * Whether the native library, which takes the first textual `"alg"` and `"kid"` of the header
 * wherever they are (nested objects included), reads the alg and kid this strict parse read. True
 * only for a header without escapes in which no other string ends in `alg` or `kid`, written
 * `"alg":"…"` and `"kid":"…"` (whitespace around the colon allowed), the kid without braces or
 * brackets; without a top-level kid, no `kid"` anywhere. Anything else (rare in real
 * tokens) makes the re-check of a native acceptance verify the signature itself (recheckAccepted).
 */
function readsAlike(text: string, alg: string, kid: string | null): boolean {
  if (text.includes('\\') || occurrences(text, 'alg"') !== 1 || !hasMember(text, 'alg', alg)) return false;
  if (kid === null) return !text.includes('kid"');
  return occurrences(text, 'kid"') === 1 && !/[{}[\]]/.test(kid) && hasMember(text, 'kid', kid);
}

/** `"name"`, optional JSON whitespace, `:`, optional whitespace, `"value"` (Keycloak writes `"kid" : "…"`). */
function hasMember(text: string, name: string, value: string): boolean {
  let at = text.indexOf(`"${name}"`);
  if (at < 0) return false;
  at = skipSpace(text, at + name.length + 2);
  if (text.charCodeAt(at) !== 0x3a) return false;
  at = skipSpace(text, at + 1);
  return text.startsWith(`"${value}"`, at);
}

function skipSpace(text: string, at: number): number {
  let c = text.charCodeAt(at);
  while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = text.charCodeAt(++at);
  return at;
}

function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

export function decodeSignature(parsed: ParsedToken): Buffer | Verdict {
  return decodeBase64url(parsed.signatureSegment) ?? signatureUndecodable();
}

/** The same check as decodeSignature, for callers that never verify the signature themselves. */
export function checkSignatureSegment(parsed: ParsedToken): Verdict | null {
  return isBase64url(parsed.signatureSegment) ? null : signatureUndecodable();
}

const signatureUndecodable = (): Verdict => invalidToken('Failed to decode JWT signature');

/** A positive NumericDate truncated to whole seconds, or null (missing, wrong type, <= 0, too large). */
export function numericDate(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const seconds = Math.trunc(value);
  return seconds > 0 && seconds < MAX_NUMERIC_DATE ? seconds : null;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function jsonFailure(result: Exclude<JsonObjectResult, { ok: true }>, part: 'header' | 'payload'): Verdict {
  if (result.reason === 'duplicate') {
    return invalidToken(part === 'header' ? `Duplicate JWT header parameter: ${result.name}` : `Duplicate claim: ${result.name}`);
  }
  // The native library reports an unparsable part as the first field it could not find.
  return invalidToken(part === 'header' ? "JWT header missing 'alg' field" : "JWT payload missing 'sub' claim");
}

export function isVerdict(value: object): value is Verdict {
  return 'valid' in value;
}
