import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../../examples/dev-authorization-server/index.js';
import { DEFAULT_GRANT_LIMITS, GrantStore } from '../../examples/dev-authorization-server/grants.js';
import { devAsClient, REDIRECT } from './dev-as-client.js';

let as: DevAuthorizationServer;
let client: ReturnType<typeof devAsClient>;
beforeAll(async () => {
  as = await startDevAuthorizationServer({ refreshTokenTtl: 1, maxPendingCodes: 3 });
  client = devAsClient(as);
});
afterAll(async () => {
  await as.close();
});
afterEach(() => {
  vi.useRealTimers();
});

const refresh = (clientId: string, refreshToken: unknown) =>
  client.token({ grant_type: 'refresh_token', refresh_token: refreshToken as string, client_id: clientId });

describe('development authorization server: refresh token reuse and code replay', () => {
  it('revokes the whole family when a rotated-out refresh token is presented again (RFC 9700 §4.14.2)', async () => {
    const clientId = await client.publicClient();
    const first = await client.codeFlow(clientId);
    const second = await refresh(clientId, first.body.refresh_token);
    expect(second.status).toBe(200);
    const replay = await refresh(clientId, first.body.refresh_token);
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The newer token, possibly in an attacker's hands, is dead too.
    expect(await refresh(clientId, second.body.refresh_token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('revokes the refresh tokens issued from an authorization code that is presented again', async () => {
    const clientId = await client.publicClient();
    const { code, verifier } = await client.authorizeCode(clientId);
    const exchange = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId };
    const first = await client.token(exchange);
    expect(first.status).toBe(200);
    const rotated = await refresh(clientId, first.body.refresh_token);
    expect(rotated.status).toBe(200);
    expect(await client.token(exchange)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await refresh(clientId, rotated.body.refresh_token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('a refused refresh (scope widening, another client) leaves the token usable', async () => {
    const clientId = await client.publicClient();
    const other = await client.publicClient();
    const first = await client.codeFlow(clientId, { scope: 'mcp:read' });
    const wider = await client.token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string, client_id: clientId, scope: 'mcp:admin' });
    expect(wider).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect((await refresh(other, first.body.refresh_token)).status).toBe(400);
    expect((await refresh(clientId, first.body.refresh_token)).status).toBe(200);
  });
});

describe('development authorization server: bounded state', () => {
  it('refresh tokens expire (refreshTokenTtl), rotation does not extend them', async () => {
    const clientId = await client.publicClient();
    const first = await client.codeFlow(clientId);
    await sleep(600);
    const second = await refresh(clientId, first.body.refresh_token);
    expect(second.status).toBe(200);
    await sleep(600);
    expect(await refresh(clientId, second.body.refresh_token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('caps outstanding authorization codes (maxPendingCodes): temporarily_unavailable, then free again once redeemed', async () => {
    const clientId = await client.publicClient();
    const issued = [];
    for (let i = 0; i < 3; i++) issued.push(await client.authorizeCode(clientId, { state: `s${i}` }));
    expect(issued.every((a) => a.code !== undefined)).toBe(true);
    const refused = await client.authorizeCode(clientId, { state: 'over' });
    expect(refused.code).toBeUndefined();
    expect(refused.location?.searchParams.get('error')).toBe('temporarily_unavailable');
    expect(refused.location?.searchParams.get('state')).toBe('over');
    const { code, verifier } = issued[0] as (typeof issued)[number];
    expect((await client.token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId })).status).toBe(200);
    expect((await client.authorizeCode(clientId)).code).toBeDefined();
    // Leave the store empty for the other tests.
    for (const a of [...issued.slice(1)]) {
      await client.token({ grant_type: 'authorization_code', code: a.code, code_verifier: a.verifier, redirect_uri: REDIRECT, client_id: clientId });
    }
  });

  it('prunes expired codes, redeemed-code records and refresh families as new ones arrive', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = new GrantStore({ ...DEFAULT_GRANT_LIMITS, maxPendingCodes: 100, refreshTokenTtlMs: 60_000 });
    const grant = { clientId: 'c', subject: 's', scope: '', resources: [] };
    const pending = { ...grant, redirectUri: REDIRECT, redirectUriGiven: true, codeChallenge: 'x' };
    for (let i = 0; i < 50; i++) store.issueCode(pending);
    const redeemed = store.issueCode(pending);
    expect(store.takeCode(redeemed)).toBeDefined();
    store.startRefreshFamily(grant, redeemed);
    expect(store.sizes).toMatchObject({ codes: 50, redeemedCodes: 1, refreshFamilies: 1, refreshTokens: 1 });

    vi.setSystemTime(Date.now() + 11 * 60_000);
    store.issueCode(pending);
    const next = store.issueCode(pending);
    store.takeCode(next);
    store.startRefreshFamily(grant);
    expect(store.sizes).toMatchObject({ codes: 1, redeemedCodes: 1, refreshFamilies: 1, refreshTokens: 1 });
  });

  it('keeps a bounded number of refresh families and rotated-out tokens', () => {
    const store = new GrantStore({ ...DEFAULT_GRANT_LIMITS, maxRefreshFamilies: 5 });
    const grant = { clientId: 'c', subject: 's', scope: '', resources: [] };
    const first = store.startRefreshFamily(grant);
    for (let i = 0; i < 10; i++) store.startRefreshFamily(grant);
    expect(store.sizes.refreshFamilies).toBe(5);
    expect(store.findRefreshToken(first)).toBeUndefined();
    let token = store.startRefreshFamily(grant);
    for (let i = 0; i < 100; i++) token = store.rotateRefreshToken((store.findRefreshToken(token) as { familyId: string }).familyId);
    expect(store.sizes.refreshTokens).toBeLessThanOrEqual(4 + 21);
  });
});

describe('development authorization server: client registry bounds', () => {
  it('refuses registrations beyond maxClients with a clear 503, and oversized metadata with invalid_client_metadata', async () => {
    const small = await startDevAuthorizationServer({ maxClients: 3 });
    try {
      const smallClient = devAsClient(small);
      small.registerClient({ redirect_uris: [REDIRECT] });
      for (let i = 0; i < 2; i++) expect((await smallClient.register({ redirect_uris: [REDIRECT] })).status).toBe(201);
      const full = await smallClient.register({ redirect_uris: [REDIRECT] });
      expect(full.status).toBe(503);
      expect(full.body).toMatchObject({ error: 'temporarily_unavailable' });
      expect(full.body.error_description).toMatch(/3 clients/);
      expect(() => small.registerClient({ grant_types: ['client_credentials'] })).toThrow(/3 clients/);

      const huge = await devAsClient(as).register({ client_name: 'n'.repeat(60_000), redirect_uris: [REDIRECT] });
      expect(huge).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
    } finally {
      await small.close();
    }
  });
});
