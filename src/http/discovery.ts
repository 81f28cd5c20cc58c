/**
 * When `jwksUri` is not configured: find it in the issuer's metadata (RFC 8414, then OpenID Connect
 * discovery) on first use, then delegate to a GopherAuthClient. Construction does no I/O. A failed
 * discovery answers JWKS_FETCH_FAILED (→ 503) and is retried after a short cooldown. The document
 * must name exactly the configured issuer (RFC 8414 §3.3), or its keys are not trusted.
 */
import { GopherAuthClient } from '../core/client.js';
import type { GopherAuthClientOptions } from '../core/client-options.js';
import { GopherAuthError, GopherAuthException } from '../core/errors.js';
import { fetchJwksDocument } from '../core/jwks/fetch.js';
import { logSafe } from '../core/log-safe.js';
import type { Logger } from '../core/logger.js';
import { authorizationServerMetadataUrls, sameIssuer } from '../core/metadata.js';
import type { GopherValidationOptions } from '../core/options.js';
import { validationResult, type TokenPayload, type ValidationResult } from '../core/result.js';
import type { TokenClient } from './config.js';
import { isLoopbackHostname } from './loopback.js';

export interface DiscoveryOptions {
  issuer: string;
  clientOptions: GopherAuthClientOptions;
  logger: Logger;
  allowInsecureHttp: boolean;
  /** Seconds before a failed discovery is tried again. Default 10. */
  retryAfterSeconds?: number;
  /** Per-document fetch timeout in ms. Default 5000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Aborts the fetches of a discovery in progress (the client was destroyed). */
  signal?: AbortSignal;
}

const MAX_DOCUMENT_BYTES = 256 * 1024;

/**
 * One metadata document through the JWKS downloader: the size cap holds while the body streams and
 * the timeout and the client's destroy() stop the body too (a plain `res.text()` read an endless
 * body into memory, and with `redirect: 'error'` Node 20's fetch ignored the abort once headers had
 * arrived). No redirects: the document must be at the URL RFC 8414 names.
 */
async function fetchJson(url: string, fetchFn: typeof fetch, timeoutMs: number, stop: AbortSignal | undefined): Promise<unknown> {
  let text: string;
  try {
    ({ text } = await fetchJwksDocument(url, { timeoutMs, maxBytes: MAX_DOCUMENT_BYTES, maxRedirects: 0, fetch: fetchFn, signal: stop }));
  } catch (error) {
    throw new Error(`${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${url}: not JSON`);
  }
}

/** The JWKS URI from the issuer's metadata; throws with a reason naming every attempt. */
export async function discoverJwksUri(options: DiscoveryOptions): Promise<string> {
  // The fetch the client's JWKS loads use (a private CA, a proxy) serves the metadata too.
  const fetchFn = options.fetch ?? options.clientOptions.jwks?.fetch ?? fetch;
  const reasons: string[] = [];
  for (const url of authorizationServerMetadataUrls(options.issuer)) {
    if (options.signal?.aborted) throw new Error('discovery stopped: the client was destroyed');
    let doc: unknown;
    try {
      doc = await fetchJson(url, fetchFn, options.timeoutMs ?? 5000, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw new Error('discovery stopped: the client was destroyed');
      reasons.push(error instanceof Error ? error.message : String(error));
      continue;
    }
    const record = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
    if (record['issuer'] !== options.issuer) {
      const named = record['issuer'];
      // RFC 8414 §3.3 wants them identical, and MCP clients compare the advertised issuer to it too.
      const slashOnly = typeof named === 'string' && sameIssuer(named, options.issuer);
      const advice = slashOnly ? `; set issuer to ${JSON.stringify(named)} exactly, trailing slash and all` : '';
      throw new Error(`metadata at ${url} names issuer ${JSON.stringify(named)}, not ${JSON.stringify(options.issuer)}${advice}`);
    }
    const jwksUri = record['jwks_uri'];
    if (typeof jwksUri !== 'string') {
      // Optional in RFC 8414 (§2), required by OpenID Connect: the next document may have it.
      reasons.push(`metadata at ${url} has no jwks_uri`);
      continue;
    }
    let parsed: URL;
    try {
      // URL() drops CR, LF and tabs silently: a URI with any control character or space is refused.
      if (/[^\x21-\x7e]/.test(jwksUri)) throw new Error('not a URI');
      parsed = new URL(jwksUri);
    } catch {
      throw new Error(`metadata at ${url} has an invalid jwks_uri: ${jwksUri}`);
    }
    const secure = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && (options.allowInsecureHttp || isLoopbackHostname(parsed.hostname)));
    if (!secure) throw new Error(`metadata at ${url} has a jwks_uri that is not https: ${jwksUri}`);
    return jwksUri;
  }
  throw new Error(`no authorization server metadata for ${options.issuer}: ${reasons.join('; ')}`);
}

