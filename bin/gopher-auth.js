#!/usr/bin/env node
// The `gopher-auth` command: runs the built CLI from dist/, or the TypeScript sources through tsx
// in a development checkout that has not been built.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli.js', import.meta.url);
let cli;
if (existsSync(built)) {
  cli = await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
process.exitCode = cli.runCli(process.argv.slice(2));
