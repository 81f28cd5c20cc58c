/**
 * Hosts where plain http needs no `allowInsecureHttp`: the loopback names RFC 8252 §7.3 describes, as
 * `URL.hostname` spells them.
 */
const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK_HOSTNAMES.has(hostname);
}