export class DiscoveringClient implements TokenClient {
  readonly #options: DiscoveryOptions;
  #client: GopherAuthClient | undefined;
  #pending: Promise<GopherAuthClient> | undefined;
  #failedUntil = 0;
  #lastFailure = '';
  #destroyed = false;
  readonly #stop = new AbortController();

  constructor(options: DiscoveryOptions) {
    this.#options = options;
  }

  /** The underlying client once discovered. */
  get client(): GopherAuthClient | undefined {
    return this.#client;
  }

  #resolve(): Promise<GopherAuthClient> {
    if (this.#client !== undefined) return Promise.resolve(this.#client);
    if (Date.now() < this.#failedUntil) return Promise.reject(new Error(this.#lastFailure));
    this.#pending ??= discoverJwksUri({ ...this.#options, signal: this.#stop.signal })
      // A jwks_uri the client refuses (credentials in it, say) fails like any discovery: cooldown and all.
      .then((jwksUri) => ({ jwksUri, client: new GopherAuthClient(jwksUri, this.#options.issuer, this.#options.clientOptions) }))
      .then(
        ({ jwksUri, client }) => {
          this.#pending = undefined;
          if (this.#destroyed) {
            client.destroy();
            throw new Error('client destroyed');
          }
          this.#options.logger.info({ jwksUri: logSafe(jwksUri) }, 'gopher-auth: discovered the issuer JWKS');
          this.#client = client;
          return client;
        },
        (error: unknown) => {
          this.#pending = undefined;
          if (this.#destroyed) throw error;
          // The reason quotes the issuer's metadata (its jwks_uri, its issuer): escaped before it reaches
          // the logger or a later caller (results and rejections are also cut to length, below).
          this.#lastFailure = logSafe(error instanceof Error ? error.message : String(error), Number.POSITIVE_INFINITY);
          this.#failedUntil = Date.now() + (this.#options.retryAfterSeconds ?? 10) * 1000;
          this.#options.logger.error({ err: this.#lastFailure }, 'gopher-auth: issuer metadata discovery failed');
          throw new Error(this.#lastFailure, { cause: error });
        },
      );
    return this.#pending;
  }

  async validateToken(token: string, options?: GopherValidationOptions): Promise<ValidationResult> {
    // As a GopherAuthClient used after destroy(): a misuse, not an outage (and never a new discovery).
    if (this.#destroyed) throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'the gate was closed: its client is destroyed');
    let client: GopherAuthClient;
    try {
      client = await this.#resolve();
    } catch (error) {
      return validationResult(false, GopherAuthError.JWKS_FETCH_FAILED, logSafe(`Failed to fetch JWKS: ${error instanceof Error ? error.message : String(error)}`));
    }
    return client.validateToken(token, options);
  }

  /** Discovers the JWKS URI and loads the keys; rejects with the reason when either fails. */
  async ready(): Promise<void> {
    if (this.#destroyed) throw new GopherAuthException(GopherAuthError.INVALID_PARAMETER, 'the gate was closed: its client is destroyed');
    let client: GopherAuthClient;
    try {
      client = await this.#resolve();
    } catch (error) {
      throw new GopherAuthException(GopherAuthError.JWKS_FETCH_FAILED, logSafe(`Failed to fetch JWKS: ${error instanceof Error ? error.message : String(error)}`));
    }
    await client.ready();
  }

  jwksStatus(): { lastError: string | null } {
    if (this.#client !== undefined) return this.#client.jwksStatus();
    return { lastError: Date.now() < this.#failedUntil ? this.#lastFailure : null };
  }

  extractPayload(token: string): TokenPayload | null {
    return this.#client?.extractPayload(token) ?? null;
  }

  destroy(): void {
    this.#destroyed = true;
    this.#stop.abort();
    this.#client?.destroy();
  }
}
