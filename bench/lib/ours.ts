/** Our clients as the benches use them: one GopherAuthClient per backend mode and cache setting. */
import { addonStatus } from '../../src/backends/native/addon.js';
import { createNativeClient, nativeDiagnostics, type NativeBackendClient } from '../../src/backends/native/index.js';
import type { ValidationRequest } from '../../src/backends/types.js';
import { GopherAuthClient, type GopherAuthClientOptions } from '../../src/core/client.js';
import { GopherValidationOptions } from '../../src/core/options.js';

export interface OurClients {
  js: GopherAuthClient;
  /** null when the native library cannot run here. */
  native: GopherAuthClient | null;
  auto: GopherAuthClient;
  /** JS backend with a cache smaller than the distinct-token set: every call misses (the cost of a miss). */
  jsCacheMisses: GopherAuthClient;
  jsCached: GopherAuthClient;
  autoCached: GopherAuthClient;
  nativeCached: GopherAuthClient | null;
  /**
   * The native backend on its own (src/backends/native: the library call through the addon, or koffi),
   * keys injected, without GopherAuthClient's JS re-check of accepted tokens; null without native.
   */
  nativeBackend: NativeBackendClient | null;
  /** The request the native backend gets for `options`. */
  nativeRequest: ValidationRequest;
  /** One options object reused on every call, as the HTTP gate does. */
  options: GopherValidationOptions;
  /** How the native backend validates asynchronously here ('addon' or 'koffi'), or why it is absent. */
  nativeAsyncPath: string;
  destroy(): void;
}

export function nativeAvailable(): { available: boolean; reason: string | null } {
  const { availability } = nativeDiagnostics();
  return { available: availability.available, reason: availability.reason ?? null };
}

export async function createOurClients(jwksUrl: string, issuer: string, audience: string, missCacheSize: number): Promise<OurClients> {
  const make = (options: GopherAuthClientOptions): GopherAuthClient => new GopherAuthClient(jwksUrl, issuer, options);
  const native = nativeAvailable().available;
  const clients = {
    js: make({ backend: 'js' }),
    native: native ? make({ backend: 'native' }) : null,
    auto: make({ backend: 'auto' }),
    jsCacheMisses: make({ backend: 'js', tokenCache: { maxEntries: missCacheSize } }),
    jsCached: make({ backend: 'js', tokenCache: true }),
    autoCached: make({ backend: 'auto', tokenCache: true }),
    nativeCached: native ? make({ backend: 'native', tokenCache: true }) : null,
  };
  const all = Object.values(clients).filter((c): c is GopherAuthClient => c !== null);
  await Promise.all(all.map((c) => c.ready()));
  let nativeBackend: NativeBackendClient | null = null;
  if (native) {
    const response = await fetch(jwksUrl);
    const json = await response.text();
    nativeBackend = createNativeClient({ jwksUri: jwksUrl, issuer });
    nativeBackend.setKeys({ keys: (JSON.parse(json) as { keys: never[] }).keys, json, fetchedAt: Date.now(), version: 1 });
  }
  const addon = addonStatus();
  return {
    ...clients,
    nativeBackend,
    nativeRequest: { issuer, audience, clockSkew: 60, algorithms: ['RS256', 'RS384', 'RS512'] },
    options: new GopherValidationOptions().setAudience(audience),
    nativeAsyncPath: !native ? `unavailable: ${nativeAvailable().reason ?? ''}` : addon.loaded ? 'addon' : `koffi (addon: ${addon.reason ?? 'not loaded'})`,
    destroy: () => {
      all.forEach((c) => c.destroy());
      nativeBackend?.destroy();
    },
  };
}
