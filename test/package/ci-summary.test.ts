/**
 * `.ci/summary.mjs` prints CI's closing line and, above it, every failed test by name: CI logs are
 * often seen only by their tail, and a count alone does not say what to fix. Fed real vitest JSON
 * reports from a scratch project run in a child process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'gopher-auth-ci-summary-'));
  writeFileSync(path.join(scratch, 'mixed.test.js'), `
    test('adds up', () => { expect(1 + 1).toBe(2); });
    test('is wrong on purpose', () => { expect(1 + 1).toBe(3); });
    test.skip('is skipped', () => {});
  `);
  writeFileSync(path.join(scratch, 'broken.test.js'), `throw new Error('this file cannot load');\n`);
  writeFileSync(path.join(scratch, 'clean.test.js'), `test('passes', () => { expect(true).toBe(true); });\n`);
  report('mixed', ['mixed.test.js', 'broken.test.js']);
  report('clean', ['clean.test.js']);
}, 60_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function report(name: string, files: string[]): void {
  spawnSync(process.execPath, [vitest, 'run', '--root', scratch, '--globals', '--reporter=json', `--outputFile.json=${path.join(scratch, `${name}.json`)}`, ...files], { stdio: 'pipe' });
}

function summary(...reports: string[]): { status: number | null; lines: string[] } {
  const run = spawnSync(process.execPath, [path.join(root, '.ci', 'summary.mjs'), ...reports.map((name) => path.join(scratch, `${name}.json`))], { cwd: root, encoding: 'utf8' });
  return { status: run.status, lines: run.stdout.trimEnd().split('\n') };
}

it('names each failed test and each file that failed to load above the closing line, and exits 1', () => {
  const { status, lines } = summary('clean', 'mixed');
  expect(status).toBe(1);
  expect(lines.at(-1)).toBe('tests: 2 passed, 2 failed, 1 skipped');
  expect(lines[0]).toBe('failed:');
  const listed = lines.slice(1, -1).join('\n');
  expect(listed).toMatch(/mixed: .*mixed\.test\.js > is wrong on purpose\n\s+AssertionError: expected 2 to be 3/);
  expect(listed).toMatch(/mixed: .*broken\.test\.js \(the file itself failed\)\n\s+.*this file cannot load/);
  expect(listed).not.toMatch(/adds up|passes|skipped/);
});

it('prints only the closing line, and exits 0, when everything passed', () => {
  expect(summary('clean')).toEqual({ status: 0, lines: ['tests: 1 passed, 0 failed, 0 skipped'] });
});

it('the closing line is what CI greps for', () => {
  const ci = readFileSync(path.join(root, '.ci', 'run'), 'utf8');
  expect(ci).toMatch(/node \.ci\/summary\.mjs "\$reports"\/\*\.json/);
});
