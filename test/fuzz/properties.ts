/**
 * The fuzzing properties, shared by the CI-sized vitest files and `npm run fuzz` (scripts/fuzz.ts).
 * Each returns normally when the property held for `runs` cases and throws fast-check's report otherwise.
 */
import fc from 'fast-check';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GopherAuthClient } from '../../src/core/client.js';
import { createNativeClient } from '../../src/backends/native/index.js';
import { jsBackend, peekHeaderAlg } from '../../src/backends/js/index.js';
import type { Jwk, JwksSnapshot, ValidationRequest } from '../../src/backends/types.js';
import type { ValidationResult } from '../../src/core/result.js';
import { gopherGenerateWwwAuthenticateHeader, gopherGenerateWwwAuthenticateHeaderV2 } from '../../src/core/www-authenticate.js';
import { GopherAuthException } from '../../src/core/errors.js';
import { authErrorResponse, authErrors } from '../../src/http/errors.js';
import { extractBearerToken } from '../../src/http/token.js';
import { TestIssuer } from '../support/issuer.js';
import { authorizationHeader, headerText, jwksDocument, mutatedToken, randomToken, signedPayloadText } from './arbitraries.js';
import { nativeSupported, type FuzzEnv } from './env.js';

export interface RunOptions {
  runs: number;
  seed?: number;
}

const params = (o: RunOptions) => ({ numRuns: o.runs, seed: o.seed, endOnFailure: true });

const OPTIONS = fc.oneof(
  fc.constant(undefined),
  fc.record({ audience: fc.constantFrom('api://mcp', 'a'), scopes: fc.constantFrom(['mcp:read'], ['mcp:admin', 'mcp:read']), clockSkew: fc.constantFrom(0, 60, 300) }, { requiredKeys: [] }),
);

const NATIVE_ALGS = new Set(['RS256', 'RS384', 'RS512']);

/**
 * One token on every client: no throw (an exception fails the property), an acceptance only for
 * bytes that were signed, 'auto' agrees with 'js' on every token and 'native' on every RS* token
 * (other algorithms it refuses).
 */
async function check(env: FuzzEnv, token: string, options: Parameters<FuzzEnv['js']['validateToken']>[1], signed: ReadonlySet<string> = env.signingInputs): Promise<void> {
  const results: [string, ValidationResult][] = [['js', await env.js.validateToken(token, options)]];
  if (env.auto) results.push(['auto', await env.auto.validateToken(token, options)]);
  if (env.native) results.push(['native', await env.native.validateToken(token, options)]);
  for (const [who, r] of results) {
    if (typeof r.valid !== 'boolean' || typeof r.errorCode !== 'number') throw new Error(`${who}: malformed result ${JSON.stringify(r)}`);
    if (r.valid && !signed.has(token.slice(0, token.lastIndexOf('.')))) {
      throw new Error(`${who} accepted a token whose header and payload were never signed: ${JSON.stringify(token)}`);
    }
    // The result type promises these shapes; the fuzzer checks that run time keeps the promise.
    const code: number = r.errorCode;
    if (!r.valid && (code === 0 || typeof r.errorMessage !== 'string')) throw new Error(`${who}: rejection with code 0 or no message: ${JSON.stringify(r)}`);
    if (r.valid && (code !== 0 || r.errorMessage !== null)) throw new Error(`${who}: acceptance with a code or a message: ${JSON.stringify(r)}`);
  }
  const js = results[0]?.[1];
  const alg = peekHeaderAlg(token);
  for (const [who, r] of results.slice(1)) {
    const comparable = who === 'auto' || (alg !== null && NATIVE_ALGS.has(alg));
    if (comparable && r.valid !== js?.valid) {
      throw new Error(`${who} and js disagree on ${JSON.stringify(token)} ${JSON.stringify(options)}: js ${JSON.stringify(js)} ${who} ${JSON.stringify(r)}`);
    }
    if (!comparable && r.valid) throw new Error(`native accepted a ${String(alg)} token`);
  }
}

