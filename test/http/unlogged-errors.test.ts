import { createServer } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gopherAuth, type GopherAuth } from '../../src/http/gopher-auth.js';
import { UNLOGGED_ERROR_WARNING_CODE } from '../../src/http/unlogged-errors.js';
import type { Logger } from '../../src/core/logger.js';
import { TestIssuer } from '../support/issuer.js';

const RESOURCE = 'http://127.0.0.1:9/mcp';
const issuer = new TestIssuer('http://127.0.0.1:9/realms/nowhere');
const gates: GopherAuth[] = [];
const warnings: Error[] = [];
const onWarning = (warning: Error): void => {
  if ((warning as Error & { code?: string }).code === UNLOGGED_ERROR_WARNING_CODE) warnings.push(warning);
};
process.on('warning', onWarning);

afterEach(() => {
  for (const gate of gates.splice(0)) gate.close();
  warnings.length = 0;
});

/** A loopback port nothing listens on any more, as with a mistyped issuer or JWKS URL. */
let deadJwks = '';
beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  deadJwks = `http://127.0.0.1:${port}/jwks`;
});

const request = (token: string) => ({ method: 'POST', url: '/mcp', authorization: [`Bearer ${token}`], body: async () => undefined });
const warningsSoon = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('a gate without a logger', () => {
  it('turns its first error (here: the JWKS cannot be fetched, 503) into one process warning', async () => {
    const auth = gopherAuth({ resource: RESOURCE, issuer: issuer.issuer, jwksUri: deadJwks, backend: 'js' });
    gates.push(auth);
    const token = issuer.sign({ claims: { aud: RESOURCE } });
    for (let i = 0; i < 3; i++) {
      const outcome = await auth.authenticate(request(token));
      expect('error' in outcome && outcome.error.kind).toBe('unavailable');
    }
    await warningsSoon();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.name).toBe('GopherAuthWarning');
    expect(warnings[0]?.message).toMatch(/^gopher-auth: request refused: Failed to fetch JWKS: request failed: .*ECONNREFUSED.*pass \{ logger \} to see them\.$/);
    expect(warnings[0]?.message).not.toContain(token);
  });

  it('stays silent with a logger of its own, and for plain refusals (a missing token)', async () => {
    const errors: unknown[] = [];
    const logger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (obj) => errors.push(obj) };
    const logged = gopherAuth({ resource: RESOURCE, issuer: issuer.issuer, jwksUri: deadJwks, backend: 'js', logger });
    const quiet = gopherAuth({ resource: RESOURCE, issuer: issuer.issuer, jwksUri: deadJwks, backend: 'js' });
    gates.push(logged, quiet);
    await logged.authenticate(request(issuer.sign({ claims: { aud: RESOURCE } })));
    await quiet.authenticate({ method: 'POST', url: '/mcp', authorization: [], body: async () => undefined });
    await warningsSoon();
    expect(errors.length).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
  });
});
