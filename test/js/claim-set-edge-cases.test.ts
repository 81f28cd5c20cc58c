/**
 * Claim-set and structure edge cases the vector table does not reach: member names after a string
 * that ends in an escaped backslash (duplicate detection must still see them), an `iat` that JSON
 * turns into Infinity, and the reasons given for a fourth segment or an empty signature.
 */
import { describe, expect, it } from 'vitest';
import { JsBackendClient, JS_ALGORITHMS } from '../../src/backends/js/index.js';
import { parseJsonObject } from '../../src/backends/js/json-object.js';
import type { JwksSnapshot, ValidationRequest } from '../../src/backends/types.js';
import { GopherAuthError } from '../../src/backends/codes.js';
import { TestIssuer } from '../support/issuer.js';

const issuer = new TestIssuer('https://issuer.test/claim-edges');
const request: ValidationRequest = { issuer: issuer.issuer, clockSkew: 60, algorithms: JS_ALGORITHMS };
const doc = issuer.jwks(['rsa2048']);
const snapshot: JwksSnapshot = { keys: doc.keys, json: JSON.stringify(doc), fetchedAt: Date.now(), version: 1 };

function client(): JsBackendClient {
  const c = new JsBackendClient();
  c.setKeys(snapshot);
  return c;
}

const header = '{"alg":"RS256","kid":"rsa2048"}';
const signed = (payloadJson: string): string => issuer.signRaw({ alg: 'RS256', headerJson: header, payloadJson });

describe('duplicate member names after a value ending in an escaped backslash', () => {
  // In `"C:\\"` the closing quote follows two backslashes: it ends the string (an even run escapes nothing).
  it('still finds the duplicate (parser level)', () => {
    expect(parseJsonObject('{"path":"C:\\\\","exp":1,"exp":2}')).toEqual({ ok: false, reason: 'duplicate', name: 'exp' });
    expect(parseJsonObject('{"a":"\\\\\\\\","b":1,"b":2}')).toEqual({ ok: false, reason: 'duplicate', name: 'b' });
    // Without a duplicate the same text is one object with every member.
    expect(parseJsonObject('{"path":"C:\\\\","exp":1,"iss":"x"}')).toEqual({ ok: true, value: { path: 'C:\\', exp: 1, iss: 'x' } });
  });

  it('refuses a signed token whose expired exp hides behind a later duplicate', () => {
    const now = issuer.now();
    const iss = JSON.stringify(issuer.issuer);
    const token = signed(`{"sub":"u","path":"C:\\\\","iss":${iss},"exp":${now - 3600},"exp":${now + 3600}}`);
    expect(client().validateSync(token, request)).toMatchObject({ valid: false, code: GopherAuthError.INVALID_TOKEN, message: 'Duplicate claim: exp' });
  });

  it('accepts a signed token with such a value and no duplicate', () => {
    const now = issuer.now();
    const token = signed(`{"sub":"u","path":"C:\\\\","iss":${JSON.stringify(issuer.issuer)},"exp":${now + 600}}`);
    expect(client().validateSync(token, request).valid).toBe(true);
  });
});

describe('iat that is a number but not finite', () => {
  it('refuses iat 1e999 (JSON.parse reads it as Infinity)', () => {
    const now = issuer.now();
    const token = signed(`{"sub":"u","iss":${JSON.stringify(issuer.issuer)},"exp":${now + 600},"iat":1e999}`);
    expect(client().validateSync(token, request)).toMatchObject({
      valid: false,
      code: GopherAuthError.INVALID_TOKEN,
      message: "JWT payload has an invalid 'iat' claim",
    });
    // Control: a finite iat with an exponent is fine.
    const fine = signed(`{"sub":"u","iss":${JSON.stringify(issuer.issuer)},"exp":${now + 600},"iat":1e9}`);
    expect(client().validateSync(fine, request).valid).toBe(true);
  });
});

describe('structure errors say what is wrong', () => {
  it('a fourth segment is reported as such, not as an undecodable signature', () => {
    const token = `${issuer.sign()}.${issuer.sign().split('.')[2]}`;
    expect(client().validateSync(token, request)).toMatchObject({
      valid: false,
      code: GopherAuthError.INVALID_TOKEN,
      message: 'Invalid JWT format: more than three segments',
    });
  });

  it('an empty signature segment is an empty component', () => {
    const [h, p] = issuer.sign().split('.');
    expect(client().validateSync(`${h}.${p}.`, request)).toMatchObject({
      valid: false,
      code: GopherAuthError.INVALID_TOKEN,
      message: 'Invalid JWT format: empty component',
    });
  });
});