/** Mutations of genuinely signed tokens through validateToken on both backends. */
export async function mutatedTokensProperty(env: FuzzEnv, o: RunOptions): Promise<void> {
  await fc.assert(fc.asyncProperty(mutatedToken(env.genuine), OPTIONS, (token, options) => check(env, token, options)), params(o));
}

/**
 * Freshly signed RS256 tokens whose payload text puts claim names where the library's first-text
 * parser may take them (as values, in arrays, twice): 'native' and 'auto' answer as 'js'. The key
 * set has one key per kid, so a native refusal reaches JS only where nativeMayMisread says so.
 */
export async function signedClaimsProperty(env: FuzzEnv, o: RunOptions): Promise<void> {
  const header = '{"alg":"RS256","typ":"JWT","kid":"rsa2048"}';
  await fc.assert(
    fc.asyncProperty(signedPayloadText(env.issuer.issuer, env.issuer.now()), OPTIONS, async (payloadJson, options) => {
      const token = env.issuer.signRaw({ alg: 'RS256', key: 'rsa2048', headerJson: header, payloadJson });
      await check(env, token, options, new Set([token.slice(0, token.lastIndexOf('.'))]));
    }),
    params(o),
  );
}

/** Random strings through validateToken on both backends. */
export async function randomTokensProperty(env: FuzzEnv, o: RunOptions): Promise<void> {
  await fc.assert(fc.asyncProperty(randomToken, OPTIONS, (token, options) => check(env, token, options)), params(o));
}

/**
 * Random and mutated JWKS documents handed to each backend client directly: never a throw or a
 * crash, and a genuine token verifies only when the document still holds its exact public key.
 */
export function jwksDocumentsProperty(o: RunOptions): void {
  const issuer = new TestIssuer('https://issuer.test/realms/fuzz');
  const genuineKeys = [issuer.jwk('rsa2048'), issuer.jwk('rsa2048b'), issuer.jwk('p256'), issuer.jwk('ed25519')];
  const tokens = { rs: issuer.sign(), rsNoKid: issuer.sign({ kid: null }), es: issuer.sign({ alg: 'ES256' }) };
  const rsa = issuer.jwk('rsa2048');
  const p256 = issuer.jwk('p256');
  const request: ValidationRequest = { issuer: issuer.issuer, clockSkew: 60, algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'EdDSA'] };
  const js = jsBackend.createClient({ jwksUri: 'http://127.0.0.1:9/jwks', issuer: issuer.issuer });
  const native = nativeSupported() ? createNativeClient({ jwksUri: 'http://127.0.0.1:9/jwks', issuer: issuer.issuer }) : null;
  let version = 0;
  try {
    fc.assert(
      fc.property(jwksDocument(genuineKeys), (doc) => {
        const json = JSON.stringify(doc) ?? 'null';
        const keys = (doc !== null && typeof doc === 'object' && Array.isArray((doc as { keys?: unknown }).keys)
          ? ((doc as { keys: unknown[] }).keys.filter((k) => k !== null && typeof k === 'object' && !Array.isArray(k)) as Jwk[])
          : []);
        const snapshot: JwksSnapshot = { keys, json, fetchedAt: Date.now(), version: ++version };
        // The key material, whatever the other members say: the native JWKS parser alone takes a member a
        // key lacks (kty, e) from a later key in the document. Through GopherAuthClient the re-check
        // refuses such keys (test/vectors/adversarial); here only "no key material, no acceptance" holds.
        const holdsRsa = keys.some((k) => k.n === rsa.n);
        const holdsP256 = keys.some((k) => k.x === p256.x && k.y === p256.y);
        js.setKeys(snapshot);
        native?.setKeys(snapshot);
        for (const [name, token] of Object.entries(tokens)) {
          const verdicts = [js.validateSync(token, request)];
          if (native && name !== 'es') verdicts.push(native.validateSync(token, request));
          for (const v of verdicts) {
            if (v.valid && !(name === 'es' ? holdsP256 : holdsRsa)) throw new Error(`${name} accepted by ${verdicts.indexOf(v) === 0 ? 'js' : 'native'} without its key: ${json}`);
          }
        }
      }),
      params(o),
    );
  } finally {
    js.destroy();
    native?.destroy();
  }
}

