/** `npm run demo [-- --backend js|native|auto]` */
import { runDemo } from './demo.js';

const i = process.argv.indexOf('--backend');
const backend = i >= 0 ? process.argv[i + 1] : 'auto';
if (backend !== 'js' && backend !== 'native' && backend !== 'auto') {
  process.stderr.write('usage: npm run demo -- [--backend js|native|auto]\n');
  process.exit(2);
}
try {
  const result = await runDemo({ backend });
  process.exitCode = result.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
