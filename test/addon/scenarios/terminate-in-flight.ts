/**
 * Child scenario: worker threads terminated at a random moment while they keep native validations
 * in flight (backend batches, single async calls and GopherAuthClient batches; valid or badly
 * signed tokens in turn: terminate-worker.ts), ROUNDS rounds of WORKERS workers. MAIN_HOLDS=0: the main thread
 * holds no native client meanwhile (the workers are the library's only holders). Afterwards the
 * main thread validates natively and every verdict must be right.
 */
import { GopherAuthClient } from '../../../src/core/client.js';
import { addonStats } from '../../../src/backends/native/addon.js';
import { TestIssuer } from '../../support/issuer.js';
import { startJwksServer } from '../../support/jwks-server.js';
import { startTsWorker } from '../../support/ts-worker.js';
import { report } from './report.js';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const WORKERS = Number(process.env.WORKERS ?? 2);
const issuer = new TestIssuer('https://issuer.test/terminate');
const jwksDoc = issuer.jwks(['rsa2048']);
const jwks = await startJwksServer({ jwks: jwksDoc });
const good = Array.from({ length: 8 }, (_, i) => issuer.sign({ claims: { sub: `user-${i}` } }));
// Signed by another key under the JWKS key's kid: the library's RSA verification fails.
const bad = Array.from({ length: 8 }, (_, i) => issuer.sign({ key: 'rsa2048b', kid: 'rsa2048', claims: { sub: `user-${i}` } }));
const workerFile = new URL('./terminate-worker.ts', import.meta.url);

const workerErrors: string[] = [];
function runWorker(variant: number): Promise<number> {
  const worker = startTsWorker(workerFile, {
    workerData: {
      jwksUrl: jwks.url,
      jwksJson: JSON.stringify(jwksDoc),
      issuer: issuer.issuer,
      tokens: variant % 2 === 0 ? good : bad,
    },
  });
  return new Promise((resolve) => {
    worker.once('message', () => setTimeout(() => void worker.terminate(), 10 + Math.random() * 40));
    worker.on('error', (err: Error) => workerErrors.push(String(err)));
    worker.on('exit', resolve);
  });
}

const holder = process.env.MAIN_HOLDS === '0' ? null : new GopherAuthClient(jwks.url, issuer.issuer, { backend: 'native' });
await holder?.ready();
const exits: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  exits.push(...(await Promise.all(Array.from({ length: WORKERS }, (_, k) => runWorker(round * WORKERS + k)))));
}

const client = holder ?? new GopherAuthClient(jwks.url, issuer.issuer, { backend: 'native' });
await client.ready();
let checked = 0;
let wrong = 0;
for (let pass = 0; pass < 4; pass++) {
  // Concurrent calls go to the pool in batches; one awaited at a time runs on this thread.
  const tokens = [...good, ...bad, ...good, ...bad];
  const verdicts = await Promise.all(tokens.map((t) => client.validateToken(t)));
  verdicts.forEach((v, i) => (v.valid !== good.includes(tokens[i] as string) ? wrong++ : checked++));
  for (const token of [good[pass], bad[pass]] as string[]) {
    ((await client.validateToken(token)).valid !== good.includes(token) ? wrong++ : checked++);
  }
}
client.destroy();
await jwks.close();
report({ rounds: ROUNDS, workers: exits.length, exits: [...new Set(exits)], workerErrors, checked, wrong, addonLoaded: addonStats().attached === true });
