/** Removes token subjects from lines the native library printed, before they reach a logger. */

const REDACTED = '[redacted]';
const JSON_SUB = /("sub"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
const KEY_VALUE_SUB = /\b(sub(?:ject)?\s*[=:]\s*)(?:"[^"]*"|'[^']*'|[^\s,;)}\]]+)/gi;

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
  let out = text.replace(JSON_SUB, `$1"${REDACTED}"`).replace(KEY_VALUE_SUB, `$1${REDACTED}`);
  if (subject !== null) out = out.split(subject).join(REDACTED);
  return out;
}
