/**
 * The package's environment switches, read one way: values trimmed and case-insensitive, `0`,
 * `false`, `off` and `no` all mean off, numbers written as plain decimal digits (`0x10` or `1e3` are
 * not numbers here). A value that means nothing leaves the default (`gopher-auth doctor` shows the
 * effect of each).
 */
export function envOff(value: string | undefined): boolean {
  return value !== undefined && /^(0|false|off|no)$/i.test(value.trim());
}

/** A whole decimal number from `min` up, capped at `max`; undefined when unset, blank or not such a number. */
export function envInteger(value: string | undefined, min: number, max: number): number | undefined {
  const text = value?.trim();
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n < min ? undefined : Math.min(n, max);
}

/** A word from `choices` (any case), or undefined. */
export function envChoice<T extends string>(value: string | undefined, choices: readonly T[]): T | undefined {
  const text = value?.trim().toLowerCase();
  return choices.find((choice) => choice === text);
}
