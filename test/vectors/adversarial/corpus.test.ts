/** Shape of the corpus itself; the verdicts are checked by every backend suite through VECTORS. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VECTORS } from '../table.js';
import { ADVERSARIAL_GROUPS, ADVERSARIAL_VECTORS } from './index.js';

describe('adversarial corpus', () => {
  it('is part of the shared table, which holds at least 200 distinct cases', () => {
    expect(VECTORS.length).toBeGreaterThanOrEqual(200);
    expect(new Set(VECTORS.map((v) => v.name)).size).toBe(VECTORS.length);
    for (const c of ADVERSARIAL_VECTORS) expect(VECTORS).toContain(c);
  });

  it('covers every category of issue 8 with cases that say why', () => {
    for (const [group, cases] of Object.entries(ADVERSARIAL_GROUPS)) {
      expect(cases.length, group).toBeGreaterThanOrEqual(20);
    }
    for (const c of ADVERSARIAL_VECTORS) {
      expect(c.why.length, c.name).toBeGreaterThanOrEqual(8);
      expect(c.name.startsWith(`[${c.section}] `)).toBe(true);
    }
    const sections = new Set(ADVERSARIAL_VECTORS.map((c) => c.section));
    expect(sections.size).toBeGreaterThanOrEqual(12);
  });

  it('is described by docs/security.md with its real sizes', () => {
    const doc = readFileSync(new URL('../../../docs/security.md', import.meta.url), 'utf8');
    expect(doc).toContain(`holds **${VECTORS.length} cases**; **${ADVERSARIAL_VECTORS.length}** of them`);
    const files: Record<string, string> = { 'algorithm confusion': 'alg-confusion.ts', 'header tricks': 'header.ts', 'claim tricks': 'claims.ts', 'encoding tricks': 'encoding.ts', 'key tricks': 'key-tricks.ts' };
    for (const [group, cases] of Object.entries(ADVERSARIAL_GROUPS)) {
      const refused = cases.filter((c) => !c.expected.valid).length;
      expect(doc, group).toMatch(new RegExp(`\\(\`${files[group]?.replace('.', '\\.')}\`[^|]*\\| ${cases.length} \\| ${refused} \\|`));
    }
  });

  it('holds both rejections and acceptances, so a backend that refuses everything fails it', () => {
    const accepted = ADVERSARIAL_VECTORS.filter((c) => c.expected.valid).length;
    expect(accepted).toBeGreaterThanOrEqual(20);
    expect(ADVERSARIAL_VECTORS.length - accepted).toBeGreaterThanOrEqual(150);
  });
});
