import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { USAGE } from '../../examples/auth-mcp-server/cli.js';

const readme = readFileSync(new URL('../../examples/auth-mcp-server/README.md', import.meta.url), 'utf8');

describe('--no-auth documentation', () => {
  it('says next to --no-auth that the default host 0.0.0.0 opens every tool to the network, and how to keep it local', () => {
    // The option's entry: its line and the indented lines continuing it.
    const noAuthEntry = /^ {2}--no-auth .*(?:\n {4,}\S.*)*/m.exec(USAGE)?.[0] ?? '';
    expect(noAuthEntry).toMatch(/0\.0\.0\.0/);
    expect(noAuthEntry).toMatch(/--host 127\.0\.0\.1/);

    const paragraph = readme.split('\n\n').find((p) => p.startsWith('**`--no-auth`'));
    expect(paragraph, 'a README paragraph that starts with **`--no-auth`**').toBeDefined();
    expect(paragraph).toMatch(/0\.0\.0\.0/);
    expect(paragraph).toMatch(/network/);
    expect(paragraph).toMatch(/--host 127\.0\.0\.1/);
  });
});
