/** `gopher-auth doctor`: what the native backend found, loaded and proved in this process. */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { jsBackendAvailable } from './js-backend-probe.js';
import { addonStats, addonStatus, type AddonStatus } from '../backends/native/addon.js';
import { describeVerifyWorkers } from '../backends/js/index.js';
import { describeThreadPriority } from '../backends/thread-priority.js';
import { nativeBuilders, nativeDiagnostics } from '../backends/native/index.js';
import { glibcVersion } from '../backends/native/platform.js';

export interface DoctorOptions {
  requireNative: boolean;
  json: boolean;
}

export function parseDoctorArgs(argv: readonly string[]): DoctorOptions | 'help' | string {
  const options: DoctorOptions = { requireNative: false, json: false };
  for (const arg of argv) {
    if (arg === '--require-native') options.requireNative = true;
    else if (arg === '--json') options.json = true;
    else if (arg === '--help' || arg === '-h') return 'help';
    else return `unknown argument: ${arg}`;
  }
  return options;
}

const DOCTOR_USAGE = `usage: gopher-auth doctor [--require-native] [--json]
  --json             the report as JSON on stdout (nothing else is written there)
  --require-native   exit 1 when the native backend is unavailable (the reason goes to stderr)
`;

export function doctorReport(): Record<string, unknown> {
  const { info, selfTest, availability } = nativeDiagnostics();
  const coverage = info.coverage;
  return {
    platform: `${process.platform}-${process.arch}`,
    libc: glibcVersion() === null ? 'not glibc' : `glibc ${glibcVersion()}`,
    node: process.version,
    nodeExecutable: process.execPath,
    searchAttempts: info.attempts,
    library: info.path,
    libraryVersion: info.version,
    loadMode: info.loadMode,
    dlopenFlags: info.dlopenFlags,
    isolation: info.isolation,
    symbols: coverage
      ? { bound: coverage.bound.length, missing: coverage.missing.map((m) => m.name) }
      : null,
    nodeOpenSslErrorQueueBound: info.nodeOpenSslBound,
    selfTest,
    native: availability,
    autoBackend: availability.available ? 'native' : 'js',
    addon: availability.available ? addonStatus() : null,
    nativeBuildersEscape: availability.available ? nativeBuilders.escapesQuotes() : null,
    jsBackend: jsBackendAvailable(),
    jsWorkers: describeVerifyWorkers(),
    threadPriority: describeThreadPriority(),
  };
}

function line(label: string, value: string): string {
  return `${label.padEnd(18)} ${value}\n`;
}

export function formatDoctorReport(report: Record<string, unknown>): string {
  const { info, selfTest, availability } = nativeDiagnostics();
  let out = 'gopher-auth doctor\n\n';
  out += line('platform', `${String(report.platform)} (${String(report.libc)})`);
  out += line('node', `${process.version} (${process.execPath})`);
  out += '\nlibrary search:\n';
  info.attempts.forEach((a, i) => {
    const where = a.candidate && a.candidate !== a.target ? `${a.target} -> ${a.candidate}` : a.target;
    out += `  ${String(i + 1).padStart(2)}. ${a.source.padEnd(24)} ${a.outcome.padEnd(11)} ${where}${a.detail ? `  (${a.detail})` : ''}\n`;
  });
  out += '\n';
  out += line('library', info.path ?? '(none)');
  out += line('library version', info.version ?? '(unknown)');
  out += line('load mode', info.loadMode === 'deepbind' ? 'isolated (RTLD_NOW | RTLD_DEEPBIND)' : info.loadMode ?? '(not loaded)');
  for (const action of info.isolation) out += line('', action);
  if (info.coverage) {
    const total = info.coverage.bound.length + info.coverage.missing.length;
    out += line('symbols', `${info.coverage.bound.length}/${total} bound`);
    for (const m of info.coverage.missing) out += line('', `missing ${m.name}: ${m.error}`);
  }
  if (selfTest) {
    out += line('self-test', `${selfTest.passed ? 'passed' : 'FAILED'} in ${selfTest.durationMs} ms`);
    for (const s of selfTest.steps) out += line('', `${s.ok ? 'ok  ' : 'FAIL'} ${s.name}: ${s.detail}`);
  } else {
    out += line('self-test', 'not run (library not loaded)');
  }
  out += line('native backend', availability.available ? 'available' : `unavailable: ${availability.reason ?? ''}`);
  const addon = report.addon as AddonStatus | null;
  if (addon) {
    out += line(
      'async path',
      addon.loaded ? `N-API addon (${addon.path ?? '?'})` : `koffi .async (addon not in use: ${addon.reason ?? 'unknown'})`,
    );
    if (addon.attach) {
      const capacity = addonStats().keyCacheCapacity ?? 0;
      out += line(
        'key cache',
        addon.attach.keyCache ? `on (each key parsed once, not on every validation; up to ${capacity} keys)` : `off: ${addon.attach.keyCacheReason ?? 'unknown'}`,
      );
    }
  }
  out += line("backend 'auto'", String(report.autoBackend));
  const workers = report.jsWorkers as ReturnType<typeof describeVerifyWorkers>;
  out += line('JS workers', `${workers.size}${workers.script ? ` (${workers.script})` : ''}${workers.note ? `: ${workers.note}` : ''}`);
  out += line('thread priority', String(report.threadPriority));
  if (report.nativeBuildersEscape === false) {
    out += line('header builders', 'native output is unescaped: the JS WWW-Authenticate/metadata builders are used');
  }
  return out;
}

export function runDoctor(
  argv: readonly string[],
  write: (text: string) => void = (t) => process.stdout.write(t),
  warn: (text: string) => void = (t) => process.stderr.write(t),
): number {
  const options = parseDoctorArgs(argv);
  if (options === 'help') {
    write(DOCTOR_USAGE);
    return 0;
  }
  if (typeof options === 'string') {
    warn(`gopher-auth doctor: ${options}\n${DOCTOR_USAGE}`);
    return 2;
  }
  const report = doctorReport();
  write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
  const native = report.native as { available: boolean };
  if (options.requireNative && !native.available) {
    // stderr: with --json, stdout stays one JSON document a script can parse.
    warn('gopher-auth doctor: --require-native: the native backend is unavailable\n');
    return 1;
  }
  return 0;
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) process.exitCode = runDoctor(process.argv.slice(2));