const FORBIDDEN_IN_HEADER = /[^\x20-\x7E]/;

/** Parses `Bearer a="x", b="y"` back into its parameters (quoted-strings unescaped). */
export function parseChallenge(header: string): Record<string, string> {
  const match = /^Bearer(?: (.*))?$/.exec(header);
  if (!match) throw new Error(`not a Bearer challenge: ${JSON.stringify(header)}`);
  const out: Record<string, string> = {};
  const rest = match[1] ?? '';
  const param = /([!#$%&'*+\-.^_`|~0-9A-Za-z]+)="((?:[^"\\]|\\.)*)"(?:, |$)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = param.exec(rest)) !== null) {
    out[m[1] ?? ''] = (m[2] ?? '').replace(/\\(.)/g, '$1');
    consumed = param.lastIndex;
  }
  if (consumed !== rest.length) throw new Error(`unparsable challenge parameters: ${JSON.stringify(header)}`);
  return out;
}

/**
 * WWW-Authenticate builders: either a GopherAuthException refusal, or a header of visible ASCII
 * and spaces only (never CR/LF) that parses back to exactly the inputs.
 */
export function challengeBuildersProperty(o: RunOptions): void {
  const maybe = fc.option(headerText, { nil: undefined });
  fc.assert(
    fc.property(headerText, maybe, maybe, fc.option(fc.array(headerText, { maxLength: 3 }), { nil: undefined }), headerText, (realm, error, description, scopes, metadata) => {
      const attempts: [() => string, Record<string, string | undefined>][] = [
        [() => gopherGenerateWwwAuthenticateHeader(realm, error, description), { realm, error, error_description: description }],
        [
          () => gopherGenerateWwwAuthenticateHeaderV2({ realm, resourceMetadata: metadata, scopes, error, errorDescription: description }),
          { realm, error, error_description: description, resource_metadata: metadata, scope: scopes?.filter((s) => s !== '').filter((s, i, a) => a.indexOf(s) === i).join(' ') },
        ],
      ];
      for (const [build, expected] of attempts) {
        let header: string;
        try {
          header = build();
        } catch (err) {
          if (err instanceof GopherAuthException) continue;
          throw err;
        }
        if (FORBIDDEN_IN_HEADER.test(header)) throw new Error(`unsafe header ${JSON.stringify(header)}`);
        const parsed = parseChallenge(header);
        for (const [name, value] of Object.entries(expected)) {
          if (value === undefined || value === '') {
            if (name in parsed) throw new Error(`${name} present although empty`);
          } else if (parsed[name] !== value) {
            throw new Error(`${name}: ${JSON.stringify(parsed[name])} != ${JSON.stringify(value)} in ${JSON.stringify(header)}`);
          }
        }
      }
    }),
    params(o),
  );
}

/** Authorization extraction never throws; an extracted token is one token68 taken verbatim from a single Bearer header. */
export function authorizationProperty(o: RunOptions): void {
  const context = { resourceMetadata: 'https://api.test/.well-known/oauth-protected-resource/mcp', retryAfterSeconds: 5 };
  fc.assert(
    fc.property(authorizationHeader, fc.oneof(fc.constant(''), fc.string(), fc.constant('?access_token=x')), (authorization, search) => {
      const lookup = extractBearerToken(authorization, search);
      if ('token' in lookup) {
        const values = typeof authorization === 'string' ? [authorization] : authorization ?? [];
        if (values.length !== 1) throw new Error('token taken from several headers');
        if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(lookup.token)) throw new Error(`not token68: ${JSON.stringify(lookup.token)}`);
        if (!/^bearer$/i.test((values[0] ?? '').trim().split(' ')[0] ?? '')) throw new Error('not a Bearer header');
        if (!(values[0] ?? '').includes(lookup.token)) throw new Error('token not taken verbatim');
        if (new URLSearchParams(search.replace(/^\?/, '')).has('access_token')) throw new Error('query token ignored');
      } else {
        const response = authErrorResponse(lookup.error, context);
        for (const [name, value] of Object.entries(response.headers)) {
          if (FORBIDDEN_IN_HEADER.test(value)) throw new Error(`unsafe ${name}: ${JSON.stringify(value)}`);
        }
        if (response.status >= 500) throw new Error(`server error for a client mistake: ${response.status}`);
      }
      // The fixed texts never echo the request.
      const invalid = authErrorResponse(authErrors.invalidToken(String(authorization)), context);
      if (FORBIDDEN_IN_HEADER.test(invalid.headers['www-authenticate'] ?? '')) throw new Error('unsafe challenge');
    }),
    params(o),
  );
}

