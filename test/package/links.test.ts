/**
 * Every relative link in the packed Markdown files (README.md, docs/*.md) points at a file that is
 * in the tarball, and every #fragment at a heading of that file: the installed package has no
 * bench/, examples/ or src/, so those are named as plain text in the source repository instead.
 * The file list is npm's own (`npm pack --dry-run --json`, scripts off).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
let packed: Set<string>;

beforeAll(() => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  packed = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
}, 60_000);

/** Markdown without fenced code blocks and code spans, where `[a](b)` is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/(`+)[\s\S]*?\1/g, '');
}

/** Inline links, images, reference definitions and HTML href/src attributes. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const targets: string[] = [];
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!);
  for (const m of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(m[1]!);
  for (const m of text.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)) targets.push(m[1]!);
  return targets;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const result = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = m[1]!
      .toLowerCase()
      .replace(/`/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    result.add(slug);
  }
  return result;
}

describe('links in the packed documentation', () => {
  it('the link finder sees links and ignores code', () => {
    expect(linkTargets('[a](docs/a.md) `[b](c.md)` ![i](img.png "t") <a href="x.md">x</a>\n[r]: ref.md\n```\n[d](e.md)\n```\n')).toEqual([
      'docs/a.md',
      'img.png',
      'ref.md',
      'x.md',
    ]);
  });

  it('every relative link in a packed .md file resolves to a packed file (and heading)', () => {
    const markdown = [...packed].filter((f) => f.endsWith('.md'));
    expect(markdown).toContain('README.md');
    expect(markdown).toContain('docs/addon.md');
    const broken: string[] = [];
    let checked = 0;
    for (const file of markdown) {
      for (const target of linkTargets(readFileSync(path.join(root, file), 'utf8'))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        checked++;
        const [pathPart, fragment] = target.split('#') as [string, string | undefined];
        const resolved = pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(pathPart)));
        if (!packed.has(resolved)) {
          broken.push(`${file}: ${target} (${resolved} is not in the tarball)`);
          continue;
        }
        if (fragment && resolved.endsWith('.md') && !anchors(readFileSync(path.join(root, resolved), 'utf8')).has(fragment)) {
          broken.push(`${file}: ${target} (no heading #${fragment} in ${resolved})`);
        }
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(5);
  });
});
