/** Table printing and the JSON record of a bench run (written to bench/results/, git-ignored). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

export function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function formatOps(ops: number | null): string {
  if (ops === null) return 'n/a';
  return Math.round(ops).toLocaleString('en-US');
}

export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '';
  return `${ratio >= 100 ? ratio.toFixed(0) : ratio.toFixed(2)}x`;
}

/**
 * A checked value with two decimals, or three where two would print the threshold itself for a value
 * on the other side of it (2.4996 is "2.500", not a "2.50" reported as not met).
 */
export function formatChecked(value: number, threshold: number): string {
  const two = value.toFixed(2);
  return Number(two) === threshold && value !== threshold ? value.toFixed(3) : two;
}

export interface MachineInfo {
  node: string;
  cpus: number;
  cpuModel: string;
  loadAverage: number[];
  date: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return { node: process.version, cpus: list.length, cpuModel: list[0]?.model ?? 'unknown', loadAverage: loadavg(), date: new Date().toISOString() };
}

export function loadNote(): string {
  const [one] = loadavg();
  const busy = (one ?? 0) > cpus().length * 0.5;
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs${busy ? ' — the machine is busy: figures are noisy, compare ratios measured in the same run' : ''}`;
}

/** Writes `record` as bench/results/<name>-<timestamp>.json; returns the path. */
export function writeResults(name: string, record: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

export interface TargetCheck {
  target: string;
  value: number | null;
  threshold: number;
  /** 'min': value must be >= threshold; 'max': value must be <= threshold. */
  kind: 'min' | 'max';
  met: boolean | null;
  unit: string;
}

export function check(target: string, value: number | null, threshold: number, kind: 'min' | 'max' = 'min', unit = 'x'): TargetCheck {
  const met = value === null || !Number.isFinite(value) ? null : kind === 'min' ? value >= threshold : value <= threshold;
  return { target, value, threshold, kind, met, unit };
}

export function printChecks(checks: readonly TargetCheck[]): void {
  const width = Math.max(...checks.map((c) => c.target.length), 10);
  for (const c of checks) {
    const value = c.value === null ? 'n/a' : c.unit === 'x' && c.value >= 100 ? formatRatio(c.value) : `${formatChecked(c.value, c.threshold)}${c.unit === 'x' ? 'x' : ` ${c.unit}`}`;
    const bound = `${c.kind === 'min' ? '>=' : '<='} ${c.threshold}${c.unit === 'x' ? 'x' : ` ${c.unit}`}`;
    const verdict = c.met === null ? 'not measured' : c.met ? 'met' : 'NOT met';
    console.log(`  ${pad(c.target, width)}  ${pad(value, 9, true)}  (target ${bound})  ${verdict}`);
  }
}
