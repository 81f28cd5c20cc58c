/** Child scenario: process.exit() while 64 validations run on the pool with log capture on. */
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
report({ started: 64 });
setTimeout(() => process.exit(settled >= 0 ? 0 : 1), Number(process.env.EXIT_AFTER_MS ?? 0));
