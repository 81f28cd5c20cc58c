/** Child scenario: load the addon binary named by ADDON_FILE (not via node-gyp-build) and validate with it. */
import { createRequire } from 'node:module';
import type { AddonBinding } from '../../../src/backends/native/addon-binding.js';
import { makeSigner, nativeLibrary, rawClient, tokenCases } from '../fixtures.js';
import { report } from './report.js';

const library = nativeLibrary();
const binding = createRequire(import.meta.url)(process.env.ADDON_FILE!) as AddonBinding;
const attach = binding.attach(library.info.path!, library.info.loadMode === 'deepbind');
binding.setLogCapture('drop');
const signer = makeSigner();
const id = binding.adopt(rawClient(library, signer.jwksJson));
const answers = [];
for (const tc of tokenCases(signer, makeSigner('other-key'))) {
  const r = await binding.validate(id, tc.token, tc.scopes, tc.audience, 60);
  answers.push({ name: tc.name, ok: r.valid === tc.valid && r.code === tc.code && r.message === tc.message });
}
binding.destroy(id);
report({ attach, answers, stats: binding.stats() });
