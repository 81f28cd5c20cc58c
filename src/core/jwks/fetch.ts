import { JwksFetchError } from './jwks-error.js';

export interface FetchJwksOptions {
  /** Whole-request budget (redirects and body included); 0 = none. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  fetch: typeof fetch;
  /** Aborts the request (the manager's destroy()). */
  signal?: AbortSignal;
}

export interface FetchedDocument {
  text: string;
  /** The URL that finally answered (after same-origin redirects). */
  url: string;
  cacheControl: string | null;
  age: string | null;
}

/** setTimeout fires at once for longer delays; treat anything longer as this. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const ACCEPT = 'application/jwk-set+json, application/json;q=0.9, */*;q=0.1';

function isJsonContentType(header: string | null): boolean {
  if (header === null) return true;
  const mediaType = (header.split(';')[0] ?? '').trim().toLowerCase();
  if (mediaType === '' || mediaType === 'text/plain') return true;
  const slash = mediaType.indexOf('/');
  const subtype = slash === -1 ? '' : mediaType.slice(slash + 1);
  return subtype === 'json' || subtype.endsWith('+json');
}

function discardBody(response: Response): void {
  response.body?.cancel().catch(() => {});
}

/** The body as UTF-8 text, refused (JwksFetchError) once it passes `maxBytes`, declared or streamed. */
export async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardBody(response);
    throw new JwksFetchError(`response larger than ${maxBytes} bytes (Content-Length ${declared})`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        reader.cancel().catch(() => {});
        throw new JwksFetchError(`response larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, total));
  } catch {
    throw new JwksFetchError('response is not valid UTF-8');
  }
}

/** Certificate failures that mean "Node does not trust the issuer's CA", with what to do about it. */
const UNTRUSTED_CA_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);
const UNTRUSTED_CA_HINT =
  ' (Node does not trust the certificate of this server: for a private CA set NODE_EXTRA_CA_CERTS to its PEM file, or pass jwks.fetch with a dispatcher that trusts it; see docs/api.md, "JWKS over HTTPS")';
const WRONG_HOST_HINT = ' (the certificate is not for the host in the JWKS URI: use the name the certificate was issued for)';

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    const hint = code === undefined ? '' : UNTRUSTED_CA_CODES.has(code) ? UNTRUSTED_CA_HINT : code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? WRONG_HOST_HINT : '';
    return `request failed: ${code && !cause.message.includes(code) ? `${code} ` : ''}${cause.message}${hint}`;
  }
  return `request failed: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * One JWKS download: GET with a timeout covering the whole exchange, only same-origin redirects
 * (bounded), a body size cap enforced while streaming, and a JSON-ish content type.
 * Rejects with JwksFetchError whose message is the reason.
 */
export async function fetchJwksDocument(uri: string, options: FetchJwksOptions): Promise<FetchedDocument> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  if (options.timeoutMs > 0) {
    timer = setTimeout(() => {
      controller.abort(new JwksFetchError(`timed out after ${options.timeoutMs} ms`));
    }, Math.min(options.timeoutMs, MAX_TIMER_MS));
    timer.unref();
  }
  const onOuterAbort = (): void => controller.abort(new JwksFetchError('aborted'));
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  try {
    let url = new URL(uri);
    const origin = url.origin;
    for (let redirects = 0; ; redirects++) {
      let response: Response;
      try {
        response = await options.fetch(url, {
          method: 'GET',
          redirect: 'manual',
          signal: controller.signal,
          headers: { accept: ACCEPT },
        });
      } catch (error) {
        if (controller.signal.aborted) throw controller.signal.reason;
        throw new JwksFetchError(describeNetworkError(error), { cause: error });
      }

      if (REDIRECT_STATUSES.has(response.status)) {
        discardBody(response);
        const location = response.headers.get('location');
        if (!location) throw new JwksFetchError(`HTTP ${response.status} redirect without a Location header`);
        const next = new URL(location, url);
        if (next.origin !== origin) {
          throw new JwksFetchError(`redirect to another origin refused (${next.origin})`);
        }
        if (redirects >= options.maxRedirects) {
          throw new JwksFetchError(`too many redirects (more than ${options.maxRedirects})`);
        }
        url = next;
        continue;
      }
      if (response.status < 200 || response.status > 299) {
        discardBody(response);
        throw new JwksFetchError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      }
      const contentType = response.headers.get('content-type');
      if (!isJsonContentType(contentType)) {
        discardBody(response);
        throw new JwksFetchError(`unexpected content type "${contentType ?? ''}"`);
      }
      let text: string;
      try {
        text = await readCapped(response, options.maxBytes);
      } catch (error) {
        if (controller.signal.aborted) throw controller.signal.reason;
        if (error instanceof JwksFetchError) throw error;
        throw new JwksFetchError(describeNetworkError(error), { cause: error });
      }
      return {
        text,
        url: url.href,
        cacheControl: response.headers.get('cache-control'),
        age: response.headers.get('age'),
      };
    }
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}
