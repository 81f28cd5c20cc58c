/**
 * Child scenario: 1,000 rounds of destroy() racing validations in flight on the libuv pool.
 * Every call started before destroy must settle with the right verdict; every call after it must
 * fail with ERR_GOPHER_ADDON_DESTROYED; each native client must be freed exactly once.
 */
import { addonStats, addonStatus, adoptClient } from '../../../src/backends/native/addon.js';
import { makeSigner, nativeLibrary, rawClient, tokenCases } from '../fixtures.js';
import { report } from './report.js';

const ROUNDS = Number(process.env.ROUNDS ?? 1000);
const library = nativeLibrary();
const signer = makeSigner();
const cases = tokenCases(signer, makeSigner('other-key'));
const tick = () => new Promise((resolve) => setImmediate(resolve));

let wrongVerdicts = 0;
let unexpectedRejections = 0;
let afterDestroyRejected = 0;
let afterDestroyAccepted = 0;
let validated = 0;
let doubleDestroyRefused = 0;
let doubleAdoptRefused = 0;
const samples: string[] = [];

function isDestroyedError(err: unknown): boolean {
  return (err as { code?: string }).code === 'ERR_GOPHER_ADDON_DESTROYED';
}

async function afterDestroy(client: NonNullable<ReturnType<typeof adoptClient>>): Promise<void> {
  const tc = cases[0]!;
  await client.validate(tc.token, '', null, 60).then(
    () => afterDestroyAccepted++,
    (err: unknown) => (isDestroyedError(err) ? afterDestroyRejected++ : unexpectedRejections++),
  );
  try {
    client.validateSync(tc.token, '', null, 60);
    afterDestroyAccepted++;
  } catch (err) {
    if (isDestroyedError(err)) afterDestroyRejected++;
    else unexpectedRejections++;
  }
  try {
    client.setJwks(signer.jwksJson);
    afterDestroyAccepted++;
  } catch (err) {
    if (isDestroyedError(err)) afterDestroyRejected++;
    else unexpectedRejections++;
  }
  if (!client.destroy()) doubleDestroyRefused++;
}

async function round(index: number): Promise<void> {
  const pointer = rawClient(library, signer.jwksJson);
  const client = adoptClient(pointer);
  if (!client) throw new Error(`addon not loaded: ${addonStatus().reason ?? ''}`);
  if (index % 50 === 0) {
    try {
      adoptClient(pointer);
    } catch {
      doubleAdoptRefused++;
    }
  }
  const when = index % 4;
  if (when === 3) {
    client.destroy();
    await afterDestroy(client);
    return;
  }
  const count = 8 + (index % 25);
  const calls = Array.from({ length: count }, (_, i) => {
    const tc = cases[(index + i) % cases.length]!;
    return client.validate(tc.token, tc.scopes, tc.audience, 60).then(
      (r) => {
        validated++;
        if (r.valid !== tc.valid || r.code !== tc.code || r.message !== tc.message) {
          wrongVerdicts++;
          if (samples.length < 5) samples.push(`${tc.name}: ${JSON.stringify(r)}`);
        }
      },
      (err: unknown) => {
        unexpectedRejections++;
        if (samples.length < 5) samples.push(`rejected: ${String(err)}`);
      },
    );
  });
  if (index % 7 === 0) client.setJwks(signer.jwksJson);
  if (when === 1) await tick();
  if (when === 2) await Promise.race(calls);
  client.destroy();
  await afterDestroy(client);
  await Promise.all(calls);
}

const started = Date.now();
for (let i = 0; i < ROUNDS; i++) await round(i);
// Deferred frees happen as the last call of each client completes; give the loop one turn.
await tick();
const stats = addonStats();
report({
  rounds: ROUNDS,
  validated,
  wrongVerdicts,
  unexpectedRejections,
  afterDestroyRejected,
  afterDestroyAccepted,
  doubleDestroyRefused,
  doubleAdoptRefused,
  samples,
  stats,
  nodeOpenSslError: library.peekNodeOpenSslError(),
  ms: Date.now() - started,
});
