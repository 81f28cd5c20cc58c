import { writeFileSync } from 'node:fs';

/** Writes the scenario's findings where the parent reads them (never to stdout/stderr). */
export function report(value: unknown): void {
  const file = process.env.ADDON_REPORT_FILE;
  if (!file) throw new Error('ADDON_REPORT_FILE not set');
  writeFileSync(file, JSON.stringify(value));
}
