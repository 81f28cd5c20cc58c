/**
 * Live GopherAuthClients per (JWKS URI, issuer). Each one fetches, refreshes and caches its keys on
 * its own, so many for one issuer is nearly always a client (or a `gopherAuth()` gate) created per
 * request instead of once: a JWKS fetch per request, and memory until each is collected. Past
 * MANY_CLIENTS, one process warning per issuer says so (stderr, as Node's own MaxListeners warning).
 */
export const MANY_CLIENTS = 100;
export const MANY_CLIENTS_WARNING_CODE = 'GOPHER_AUTH_MANY_CLIENTS';

const live = new Map<string, number>();
const warned = new Set<string>();
const collected = new FinalizationRegistry<string>((key) => leave(key));

/** Counts `client` as live for (jwksUri, issuer) until `leave` runs or it is collected. */
export function enter(client: object, jwksUri: string, issuer: string): string {
  const key = `${jwksUri}\n${issuer}`;
  const count = (live.get(key) ?? 0) + 1;
  live.set(key, count);
  collected.register(client, key, client);
  if (count >= MANY_CLIENTS && !warned.has(key)) {
    warned.add(key);
    process.emitWarning(
      `${count} live GopherAuthClients for the JWKS ${jwksUri} and issuer ${issuer}. Create one client (or one gopherAuth() gate) ` +
        'per issuer when the process starts and share it: each fetches and caches keys on its own. destroy() those you no longer use.',
      { type: 'GopherAuthWarning', code: MANY_CLIENTS_WARNING_CODE },
    );
  }
  return key;
}

/** For destroy(): no longer live (idempotent per client: destroy() calls it once). */
export function leaveClient(client: object, key: string): void {
  collected.unregister(client);
  leave(key);
}

function leave(key: string): void {
  const count = (live.get(key) ?? 1) - 1;
  if (count > 0) live.set(key, count);
  else live.delete(key);
}

/** For tests. */
export function liveClients(jwksUri: string, issuer: string): number {
  return live.get(`${jwksUri}\n${issuer}`) ?? 0;
}
