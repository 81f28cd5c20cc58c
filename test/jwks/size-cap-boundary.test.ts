/**
 * The streamed-body cap at its exact edge: a body without Content-Length that is one byte over
 * maxResponseBytes is refused as too large while streaming (not read whole and then failed as JSON).
 */
import { afterEach, describe, it } from 'vitest';
import { JwksManager } from '../../src/core/jwks/manager.js';
import { startJwksServer } from '../support/jwks-server.js';
import { expectFetchFailure, makeJwks } from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('streamed response size cap, at the boundary', () => {
  it('refuses a body of maxResponseBytes + 1 sent without Content-Length', async () => {
    const server = await startJwksServer({ jwks: makeJwks('a') });
    cleanups.push(() => server.close());
    const cap = 1000;
    server.setFault({ kind: 'huge', bytes: cap + 1 });
    const m = new JwksManager(server.url, { autoRefresh: false, maxResponseBytes: cap });
    cleanups.push(() => m.destroy());
    await expectFetchFailure(m.ready(), /response larger than 1000 bytes/);
  });
});
