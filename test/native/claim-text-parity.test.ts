/**
 * The library finds a claim by the first `"name"` text: a claim's name written as a value before the
 * member (`"k":"exp"`, `"amr":["exp"]`, `"sub":"iss"`), or a `]` inside a string of an `aud` array,
 * makes it refuse a valid token or give another defect's code. Through 'native' and 'auto' such a
 * refusal gets the JS backend's second opinion, so every backend answers alike. The key set has one
 * key per kid here: a set with twin kids would send every refusal to JS and hide the difference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const issuer = new TestIssuer('https://issuer.test/realms/claim-text');
const I = JSON.stringify(issuer.issuer);
const raw = (payloadJson: string): string => issuer.signRaw({ alg: 'RS256', key: 'rsa2048', headerJson: '{"alg":"RS256","kid":"rsa2048"}', payloadJson });

const cases: [string, (now: number) => string, { audience?: string }?][] = [
  ['"exp" as a value first, token valid', (now) => `{"k":"exp","sub":"u","iss":${I},"exp":${now + 600}}`],
  ['"exp" as a value first, token expired', (now) => `{"k":"exp","sub":"u","iss":${I},"exp":${now - 600}}`],
  ['"exp" as a value first, wrong issuer', (now) => `{"k":"exp","sub":"u","iss":"https://evil.test","exp":${now + 600}}`],
  ['"iss" as a value first, token valid', (now) => `{"k":"iss","sub":"u","iss":${I},"exp":${now + 600}}`],
  ['"exp" in an array first', (now) => `{"amr":["exp"],"sub":"u","iss":${I},"exp":${now + 600}}`],
  ['sub equal to "exp"', (now) => `{"sub":"exp","iss":${I},"exp":${now + 600}}`],
  ['"aud" as a value first', (now) => `{"k":"aud","sub":"u","iss":${I},"exp":${now + 600},"aud":"api"}`, { audience: 'api' }],
  ['aud array with a ] inside a string', (now) => `{"sub":"u","iss":${I},"exp":${now + 600},"aud":["a]","api"]}`, { audience: 'api' }],
];

let server: JwksServer;
const clients: Record<'js' | 'native' | 'auto', GopherAuthClient> = {} as never;

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
  for (const backend of ['js', 'native', 'auto'] as const) {
    clients[backend] = new GopherAuthClient(server.url, issuer.issuer, { backend });
    await clients[backend].ready();
  }
});
afterAll(async () => {
  for (const client of Object.values(clients)) client?.destroy();
  await server.close();
});

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('a claim name written as a value: every backend answers as JS', () => {
  it.each(cases)('%s', async (_name, payload, options) => {
    const token = raw(payload(issuer.now()));
    const js = await clients.js.validateToken(token, options);
    for (const backend of ['native', 'auto'] as const) {
      const result = await clients[backend].validateToken(token, options);
      expect({ valid: result.valid, errorCode: result.errorCode }, backend).toEqual({ valid: js.valid, errorCode: js.errorCode });
      expect(clients[backend].validateTokenSync(token, options).errorCode, `${backend} sync`).toBe(js.errorCode);
    }
  });

  it('the valid cases are valid (the table is not all refusals)', async () => {
    const valid = await Promise.all(cases.map(([, payload, options]) => clients.js.validateToken(raw(payload(issuer.now())), options)));
    expect(valid.filter((r) => r.valid)).toHaveLength(6);
  });
});
