import { describe, expect, it, vi } from 'vitest';
import { runFixture } from './run-fixture.js';

// Child processes on a shared 2-core machine can be slow to start; hangs are still bounded.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface Outcome {
  sample: { rc: number; value: string | null };
  metadata: { rc: number; value: string | null };
  escapes: boolean | null;
  lengths: number;
  growthMiB: number;
}

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('native builders (diagnostics only)', () => {
  it('owned strings are copied and freed once: 20,000 calls of 4 KiB each neither crash nor leak', async () => {
    const run = await runFixture<Outcome>('builders.ts', { args: [], env: { NODE_OPTIONS: '--expose-gc' } });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(run.stdout.length).toBe(0);
    const r = run.result;
    let expectedLengths = 0;
    for (let i = 0; i < 20000; i++) {
      expectedLengths += `Bearer realm="realm-${i}" error="invalid_token" error_description="${'d'.repeat(4096)}"`.length;
    }
    expect(r?.lengths).toBe(expectedLengths);
    // 20,000 leaked results would be ~80 MiB.
    expect(r?.growthMiB).toBeLessThan(40);
    // Why core never sends their output: quotes and newlines pass through unescaped, and the
    // resource metadata advertises query-string tokens.
    expect(r?.sample).toEqual({ rc: 0, value: 'Bearer realm="r"x" error="invalid_token" error_description="line1\nline2"' });
    expect(r?.escapes).toBe(false);
    expect(JSON.parse(r?.metadata.value ?? '{}')).toMatchObject({
      resource: 'https://mcp.test',
      authorization_servers: ['https://as.test'],
      scopes_supported: ['read', 'write'],
      bearer_methods_supported: ['header', 'query'],
    });
  });
});
