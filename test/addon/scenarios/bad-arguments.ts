/**
 * Child scenario: the binding's argument checks (only the package calls it, but a wrong call must
 * be an exception, never an abort): a token array whose getter throws, an array claiming 2^32 − 1
 * elements, fractional and huge handle ids.
 */
import { adoptClient, nativeAddon } from '../../../src/backends/native/addon.js';
import { makeSigner, nativeLibrary, rawClient, tokenCases } from '../fixtures.js';
import { report } from './report.js';

const binding = nativeAddon();
if (binding === null) throw new Error('the addon is not loaded');
const signer = makeSigner();
const client = adoptClient(rawClient(nativeLibrary(), signer.jwksJson));
if (client === null) throw new Error('no client');
const token = tokenCases(signer, makeSigner('other'))[0]!.token;

function outcome(call: () => unknown): string {
  try {
    const value = call();
    if (value instanceof Promise) value.catch(() => undefined);
    return 'returned';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

const getter: string[] = [token];
Object.defineProperty(getter, 1, { get: () => { throw new Error('getter ran'); }, enumerable: true });
const huge: string[] = [];
huge.length = 2 ** 32 - 1;

const id = client.id;
report({
  getter: outcome(() => binding.validateBatch(id, getter, '', null, 60)),
  huge: outcome(() => binding.validateBatch(id, huge, '', null, 60)),
  fractionalId: outcome(() => binding.validateSync(id + 0.5, token, '', null, 60)),
  infiniteId: outcome(() => binding.validateSync(Infinity, token, '', null, 60)),
  destroyFractional: binding.destroy(id + 0.5),
  stillValid: binding.validateSync(id, token, '', null, 60).valid,
});
client.destroy();
