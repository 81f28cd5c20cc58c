/** Entry point of the `gopher-auth` command. */
import { runDoctor } from './doctor.js';

const USAGE = 'usage: gopher-auth doctor [--require-native] [--json]\n';

export function runCli(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  if (command === 'doctor') return runDoctor(rest);
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  process.stderr.write(`unknown command: ${command}\n${USAGE}`);
  return 2;
}