const KEY_SET_KIDS = [undefined, 'k1', 'k2', '', 'ключ', '[prod]1', 'a"b', 'x'.repeat(300)] as const;
const KEY_SET_KEYS = ['rsa2048', 'rsa2048b', 'rsa3072', 'rsa1024'] as const;

/**
 * Key sets of RSA keys the native key set carries or leaves out (odd kids, weak keys, keys limited
 * to an algorithm, twin kids) and RS* tokens signed by one of them, with its kid, none, "" or
 * another: 'js', 'native' and 'auto' give the same verdict and the same code (each token has at
 * most one defect: its key). One client per backend and case, the JWKS served over HTTP.
 */
export async function keySetsProperty(o: RunOptions): Promise<void> {
  if (!nativeSupported()) return;
  const issuer = new TestIssuer('https://issuer.test/realms/key-sets');
  let body = '{"keys":[]}';
  const server = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  const entry = fc.record({
    key: fc.constantFrom(...KEY_SET_KEYS),
    kid: fc.constantFrom(...KEY_SET_KIDS),
    alg: fc.constantFrom(undefined, 'RS256', 'RS384', 'PS256'),
  });
  const tokenKid = fc.constantFrom('own', 'none', 'empty', 'other');
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 3 }), fc.nat(), fc.constantFrom('RS256', 'RS384'), tokenKid, async (entries, pick, alg, kidChoice) => {
        const keys = entries.map(({ key, kid, alg: keyAlg }) => {
          const jwk = issuer.jwk(key, {});
          delete jwk.kid;
          return { ...jwk, ...(kid !== undefined && { kid }), ...(keyAlg !== undefined && { alg: keyAlg }) };
        });
        body = JSON.stringify({ keys });
        const signer = entries[pick % entries.length]!;
        const kid = kidChoice === 'own' ? (signer.kid ?? null) : kidChoice === 'none' ? null : kidChoice === 'empty' ? '' : 'not-in-the-set';
        const token = issuer.sign({ alg, key: signer.key, kid });
        const answers: Record<string, ValidationResult> = {};
        for (const backend of ['js', 'native', 'auto'] as const) {
          const client = new GopherAuthClient(jwksUri, issuer.issuer, { backend, jwks: { unknownKidCooldown: 3600 } });
          try {
            await client.ready();
            answers[backend] = await client.validateToken(token);
          } finally {
            client.destroy();
          }
        }
        const js = answers.js!;
        for (const backend of ['native', 'auto'] as const) {
          const r = answers[backend]!;
          if (r.valid !== js.valid || r.errorCode !== js.errorCode) {
            throw new Error(`${backend} and js disagree: keys ${body.length > 600 ? `${body.slice(0, 600)}…` : body} token kid ${JSON.stringify(kid)} alg ${alg} signed by ${JSON.stringify(signer)}: js ${JSON.stringify(js)} ${backend} ${JSON.stringify(r)}`);
          }
        }
      }),
      params(o),
    );
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
