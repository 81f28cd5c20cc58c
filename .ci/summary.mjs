// Adds up vitest JSON reports and prints the plain closing line CI reads. Failed tests are listed
// just above it (report, file, test, first line of the error) so a log cut to its tail still names them.
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, relative } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const file of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  for (const suite of report.testResults ?? []) {
    const where = `${basename(file, '.json')}: ${shortPath(suite.name)}`;
    const failedTests = (suite.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failedTests) {
      failures.push(`${where} > ${test.fullName ?? test.title}\n    ${firstLine(test.failureMessages?.[0])}`);
    }
    if (suite.status === 'failed' && failedTests.length === 0) {
      failed += 1; // a file that failed to load or in a hook counts once
      failures.push(`${where} (the file itself failed)\n    ${firstLine(suite.message)}`);
    }
  }
  if (!report.success && failed === 0) failed = 1; // failed in a way no suite shows
}
if (failures.length > 0) console.log(`failed:\n${failures.map((line) => `  ${line}`).join('\n')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

function firstLine(text) {
  const line = String(text ?? '').split('\n').find((part) => part.trim() !== '') ?? '(no message)';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function shortPath(name) {
  const inside = relative(process.cwd(), name);
  return inside.startsWith('..') || isAbsolute(inside) ? name : inside;
}
