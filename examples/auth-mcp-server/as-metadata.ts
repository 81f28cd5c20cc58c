/**
 * Finds the authorization server's own RFC 8414 / OIDC metadata document. This server never serves
 * a copy of it under its own origin: RFC 8414 §3.3 requires the `issuer` inside to equal the URL the
 * document was fetched from, so a copy here would either lie about the issuer or be rejected.
 */
export interface AsMetadata {
  /** Where the document lives (on the authorization server). */
  url: string;
  document: Record<string, unknown>;
}

/** The discovery URLs, in the order the MCP spec lists them, for an issuer with or without a path. */
export function metadataCandidates(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const origin = url.origin;
  const candidates = [`${origin}/.well-known/oauth-authorization-server${path}`];
  if (path !== '') candidates.push(`${origin}/.well-known/openid-configuration${path}`);
  candidates.push(`${origin}${path}/.well-known/openid-configuration`);
  return candidates;
}

function sameIssuer(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.replace(/\/$/, '') === b.replace(/\/$/, '');
}

export class AsMetadataLocator {
  #found: Promise<AsMetadata> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly timeoutMs: number,
  ) {}

  /** Cached after the first success; a failure is retried on the next call. */
  locate(): Promise<AsMetadata> {
    this.#found ??= this.#discover().catch((error: unknown) => {
      this.#found = undefined;
      throw error;
    });
    return this.#found;
  }

  async #discover(): Promise<AsMetadata> {
    const problems: string[] = [];
    for (const url of metadataCandidates(this.issuer)) {
      try {
        const response = await fetch(url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (!response.ok) {
          problems.push(`${url}: HTTP ${response.status}`);
          await response.body?.cancel();
          continue;
        }
        const document = (await response.json()) as Record<string, unknown>;
        if (!sameIssuer(document.issuer, this.issuer)) {
          problems.push(`${url}: issuer ${JSON.stringify(document.issuer)} is not ${this.issuer}`);
          continue;
        }
        return { url, document };
      } catch (error) {
        problems.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    throw new Error(`authorization server metadata not found (${problems.join('; ')})`);
  }
}
