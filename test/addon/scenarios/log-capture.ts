/**
 * Child scenario: 1,000 validations through the addon with the library's std::cout/std::cerr
 * captured into a test logger. The parent checks that this process's fds 1 and 2 stay empty.
 */
import { addonStats, adoptClient, setAddonLogger } from '../../../src/backends/native/addon.js';
import { SUBJECT, baseClaims, makeSigner, mint, nativeLibrary, rawClient, tokenCases } from '../fixtures.js';
import { report } from './report.js';

const library = nativeLibrary();
const signer = makeSigner();
const cases = tokenCases(signer, makeSigner('other-key'));
const client = adoptClient(rawClient(library, signer.jwksJson));
if (!client) throw new Error('addon not loaded');

const logged: { obj: unknown; msg: string | undefined }[] = [];
const captureOn = setAddonLogger({ debug: (obj, msg) => logged.push({ obj, msg }) });

let wrong = 0;
const mode = process.env.CAPTURE_MODE ?? 'capture';
if (mode === 'drop') setAddonLogger(null);

for (let i = 0; i < 1000; i += 50) {
  await Promise.all(
    Array.from({ length: 50 }, async (_, j) => {
      const tc = cases[(i + j) % cases.length]!;
      const r = await client.validate(tc.token, tc.scopes, tc.audience, 60);
      if (r.code !== tc.code) wrong++;
    }),
  );
}
// A subject that only the token itself knows (no `sub=` pattern around it in a line), through the
// synchronous path, and lines written outside any addon call (koffi on the main thread) that reach
// the logger through the thread-safe function.
const oddSubject = 'odd subject with spaces 42';
const odd = mint(signer, baseClaims({ sub: oddSubject }));
client.validateSync(odd, '', null, 60);
const beforeKoffi = logged.length;
const result = Buffer.alloc(16);
library.api.fn('gopher_auth_validate_token')(
  rawClient(library, signer.jwksJson),
  mint(signer, baseClaims()),
  null,
  result,
);
library.clearNodeOpenSslErrors();
await new Promise((resolve) => setTimeout(resolve, 100));

const texts = logged.map((l) => l.msg ?? '');
report({
  captureOn,
  mode,
  wrong,
  lines: logged.length,
  koffiLines: logged.length - beforeKoffi,
  objects: logged.slice(0, 2).map((l) => l.obj),
  withSubject: texts.filter((t) => t.includes(SUBJECT) || t.includes('spaces 42')).length,
  oddLines: texts.filter((t) => t.includes('for sub=[redacted]')).length,
  redacted: texts.filter((t) => t.includes('[redacted]')).length,
  sample: texts.slice(0, 6),
  stats: addonStats(),
});
