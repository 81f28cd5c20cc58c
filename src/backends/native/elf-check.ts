/**
 * A shared object cut short (an interrupted install, a full disk) is mapped by dlopen all the same,
 * and the first touch of a page past the end of the file kills the process with SIGBUS: there is no
 * error to catch. Before the library (with the siblings beside it) or the addon is loaded, the
 * segments the loader maps are checked against the file's size.
 */
import { closeSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import path from 'node:path';

const PT_LOAD = 1;

/**
 * Why `file` is a 64-bit little-endian ELF object whose mapped segments run past its end (or whose
 * headers do), or null. Anything else (unreadable, not ELF) is left to dlopen, which refuses it.
 */
export function truncatedElf(file: string): string | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(64);
    const got = readSync(fd, head, 0, 64, 0);
    if (got < 4 || head.readUInt32BE(0) !== 0x7f454c46) return null;
    if (got < 64) return `the ELF header is cut short (${size} bytes)`;
    if (head[4] !== 2 || head[5] !== 1) return null;
    const phoff = Number(head.readBigUInt64LE(0x20));
    const phentsize = head.readUInt16LE(0x36);
    const phnum = head.readUInt16LE(0x38);
    if (phentsize < 56 || phoff + phentsize * phnum > size) return `the program headers end past the end of the ${size}-byte file`;
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      const at = i * phentsize;
      if (table.readUInt32LE(at) !== PT_LOAD) continue;
      const end = Number(table.readBigUInt64LE(at + 8)) + Number(table.readBigUInt64LE(at + 0x20));
      if (end > size) return `a loaded segment ends at byte ${end} of a ${size}-byte file`;
    }
    return null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * `file` and the shared objects beside it (the bundled dependencies its RUNPATH `$ORIGIN` finds):
 * the first that is cut short, named, or null.
 */
export function truncatedLibrary(file: string): string | null {
  const own = truncatedElf(file);
  if (own !== null) return `${path.basename(file)}: ${own}`;
  const dir = path.dirname(file);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    if (!/\.so(\.|$)/.test(name) || path.join(dir, name) === file) continue;
    const problem = truncatedElf(path.join(dir, name));
    if (problem !== null) return `${name} (beside it): ${problem}`;
  }
  return null;
}
