/** `npm run conformance [-- --backend js|native|auto]` */
import { runConformance } from './conformance.js';

const i = process.argv.indexOf('--backend');
const backend = i >= 0 ? process.argv[i + 1] : 'auto';
if (backend !== 'js' && backend !== 'native' && backend !== 'auto') {
  process.stderr.write('usage: npm run conformance -- [--backend js|native|auto]\n');
  process.exit(2);
}
const { ok, results } = await runConformance({ backend });
for (const r of results.filter((x) => !x.ok)) process.stderr.write(`\n--- ${r.mode} ${r.scenario}\n${r.output}\n`);
process.exitCode = ok ? 0 : 1;
