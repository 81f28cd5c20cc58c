/**
 * Hazard "naive claim parser" on every user path. claims.test.ts proves the JS re-check in-process
 * (addon loaded) through GopherAuthClient; the HTTP gate's native test (test/http/native-gate.test.ts)
 * sends no misread token and kept passing with the re-check removed, and the koffi-only path
 * (GOPHER_AUTH_ADDON=off: one `.async` call per token instead of addon batches) was not run.
 * Here: GopherAuthClient and the gate (web gate and Node middleware), backends 'native' and 'auto',
 * with the addon and without, sync / one at a time / concurrent. Control: claims.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

interface PathOutcome {
  answeredBy: string;
  good: unknown;
  accepted: string[];
}
type Outcome = { addon: boolean } & Record<string, PathOutcome>;

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('misread claims refused on every path (child process)', () => {
  for (const addon of ['default', 'off'] as const) {
    it(`addon ${addon}: GopherAuthClient and the HTTP gate, 'native' and 'auto', refuse every misread token`, async () => {
      const run = await runFixture<Outcome>('claims-paths.ts', { env: { GOPHER_AUTH_ADDON: addon === 'off' ? 'off' : undefined }, timeoutMs: 110_000 });
      expect(run.signal, run.stderr).toBeNull();
      expect(run.code, run.stderr).toBe(0);
      const r = run.result!;
      expect(r.addon).toBe(addon === 'default');
      for (const backend of ['native', 'auto'] as const) {
        const client = r[`client-${backend}`]!;
        const gate = r[`gate-${backend}`]!;
        expect(client.answeredBy, `client ${backend}`).toBe('native');
        expect(gate.answeredBy, `gate ${backend}`).toBe('native');
        expect(client.good, `client ${backend}`).toBe(true);
        expect(gate.good, `gate ${backend}`).toEqual({ web: 200, node: 200, admin: 200 });
        expect(client.accepted, `client ${backend}`).toEqual([]);
        expect(gate.accepted, `gate ${backend}`).toEqual([]);
      }
    });
  }
});
