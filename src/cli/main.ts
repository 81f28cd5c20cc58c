/** Entry point of the `gopher-auth` command. */
import { runDoctor } from './doctor.js';

const USAGE = 'usage: gopher-auth doctor [--require-native] [--json]\n';

export function runCli(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  if (command === 'doctor') return runDoctor(rest);
  process.stdout.write(command === undefined || command === '--help' || command === '-h' ? USAGE : `unknown command: ${command}\n${USAGE}`);
  return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}
