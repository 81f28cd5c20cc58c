/**
 * Child scenario (CASE=worker-logger | toggle | terminate): what a worker thread or a logger switch
 * must never do to the process. 'worker-logger': a worker sets the native logger and exits; the
 * main thread's next native calls (which queue lines for that logger) must not touch its freed
 * callback. 'toggle': the logger switched on and off while batches validate. 'terminate': workers
 * terminated while their native validations are in flight.
 */
import { GopherAuthClient } from '../../../src/core/client.js';
import { gopherSetNativeLogger } from '../../../src/core/library.js';
import { addonStats } from '../../../src/backends/native/addon.js';
import { TestIssuer } from '../../support/issuer.js';
import { startJwksServer } from '../../support/jwks-server.js';
import { startTsWorker } from '../../support/ts-worker.js';
import { report } from './report.js';

const CASE = process.env.CASE ?? 'worker-logger';
const issuer = new TestIssuer('https://issuer.test/capture');
const jwks = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
const tokens = Array.from({ length: 16 }, () => issuer.sign());
const workerFile = new URL('./capture-worker.ts', import.meta.url);

function runWorker(mode: 'logger' | 'busy', terminateAfterMs?: number): Promise<{ message: unknown; exit: number }> {
  const worker = startTsWorker(workerFile, { workerData: { mode, jwksUrl: jwks.url, issuer: issuer.issuer, tokens } });
  let message: unknown = null;
  return new Promise((resolve, reject) => {
    worker.on('message', (m: unknown) => {
      message = m;
      if (terminateAfterMs !== undefined) setTimeout(() => void worker.terminate(), terminateAfterMs);
    });
    worker.on('error', reject);
    worker.on('exit', (exit) => resolve({ message, exit }));
  });
}

const result: Record<string, unknown> = { case: CASE };
if (CASE === 'worker-logger') {
  result['worker'] = await runWorker('logger');
  // Creating clients makes the library print on this thread: lines queued for the logger's sink.
  let valid = 0;
  for (let i = 0; i < 5; i++) {
    const client = new GopherAuthClient(jwks.url, issuer.issuer, { backend: 'native' });
    await client.ready();
    if ((await client.validateToken(tokens[i] as string)).valid) valid++;
    client.destroy();
  }
  result['mainValid'] = valid;
} else if (CASE === 'toggle') {
  const client = new GopherAuthClient(jwks.url, issuer.issuer, { backend: 'native' });
  await client.ready();
  const until = Date.now() + Number(process.env.SECONDS ?? 3) * 1000;
  let validations = 0;
  let wrong = 0;
  let switches = 0;
  const traffic = (async () => {
    while (Date.now() < until) {
      const verdicts = await Promise.all(Array.from({ length: 64 }, (_, i) => client.validateToken(tokens[i % tokens.length] as string)));
      validations += verdicts.length;
      wrong += verdicts.filter((v) => !v.valid).length;
    }
  })();
  while (Date.now() < until) {
    gopherSetNativeLogger(switches % 2 === 0 ? { debug: () => undefined } : null);
    switches++;
    await new Promise((r) => setTimeout(r, 1));
  }
  await traffic;
  gopherSetNativeLogger(null);
  client.destroy();
  Object.assign(result, { validations, wrong, switches });
} else {
  // The main thread holds a client throughout, so the library stays initialised for it.
  const client = new GopherAuthClient(jwks.url, issuer.issuer, { backend: 'native' });
  await client.ready();
  const before = addonStats();
  let rounds = 0;
  for (; rounds < Number(process.env.ROUNDS ?? 20); rounds++) {
    await Promise.all([0, 1, 2].map(() => runWorker('busy', Math.floor(Math.random() * 4))));
  }
  const after = addonStats();
  result['rounds'] = rounds;
  // Each terminated worker's native client is freed by its environment's teardown.
  result['liveHandlesGrew'] = (after.liveHandles ?? 0) - (before.liveHandles ?? 0);
  result['freedByTeardown'] = (after.freedHandles ?? 0) - (before.freedHandles ?? 0);
  result['mainValidAfter'] = (await client.validateToken(tokens[0] as string)).valid;
  client.destroy();
}
result['addonLoaded'] = addonStats().attached === true;
await jwks.close();
report(result);
