import { afterEach, describe, expect, it } from 'vitest';
import { GopherAuthClient } from '../../src/core/client.js';
import { MANY_CLIENTS, MANY_CLIENTS_WARNING_CODE, liveClients } from '../../src/core/client-census.js';
import { gopherAuth } from '../../src/http/gopher-auth.js';

const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
process.on('warning', onWarning);
afterEach(() => {
  warnings.length = 0;
});

const ours = () => warnings.filter((w) => (w as Error & { code?: string }).code === MANY_CLIENTS_WARNING_CODE);
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('many live clients for one issuer (a client or gate made per request)', () => {
  it('warns once per issuer when the count reaches the threshold; destroy() counts down', async () => {
    const jwks = 'https://census-a.test/jwks';
    const make = () => new GopherAuthClient(jwks, 'https://census-a.test', { backend: 'js' });
    const first = Array.from({ length: MANY_CLIENTS - 1 }, make);
    await settle();
    expect(ours()).toHaveLength(0);
    first.push(make());
    await settle();
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.message).toContain(`${MANY_CLIENTS} live GopherAuthClients for the JWKS ${jwks}`);
    expect(ours()[0]?.name).toBe('GopherAuthWarning');
    expect(liveClients(jwks, 'https://census-a.test')).toBe(MANY_CLIENTS);
    for (const client of first) {
      client.destroy();
      client.destroy();
    }
    expect(liveClients(jwks, 'https://census-a.test')).toBe(0);
    const again = Array.from({ length: MANY_CLIENTS }, make);
    await settle();
    expect(ours()).toHaveLength(1);
    for (const client of again) client.destroy();
  });

  it('does not warn for many issuers with a client each (multi-tenant)', async () => {
    const clients = Array.from({ length: MANY_CLIENTS + 10 }, (_, i) => new GopherAuthClient(`https://t${i}.census-b.test/jwks`, `https://t${i}.census-b.test`, { backend: 'js' }));
    await settle();
    expect(ours()).toHaveLength(0);
    for (const client of clients) client.destroy();
  });

  it('warns for gopherAuth() gates made per request', async () => {
    const gates = Array.from({ length: MANY_CLIENTS }, () =>
      gopherAuth({ resource: 'https://api.census-c.test/mcp', issuer: 'https://census-c.test', jwksUri: 'https://census-c.test/jwks', backend: 'js' }),
    );
    await settle();
    expect(ours()).toHaveLength(1);
    for (const gate of gates) gate.close();
    expect(liveClients('https://census-c.test/jwks', 'https://census-c.test')).toBe(0);
  });
});
