/** Redirect URI rules for registration and authorization (OAuth 2.1 §2.3.1, §8.4; RFC 8252). */

/**
 * Schemes that mean something of their own to a user agent (run script, show inline content, read
 * local files, speak another protocol): never an app's redirect. Any other scheme is private-use.
 */
export const REFUSED_SCHEMES = [
  'javascript', 'vbscript', 'data', 'blob', 'file', 'filesystem', 'about', 'view-source',
  'ftp', 'ws', 'wss', 'mailto', 'tel', 'sms',
] as const;

/** The characters RFC 3986 allows in a URI; `#` is refused separately (no fragment). */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=%]+$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** Plain http on a loopback name, spelled exactly so (no `127.1`, no `0x7f000001`, no userinfo). */
const LOOPBACK_HTTP = /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?(?:[/?]|$)/;
/** Loopback IP literals, split into host, port and the rest: only the port may differ (RFC 8252 §7.3). */
const LOOPBACK_IP = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?((?:[/?].*)?)$/;

function parses(uri: string): boolean {
  try {
    new URL(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * https anywhere; plain http only on loopback; any private-use scheme (`com.example.app:`, `vscode:`,
 * `cursor:`) except REFUSED_SCHEMES. Never a fragment, and only characters a URI may hold, so that
 * what is stored is what a browser will be sent to.
 */
export function isAllowedRedirect(uri: string): boolean {
  if (!URI_CHARACTERS.test(uri) || uri.includes('#') || !parses(uri)) return false;
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return false;
  if (scheme === 'https') return true;
  if (scheme === 'http') return LOOPBACK_HTTP.test(uri);
  return !(REFUSED_SCHEMES as readonly string[]).includes(scheme);
}

function splitLoopbackIp(uri: string): { host: string; rest: string } | undefined {
  const match = LOOPBACK_IP.exec(uri);
  if (!match || Number(match[2] ?? 0) > 65535) return undefined;
  return { host: match[1] as string, rest: match[3] as string };
}

/**
 * Whether `requested` is one of the registered URIs, compared as strings (OAuth 2.1 §2.3.1): equal, or
 * for http on a loopback IP literal equal but for the port (native apps listen on an ephemeral port).
 * Nothing is normalised: `/cb/../cb`, `127.1` or `0x7f000001` are other strings, hence other URIs.
 * `localhost` is not an IP literal and keeps exact matching.
 */
export function matchesRegisteredRedirect(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const asked = splitLoopbackIp(requested);
  if (asked === undefined) return false;
  return registered.some((uri) => {
    const candidate = splitLoopbackIp(uri);
    return candidate !== undefined && candidate.host === asked.host && candidate.rest === asked.rest;
  });
}
