/**
 * Child scenario: the addon's key cache (native/key_cache.h) through the package's own loader, so
 * GOPHER_AUTH_NATIVE_KEY_CACHE is honoured. Every verdict is compared with the one expected; the
 * cache's counters are read around each step.
 */
import { addonStats, addonStatus, nativeAddon } from '../../../src/backends/native/addon.js';
import { GopherAuthError } from '../../../src/backends/codes.js';
import { AUDIENCE, baseClaims, makeSigner, mint, nativeLibrary, rawClient, tokenCases, type Signer } from '../fixtures.js';
import { report } from './report.js';

const library = nativeLibrary();
const binding = nativeAddon();
if (binding === null) throw new Error(`addon not loaded: ${addonStatus().reason ?? ''}`);

const counters = (): { hits: number; misses: number; entries: number } => {
  const s = addonStats();
  return { hits: s.keyCacheHits ?? -1, misses: s.keyCacheMisses ?? -1, entries: s.keyCacheEntries ?? -1 };
};
const wrong: string[] = [];
const expectVerdict = (name: string, r: { valid: boolean; code: number }, valid: boolean, code: number): void => {
  if (r.valid !== valid || r.code !== code) wrong.push(`${name}: got valid=${r.valid} code=${r.code}, want valid=${valid} code=${code}`);
};
const jwksOf = (...signers: Signer[]): string =>
  JSON.stringify({ keys: signers.map((s) => JSON.parse(s.jwksJson).keys[0]) });

// 1. The library's own verdicts, twice over (the second pass answered from the cache).
const signer = makeSigner();
const id = binding.adopt(rawClient(library, signer.jwksJson));
const start = counters();
for (let pass = 0; pass < 2; pass++) {
  for (const tc of tokenCases(signer, makeSigner('other-key'))) {
    const r = await binding.validate(id, tc.token, tc.scopes, tc.audience, 60);
    expectVerdict(`pass ${pass} ${tc.name}`, r, tc.valid, tc.code);
    const s = binding.validateSync(id, tc.token, tc.scopes, tc.audience, 60);
    expectVerdict(`pass ${pass} sync ${tc.name}`, s, tc.valid, tc.code);
  }
}
const afterCases = counters();

// 2. A new key under the same kid: the cache is keyed by the key itself, never by its kid.
const successor = makeSigner(signer.kid);
const oldToken = mint(signer, baseClaims());
const newToken = mint(successor, baseClaims());
expectVerdict('old key, before rotation', binding.validateSync(id, oldToken, '', AUDIENCE, 60), true, 0);
binding.setJwks(id, successor.jwksJson);
expectVerdict('old key after rotation', binding.validateSync(id, oldToken, '', AUDIENCE, 60), false, GopherAuthError.INVALID_SIGNATURE);
expectVerdict('new key after rotation', binding.validateSync(id, newToken, '', AUDIENCE, 60), true, 0);
expectVerdict('old key after rotation, async', await binding.validate(id, oldToken, '', AUDIENCE, 60), false, GopherAuthError.INVALID_SIGNATURE);
binding.setJwks(id, signer.jwksJson);
expectVerdict('new key after rotating back', binding.validateSync(id, newToken, '', AUDIENCE, 60), false, GopherAuthError.INVALID_SIGNATURE);
expectVerdict('old key after rotating back', binding.validateSync(id, oldToken, '', AUDIENCE, 60), true, 0);
binding.destroy(id);

// 3. More keys than the cache may hold (KEY_CACHE_TEST_KEYS, 12), 64 at a time on the pool, half forged.
const many = Array.from({ length: Number(process.env.KEY_CACHE_TEST_KEYS ?? 12) }, (_, i) => makeSigner(`k${i}`));
const manyId = binding.adopt(rawClient(library, jwksOf(...many)));
const forgedBy = makeSigner('forger');
const cases = many.flatMap((s, i) => {
  const good = mint(s, baseClaims({ jti: `g${i}` }));
  const forged = `${good.slice(0, good.lastIndexOf('.'))}.${mint(forgedBy, baseClaims()).split('.')[2] ?? ''}`;
  return [
    { name: `${s.kid} good`, token: good, valid: true, code: 0 },
    { name: `${s.kid} forged`, token: forged, valid: false, code: GopherAuthError.INVALID_SIGNATURE },
  ];
});
for (let round = 0; round < 3; round++) {
  for (let i = 0; i < cases.length; i += 64) {
    const slice = cases.slice(i, i + 64);
    const batches = [0, 16, 32, 48].map((j) => slice.slice(j, j + 16)).filter((b) => b.length > 0);
    const answers = await Promise.all(
      batches.map((b) => binding.validateBatch(manyId, b.map((c) => c.token), '', AUDIENCE, 60)),
    );
    answers.flat().forEach((r, k) => {
      const c = slice[k]!;
      expectVerdict(`round ${round} ${c.name}`, r, c.valid, c.code);
    });
  }
}
const afterMany = counters();

// 4. One key in constant use between all the others, one at a time: never the one evicted.
const hot = cases[0]!.token;
let hotMisses = 0;
for (let round = 0; round < 2; round++) {
  for (let i = 1; i < many.length; i++) {
    const before = counters().misses;
    expectVerdict('hot key', binding.validateSync(manyId, hot, '', AUDIENCE, 60), true, 0);
    if (round > 0 || i > 1) hotMisses += counters().misses - before;
    expectVerdict(`key ${i} among`, binding.validateSync(manyId, cases[2 * i]!.token, '', AUDIENCE, 60), true, 0);
  }
}
binding.destroy(manyId);

report({
  attach: addonStatus().attach ?? null,
  wrong,
  start,
  afterCases,
  afterMany,
  hotMisses,
  capacity: addonStats().keyCacheCapacity ?? -1,
  validations: addonStats().validations ?? 0,
});
