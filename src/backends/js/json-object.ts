/**
 * Strict JSON object parsing for JOSE headers and JWT claim sets: one complete JSON object, nothing
 * after it, and no member name twice at the top level (RFC 7515 §5.2 / RFC 7519 §4 say to reject
 * duplicates; JSON.parse silently keeps the last one). Nested objects are values, never members.
 */
export type JsonObjectResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; reason: 'syntax' | 'not-object' }
  | { ok: false; reason: 'duplicate'; name: string };

export function parseJsonObject(text: string): JsonObjectResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'syntax' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'not-object' };
  const object = value as Record<string, unknown>;
  if (topLevelNames(text, null) !== Object.keys(object).length) {
    const names: string[] = [];
    topLevelNames(text, names);
    return { ok: false, reason: 'duplicate', name: firstDuplicate(names) };
  }
  return { ok: true, value: object };
}

/**
 * Counts the member names of the outermost object (and collects them raw, still escaped, into
 * `names` when given). Only called on text JSON.parse accepted, so it just tracks nesting and skips strings.
 */
function topLevelNames(text: string, names: string[] | null): number {
  let count = 0;
  let depth = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Jump to the closing quote natively; a quote preceded by an odd run of backslashes is escaped.
      let j = text.indexOf('"', i + 1);
      while (isEscaped(text, j)) j = text.indexOf('"', j + 1);
      if (depth === 1) {
        let k = j + 1;
        let ck = text.charCodeAt(k);
        while (ck === 0x20 || ck === 0x09 || ck === 0x0a || ck === 0x0d) ck = text.charCodeAt(++k);
        if (ck === 0x3a) {
          count++;
          names?.push(text.slice(i, j + 1));
        }
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    i++;
  }
  return count;
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let k = quote - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
  return (backslashes & 1) === 1;
}

function firstDuplicate(rawNames: readonly string[]): string {
  const seen = new Set<string>();
  for (const raw of rawNames) {
    const name = JSON.parse(raw) as string;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return '';
}
