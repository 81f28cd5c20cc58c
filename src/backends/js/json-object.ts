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
  const names = topLevelNames(text);
  if (names.length !== Object.keys(object).length) {
    return { ok: false, reason: 'duplicate', name: firstDuplicate(names) };
  }
  return { ok: true, value: object };
}

/**
 * Raw (still escaped) member names of the outermost object. Only called on text JSON.parse accepted,
 * so the scanner just tracks nesting and skips strings.
 */
function topLevelNames(text: string): string[] {
  const names: string[] = [];
  let depth = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      for (;;) {
        const cj = text.charCodeAt(j);
        if (cj === 0x5c) j += 2;
        else if (cj === 0x22) break;
        else j++;
      }
      if (depth === 1) {
        let k = j + 1;
        let ck = text.charCodeAt(k);
        while (ck === 0x20 || ck === 0x09 || ck === 0x0a || ck === 0x0d) ck = text.charCodeAt(++k);
        if (ck === 0x3a) names.push(text.slice(i, j + 1));
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    i++;
  }
  return names;
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
