/**
 * Text that may carry what a client sent (a kid, an alg, a method name, an Origin, the native
 * library's own message about them), made safe to log: every character outside printable ASCII
 * written as `\uXXXX` (no CR/LF to forge log lines, no terminal escapes, no bidi overrides) and the
 * whole cut to `max` characters (one request cannot write a 4 MiB log line). The result is printable
 * ASCII throughout, the cut's mark included, so text made safe once is left as it is by a second pass.
 */
export const MAX_LOGGED_TEXT = 512;

const UNPRINTABLE = /[^\x20-\x7e]/g;

export function logSafe(text: string, max = MAX_LOGGED_TEXT): string {
  const escaped = text.slice(0, max).replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > max || escaped.length > max ? `${escaped.slice(0, max)}... (${text.length} characters)` : escaped;
}
