/** Redirect URI rules for registration and authorization (OAuth 2.1 §2.3.1, §8.4; RFC 8252). */

/** Schemes that would run code or read local files in the user agent instead of reaching an app. */
const DANGEROUS_SCHEMES = ['javascript:', 'data:', 'file:', 'vbscript:'];
/** Loopback IP literals: any port matches at authorization time (RFC 8252 §7.3, OAuth 2.1 §8.4.2). */
const LOOPBACK_IPS = ['127.0.0.1', '[::1]'];

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

/**
 * https anywhere; plain http only on loopback; any private-use scheme (`com.example.app:`, `vscode:`,
 * `cursor:`) except the dangerous ones. Never a fragment.
 */
export function isAllowedRedirect(uri: string): boolean {
  const url = parse(uri);
  if (url === undefined || url.hash !== '' || uri.includes('#')) return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol === 'http:') return ['localhost', ...LOOPBACK_IPS].includes(url.hostname);
  return !DANGEROUS_SCHEMES.includes(url.protocol);
}

/**
 * Whether `requested` is one of the registered URIs: exact string match, or for http on a loopback IP
 * literal the same URI with any port (native apps listen on an ephemeral port). `localhost` is not an
 * IP literal and keeps exact matching.
 */
export function matchesRegisteredRedirect(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const asked = parse(requested);
  if (asked === undefined || asked.protocol !== 'http:' || !LOOPBACK_IPS.includes(asked.hostname)) return false;
  const withoutPort = (url: URL): string => {
    const copy = new URL(url.href);
    copy.port = '';
    return copy.href;
  };
  const key = withoutPort(asked);
  return registered.some((uri) => {
    const url = parse(uri);
    return url !== undefined && url.protocol === 'http:' && url.hostname === asked.hostname && withoutPort(url) === key;
  });
}
