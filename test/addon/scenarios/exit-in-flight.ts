/** Child scenario: process.exit() while 64 validations run on the pool and 1,024 more in batches on the helper threads, with log capture on. */
import { adoptClient, setAddonLogger } from '../../../src/backends/native/addon.js';
import { makeSigner, nativeLibrary, rawClient, tokenCases } from '../fixtures.js';
import { report } from './report.js';

const library = nativeLibrary();
const signer = makeSigner();
const cases = tokenCases(signer, makeSigner('other-key'));
const client = adoptClient(rawClient(library, signer.jwksJson))!;
setAddonLogger({ debug: () => {} });
let settled = 0;
for (let i = 0; i < 64; i++) {
  const tc = cases[i % cases.length]!;
  void client.validate(tc.token, tc.scopes, tc.audience, 60).then(() => settled++);
}
// More batches than helpers can finish before the exit: some are running when it comes.
for (let i = 0; i < 64 * 16; i += 16) {
  const batch = Array.from({ length: 16 }, (_, j) => cases[(i + j) % cases.length]!.token);
  void client.validateBatch(batch, '', null, 60).then(() => settled++);
}
report({ started: 64 + 64 * 16 });
setTimeout(() => process.exit(settled >= 0 ? 0 : 1), Number(process.env.EXIT_AFTER_MS ?? 0));
