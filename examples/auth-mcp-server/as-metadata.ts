/**
 * Finds the authorization server's own RFC 8414 / OIDC metadata document. This server never serves
 * a copy of it under its own origin: RFC 8414 §3.3 requires the `issuer` inside to equal the URL the
 * document was fetched from, so a copy here would either lie about the issuer or be rejected.
 */

import { readCapped } from '../../src/core/jwks/fetch.js';

/** A metadata document is a few KB; the cap keeps an endless or huge answer out of memory. */
const MAX_DOCUMENT_BYTES = 256 * 1024;

/** Which well-known document: RFC 8414 authorization server metadata, or OpenID Connect Discovery's. */
export type AsMetadataKind = 'oauth-authorization-server' | 'openid-configuration';

export interface AsMetadata {
  /** Where the document lives (on the authorization server). */
  url: string;
  /** Which well-known URL it was found at. */
  kind: AsMetadataKind;
  document: Record<string, unknown>;
}

interface Candidate {
  url: string;
  kind: AsMetadataKind;
}

function candidates(issuer: string): Candidate[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const origin = url.origin;
  const list: Candidate[] = [{ url: `${origin}/.well-known/oauth-authorization-server${path}`, kind: 'oauth-authorization-server' }];
  if (path !== '') list.push({ url: `${origin}/.well-known/openid-configuration${path}`, kind: 'openid-configuration' });
  list.push({ url: `${origin}${path}/.well-known/openid-configuration`, kind: 'openid-configuration' });
  return list;
}

/** The discovery URLs, in the order the MCP spec lists them, for an issuer with or without a path. */
export function metadataCandidates(issuer: string): string[] {
  return candidates(issuer).map((candidate) => candidate.url);
}

function sameIssuer(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.replace(/\/$/, '') === b.replace(/\/$/, '');
}

/** What a discovery that found nothing learnt: `absent` when every URL tried answered 404 or 410. */
interface NotFound {
  absent: boolean;
  problems: string[];
}

function notFoundError(result: NotFound, what = 'authorization server metadata'): Error {
  return new Error(`${what} not found (${result.problems.join('; ')})`);
}

export class AsMetadataLocator {
  #found: Promise<AsMetadata> | undefined;
  #openId: Promise<AsMetadata | null> | undefined;
  #foundOpenId: AsMetadata | undefined;

  constructor(
    private readonly issuer: string,
    private readonly timeoutMs: number,
  ) {}

  /**
   * The first document of either kind, in metadataCandidates() order (an OpenID configuration also
   * serves as RFC 8414 metadata). Cached after the first success; a failure is retried on the next call.
   */
  locate(): Promise<AsMetadata> {
    this.#found ??= this.#discover()
      .then((result) => {
        if (!('url' in result)) throw notFoundError(result);
        if (result.kind === 'openid-configuration') this.#foundOpenId = result;
        return result;
      })
      .catch((error: unknown) => {
        this.#found = undefined;
        throw error;
      });
    return this.#found;
  }

  /**
   * The OpenID Connect Discovery document only, never an RFC 8414 one (which lacks members OIDC
   * requires). null when the authorization server has none: every OIDC URL answered 404 or 410.
   * Rejects when that cannot be told (unreachable, 5xx, another issuer). Only a found document is
   * cached; concurrent calls share one lookup.
   */
  locateOpenIdConfiguration(): Promise<AsMetadata | null> {
    if (this.#foundOpenId) return Promise.resolve(this.#foundOpenId);
    if (this.#openId) return this.#openId;
    const lookup = this.#discover('openid-configuration').then((result) => {
      if ('url' in result) {
        this.#foundOpenId = result;
        return result;
      }
      if (result.absent) return null;
      throw notFoundError(result, 'OpenID configuration');
    });
    this.#openId = lookup;
    const forget = (): void => {
      if (this.#openId === lookup) this.#openId = undefined;
    };
    lookup.then(forget, forget);
    return lookup;
  }

  async #discover(only?: AsMetadataKind): Promise<AsMetadata | NotFound> {
    const problems: string[] = [];
    let absent = true;
    for (const { url, kind } of candidates(this.issuer)) {
      if (only !== undefined && kind !== only) continue;
      try {
        const response = await fetch(url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (!response.ok) {
          problems.push(`${url}: HTTP ${response.status}`);
          if (response.status !== 404 && response.status !== 410) absent = false;
          await response.body?.cancel();
          continue;
        }
        absent = false;
        const parsed: unknown = JSON.parse(await readCapped(response, MAX_DOCUMENT_BYTES));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          problems.push(`${url}: not a JSON object`);
          continue;
        }
        const document = parsed as Record<string, unknown>;
        if (!sameIssuer(document.issuer, this.issuer)) {
          problems.push(`${url}: issuer ${JSON.stringify(document.issuer)} is not ${this.issuer}`);
          continue;
        }
        return { url, kind, document };
      } catch (error) {
        absent = false;
        problems.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { absent, problems };
  }
}
