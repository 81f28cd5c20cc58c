/**
 * The shared vector table through GopherAuthClient with backend 'native' and 'auto'. Never skipped
 * on linux-x64: there the native library must be available, or this suite fails.
 */
import { describe, expect, it } from 'vitest';
import { nativeBackend } from '../../src/backends/native/index.js';
import { platformPackageName } from '../../src/backends/native/platform.js';
import { clientValidator } from '../vectors/client-validator.js';
import { runVectorSuite } from '../vectors/runner.js';

const supported = process.platform === 'linux' && process.arch === 'x64';
if (!supported) {
  console.warn(`native vectors skipped: ${platformPackageName()} is not published, so the native library cannot be installed here`);
}

describe.runIf(supported)('native backend availability on linux-x64', () => {
  it('is available (the vector suites below really run natively)', () => {
    expect(nativeBackend.availability()).toEqual({ available: true });
  });
});

if (supported) {
  runVectorSuite('native backend', clientValidator('native'), { answeredBy: 'native' });
  runVectorSuite('auto backend', clientValidator('auto'), { answeredBy: 'auto' });
}
