/**
 * Refuses option objects with keys nobody reads. From plain JavaScript a misspelt key
 * (`toolScope` for `toolScopes`) would otherwise be ignored without a word — and an ignored
 * scope rule is a door left open.
 */

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The first key of `value` not in `known`, with the closest known key when one is near; null when all are known. */
export function unknownKey(value: object, known: ReadonlySet<string>): { key: string; suggestion: string | null } | null {
  for (const key of Object.keys(value)) {
    if (known.has(key)) continue;
    let suggestion: string | null = null;
    let best = Math.max(2, Math.floor(key.length / 3)) + 1;
    for (const candidate of known) {
      const d = distance(key, candidate);
      if (d < best) {
        best = d;
        suggestion = candidate;
      }
    }
    return { key, suggestion };
  }
  return null;
}

/** The sentence for an unknown key: `unknown option "toolScope" (did you mean "toolScopes"?)`. */
export function unknownKeyMessage(where: string, found: { key: string; suggestion: string | null }): string {
  const hint = found.suggestion === null ? '' : ` (did you mean ${JSON.stringify(found.suggestion)}?)`;
  return `unknown ${where} ${JSON.stringify(found.key)}${hint}`;
}
