/**
 * ASan stress through GopherAuthClient ('native'): clients created, used with many calls in flight,
 * then destroyed mid-flight or dropped (FinalizationRegistry path, gc forced) while the logger is
 * switched and a key rotation (setJwks through the addon) happens; ends with process.exit() in flight.
 * Run with --expose-gc.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GopherAuthClient } from '../../src/core/client.js';
import { addonStats, setAddonLogger } from '../../src/backends/native/addon.js';
import { TestIssuer } from '../support/issuer.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const SECONDS = Number(process.env.SECONDS ?? 20);
const issuer = new TestIssuer('https://issuer.test/stress');
let jwks = JSON.stringify(issuer.jwks(['rsa2048']));
const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
let urls = 0;
const good = Array.from({ length: 8 }, (_, i) => issuer.sign({ claims: { sub: `user-${i}\nsecond line` } }));
const bad = issuer.sign({ key: 'rsa2048b', kid: 'rsa2048' });
const tokens = [...good, bad, 'a.b.c', 'x'.repeat(9000)];
const pick = <T>(a: T[]): T => a[Math.floor(Math.random() * a.length)] as T;
let answered = 0;
let wrong = 0;
let errors = 0;

async function round(): Promise<void> {
  let client: GopherAuthClient | null = new GopherAuthClient(`${base}/t/${urls++}/jwks`, issuer.issuer, { backend: 'native', autoRefresh: false });
  await client.ready();
  const c = client;
  const calls = Array.from({ length: 20 + Math.floor(Math.random() * 60) }, () => {
    const t = pick(tokens);
    return c.validateToken(t).then(
      (r) => {
        answered++;
        if (r.valid !== good.includes(t)) wrong++;
      },
      () => errors++,
    );
  });
  if (Math.random() < 0.3) {
    try {
      c.validateTokenSync(pick(tokens));
    } catch {
      errors++;
    }
  }
  if (Math.random() < 0.2) void c.refreshJwks().catch(() => errors++);
  const fate = Math.random();
  if (fate < 0.4) c.destroy(); // mid-flight
  client = null;
  if (fate >= 0.4 && fate < 0.8) {
    gc(); // dropped, calls still in flight: must stay alive until they settle
  }
  await Promise.all(calls);
  gc();
}

const start = Date.now();
let rounds = 0;
while (Date.now() - start < SECONDS * 1000) {
  const r = Math.random();
  if (r < 0.2) setAddonLogger({ debug: () => {} });
  else if (r < 0.4) setAddonLogger(null);
  await Promise.all([round(), round(), round()]);
  rounds += 3;
}
console.error(JSON.stringify({ rounds, answered, wrong, errors, stats: addonStats() }));
// Leave calls in flight and dropped clients around, then exit.
const last = new GopherAuthClient(`${base}/t/${urls++}/jwks`, issuer.issuer, { backend: 'native', autoRefresh: false });
await last.ready();
for (let i = 0; i < 200; i++) void last.validateToken(pick(tokens)).catch(() => {});
setAddonLogger({ debug: () => {} });
process.exit(wrong === 0 ? 0 : 3);
