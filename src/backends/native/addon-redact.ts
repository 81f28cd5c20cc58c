/** Removes token subjects from lines the native library printed, before they reach a logger. */

const REDACTED = '[redacted]';
const JSON_SUB = /("sub"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
// `sub=…` runs to the end of the line: the library prints the claim's raw JSON text there (escapes
// such as \u00e9 or \/ and spaces included), which neither the decoded subject nor a word matches.
// To the end of the line means to the next \n: `.` and a multiline `$` would stop at a raw U+2028
// or U+2029, which JSON strings may hold, and leave the rest of the subject.
const KEY_VALUE_SUB = /\b(sub(?:ject)?\s*[=:]\s*)(?!\[redacted\](?:\n|$))[^\n]+/gi;

// The first "sub" member's raw text, for payloads JSON.parse refuses (the library still prints them).
const RAW_SUB = /"sub"\s*:\s*"((?:[^"\\]|\\.)*)"/;
// Control characters (C0, DEL, C1), line and paragraph separators and bidi overrides: a line stays
// one line, and a terminal's own.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /[\r\n\u0085\u2028\u2029]+/;

/** The `sub` claim of a JWT, read without verification (only to know what to redact). */
export function tokenSubject(token: string): string | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  const text = Buffer.from(payload, 'base64url').toString('utf8');
  try {
    const claims = JSON.parse(text) as { sub?: unknown };
    return typeof claims.sub === 'string' && claims.sub.length > 0 ? claims.sub : null;
  } catch {
    const raw = RAW_SUB.exec(text)?.[1];
    return raw !== undefined && raw.length > 0 ? raw : null;
  }
}

export function redactLine(text: string, subject: string | null = null): string {
  let out = text;
  if (subject !== null) {
    // The literal subject first: a pattern may stop at a space inside it and leave the rest. A
    // subject with a line break in it reaches us as several lines: each piece goes wherever it is.
    for (const piece of subject.split(LINE_BREAKS)) if (piece.length > 0) out = out.split(piece).join(REDACTED);
  }
  out = out.replace(JSON_SUB, `$1"${REDACTED}"`).replace(KEY_VALUE_SUB, `$1${REDACTED}`);
  return out.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
