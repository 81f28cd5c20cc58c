/** Shared helpers for the adversarial corpus: case constructor, segment surgery, raw signing. */
import { GopherAuthError as E } from '../../../src/backends/codes.js';
import type { VectorCase, VectorOptions } from '../table.js';
import { TestIssuer, b64url, type KeyName } from '../../support/issuer.js';

/** Where a case comes from: an RFC 8725 section, or a native-library hazard (native-abi.md). */
export type Section =
  | '8725 §2.1 alg confusion'
  | '8725 §3.1 algorithm verification'
  | '8725 §3.2 appropriate algorithms'
  | '8725 §3.4 cryptographic inputs'
  | '8725 §3.5 key strength'
  | '8725 §3.6 UTF-8'
  | '8725 §3.8 issuer'
  | '8725 §3.9 audience'
  | '8725 §3.10 untrusted header input'
  | '8725 §3.11 explicit typing'
  | '7515 §4.1.11 crit'
  | '7519 claims'
  | 'native: naive claim parser'
  | 'native: encoding'
  | 'native: size';

export interface AdversarialCase extends VectorCase {
  section: Section;
}

export const ok = { valid: true, code: E.SUCCESS };
export const bad = (code: E) => ({ valid: false, code });

export function adv(
  section: Section,
  name: string,
  why: string,
  alg: string,
  make: (i: TestIssuer) => string,
  expected: { valid: boolean; code: E },
  extra: { options?: VectorOptions; headerUnreadable?: boolean } = {},
): AdversarialCase {
  return { section, name: `[${section}] ${name}`, why, alg, make, expected, ...extra };
}

export function parts(token: string): [string, string, string] {
  const [h, p, s] = token.split('.');
  return [h ?? '', p ?? '', s ?? ''];
}

/** Signs header and payload text verbatim with an RS/PS/ES/EdDSA key. */
export function raw(i: TestIssuer, headerJson: string, payloadJson: string, alg = 'RS256', key?: KeyName): string {
  return i.signRaw({ alg, key, headerJson, payloadJson });
}

/** A claim set as JSON text with the defaults (sub, iss, exp in 10 min), `extra` inserted first or last. */
export function claimsText(i: TestIssuer, extra = '', first = false): string {
  const body = `"sub":"user-123","iss":${JSON.stringify(i.issuer)},"exp":${i.now() + 600}`;
  if (extra === '') return `{${body}}`;
  return first ? `{${extra},${body}}` : `{${body},${extra}}`;
}

export const RS_HEADER = '{"alg":"RS256","kid":"rsa2048"}';

/** `header.payload.signature` with the given segments replaced. */
export function withSegments(token: string, change: { h?: string; p?: string; s?: string }): string {
  const [h, p, s] = parts(token);
  return `${change.h ?? h}.${change.p ?? p}.${change.s ?? s}`;
}

export { b64url, E };
