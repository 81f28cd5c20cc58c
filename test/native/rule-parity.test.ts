/**
 * Requests for which the library's rules differ from the documented ones whatever the token says:
 * an issuer configured with two or more trailing '/' (the library strips them all from the issuer,
 * one from `iss`), and clock skews over 512 s (`exp + skew` in int64 overflows for an `exp` near
 * 2^63; the addon caps skews at 1e9 s). 'native' and 'auto' must still answer as 'js'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { GopherAuthError } from '../../src/core/errors.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const signer = new TestIssuer('https://issuer.test/unused');
let server: JwksServer;
beforeAll(async () => {
  server = await startJwksServer({ jwks: signer.jwks(['rsa2048']) });
});
afterAll(async () => {
  await server.close();
});

async function verdicts(configuredIssuer: string, payloadJson: string, options?: { audience?: string; clockSkew?: number }): Promise<Record<string, number>> {
  const token = signer.signRaw({ alg: 'RS256', key: 'rsa2048', headerJson: '{"alg":"RS256","kid":"rsa2048"}', payloadJson });
  const out: Record<string, number> = {};
  for (const backend of ['js', 'native', 'auto'] as const) {
    const client = new GopherAuthClient(server.url, configuredIssuer, { backend });
    try {
      await client.ready();
      out[backend] = (await client.validateToken(token, options)).errorCode;
      expect(client.validateTokenSync(token, options).errorCode, `${backend} sync`).toBe(out[backend]);
    } finally {
      client.destroy();
    }
  }
  return out;
}

const all = (code: GopherAuthError) => ({ js: code, native: code, auto: code });
const later = () => signer.now() + 600;

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('rules the library applies differently: every backend answers as JS', () => {
  it('an issuer configured with two trailing slashes accepts its own iss, and refuses a shorter one as an issuer defect', async () => {
    for (const configured of ['https://idp.test/realm//', 'https://idp.test///']) {
      expect(await verdicts(configured, JSON.stringify({ sub: 'u', iss: configured, exp: later() })), configured).toEqual(all(GopherAuthError.SUCCESS));
      const stripped = configured.replace(/\/+$/, '');
      const wrongAudience = JSON.stringify({ sub: 'u', iss: stripped, exp: later(), aud: 'other' });
      expect(await verdicts(configured, wrongAudience, { audience: 'api' }), `${configured} vs ${stripped}`).toEqual(all(GopherAuthError.INVALID_ISSUER));
    }
  });

  it('clock skews over 512 s: an exp near 2^63 does not overflow, and skews over 1e9 s are not cut', async () => {
    const iss = JSON.stringify(signer.issuer);
    expect(await verdicts(signer.issuer, `{"sub":"u","iss":${iss},"exp":9223372036854775295}`, { clockSkew: 600 })).toEqual(all(GopherAuthError.SUCCESS));
    expect(await verdicts(signer.issuer, `{"sub":"u","iss":${iss},"exp":9223372036854770000}`, { clockSkew: 86_400 })).toEqual(all(GopherAuthError.SUCCESS));
    expect(await verdicts(signer.issuer, `{"sub":"u","iss":${iss},"exp":1}`, { clockSkew: 2 ** 31 })).toEqual(all(GopherAuthError.SUCCESS));
    // Control: a token expired beyond the skew stays expired everywhere.
    expect(await verdicts(signer.issuer, `{"sub":"u","iss":${iss},"exp":${signer.now() - 4000}}`, { clockSkew: 600 })).toEqual(all(GopherAuthError.EXPIRED_TOKEN));
  });
});
