/** Removes token subjects from lines the native library printed, before they reach a logger. */

const REDACTED = '[redacted]';
const JSON_SUB = /("sub"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
// `sub=…` runs to the end of the line: the library prints the claim's raw JSON text there (escapes
// such as \u00e9 or \/ and spaces included), which neither the decoded subject nor a word matches.
const KEY_VALUE_SUB = /\b(sub(?:ject)?\s*[=:]\s*)(?!\[redacted\]$).+$/gim;

/** The `sub` claim of a JWT, read without verification (only to know what to redact). */
export function tokenSubject(token: string): string | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' && claims.sub.length > 0 ? claims.sub : null;
  } catch {
    return null;
  }
}

export function redactLine(text: string, subject: string | null = null): string {
  // The literal subject first: a pattern may stop at a space inside it and leave the rest.
  const out = subject !== null ? text.split(subject).join(REDACTED) : text;
  return out.replace(JSON_SUB, `$1"${REDACTED}"`).replace(KEY_VALUE_SUB, `$1${REDACTED}`);
}
