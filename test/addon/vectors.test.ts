/**
 * The shared vector table through GopherAuthClient (backend 'native') with the addon loaded, so
 * every asynchronous native validation runs on the libuv pool through the addon.
 */
import { describe, expect, it } from 'vitest';
import { addonStats, addonStatus } from '../../src/backends/native/addon.js';
import { clientValidator } from '../vectors/client-validator.js';
import { runVectorSuite, type VectorEnvironment } from '../vectors/runner.js';
import { NATIVE_ALGORITHMS, VECTORS } from '../vectors/table.js';
import { ensureAddonBuilt } from './build.js';

ensureAddonBuilt();
const native = clientValidator('native');
let validationsBefore = 0;
let keyCacheHitsBefore = 0;

describe('addon in use for the vector run', () => {
  it('is loaded and attached', () => {
    const status = addonStatus();
    expect(status.reason).toBeNull();
    expect(status.loaded).toBe(true);
    validationsBefore = addonStats().validations ?? 0;
    keyCacheHitsBefore = addonStats().keyCacheHits ?? 0;
  });
});

runVectorSuite(
  'native backend through the addon',
  (env: VectorEnvironment) => native(env),
  { answeredBy: 'native' },
);

describe('addon after the vector run', () => {
  it('answered the asynchronous native validations', () => {
    const rsaVectors = VECTORS.filter((v) => NATIVE_ALGORITHMS.includes(v.alg)).length;
    console.info(`addon validations during the vector run: ${(addonStats().validations ?? 0) - validationsBefore} (RS* vectors: ${rsaVectors})`);
    // Some RS* vectors are decided before the library is called (header checks, key misses).
    expect((addonStats().validations ?? 0) - validationsBefore).toBeGreaterThanOrEqual(rsaVectors / 2);
    expect(addonStats().liveHandles).toBe(0);
  });

  it('ran with the key cache on (each key parsed once, not per validation)', () => {
    expect(addonStatus().attach?.keyCache).toBe(true);
    expect((addonStats().keyCacheHits ?? 0) - keyCacheHitsBefore).toBeGreaterThan(0);
  });
});
