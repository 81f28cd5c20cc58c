/**
 * Hazards "unknown-kid DoS" and "blocking fetch" on the paths unknown-kid.test.ts does not run:
 * backend 'auto' (the default) and the koffi-only path (GOPHER_AUTH_ADDON=off, one `.async` call per
 * token). This file runs in its own vitest fork; the addon is loaded lazily, so switching it off
 * here, before anything loads it, puts every native call in this file on koffi.
 * Containment: native clients never get the real JWKS URI and have auto_refresh=false; the JS
 * manager refetches at most once per cooldown and never on the event loop's thread.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.GOPHER_AUTH_ADDON = 'off';
});

import { addonStatus } from '../../src/backends/native/addon.js';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { slowUnknownKidRefetch, unknownKidFlood } from './unknown-kid-scenarios.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const issuer = new TestIssuer('https://issuer.test/realms/native-koffi');
let server: JwksServer;

beforeAll(async () => {
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
});
afterAll(() => server.close());

describe.runIf(process.platform === 'linux' && process.arch === 'x64')("unknown-kid flood, backend 'auto', koffi only", () => {
  it('the addon is off in this file', () => {
    expect(addonStatus()).toMatchObject({ loaded: false, reason: 'disabled by GOPHER_AUTH_ADDON' });
  });

  it('900 tokens, 600 with fresh unknown kids: at most one refetch, every valid token validates natively', () =>
    unknownKidFlood(server, issuer, {}));

  it('a slow (1.5 s) refetch for an unknown kid never blocks the event loop; valid tokens keep validating', () =>
    slowUnknownKidRefetch(server, issuer, {}));
});

// 'native' asks the library about every kid, plain or not: were a native client ever given the real
// JWKS URI or auto-refresh, its fetches would show in the server's count here.
describe.runIf(process.platform === 'linux' && process.arch === 'x64')("unknown-kid flood, backend 'native', koffi only", () => {
  it('900 tokens, 600 with fresh unknown kids: at most one refetch, every valid token validates natively', () =>
    unknownKidFlood(server, issuer, { backend: 'native' }));

  it('a slow (1.5 s) refetch for an unknown kid never blocks the event loop; valid tokens keep validating', () =>
    slowUnknownKidRefetch(server, issuer, { backend: 'native' }));
});
