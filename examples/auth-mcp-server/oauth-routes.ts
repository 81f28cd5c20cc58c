import express, { type Response, type Router } from 'express';
import type { Logger } from '../../src/core/logger.js';
import type { AsMetadataLocator } from './as-metadata.js';
import type { AuthMcpServerConfig } from './config.js';

const REGISTRATION_BODY_LIMIT = '64kb';


/**
 * The seed's OAuth convenience endpoints, without its defects:
 * - AS metadata: a 302 to the authorization server's own document (issuer stays truthful, RFC 8414 §3.3);
 *   /.well-known/openid-configuration only to an OpenID configuration, else 404;
 * - /oauth/authorize: a 302 to the IdP, query passed through untouched;
 * - /oauth/register: forwarded to the AS's RFC 7591 endpoint; the caller gets ITS OWN registration,
 *   never this server's client_secret. There is no token proxy.
 */
export function oauthRoutes(config: AuthMcpServerConfig, locator: AsMetadataLocator, logger: Logger): Router {
  const router = express.Router();
  const badGateway = (res: Response, error: unknown): void => {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'authorization server request failed');
    if (res.headersSent) return void res.end();
    res.status(502).json({ error: 'temporarily_unavailable', error_description: 'the authorization server could not be reached' });
  };

  // Either kind will do for RFC 8414 clients: an OpenID configuration is also authorization server metadata.
  router.get('/.well-known/oauth-authorization-server', (_req, res) => {
    locator.locate().then(
      (found) => res.redirect(302, found.url),
      (error: unknown) => badGateway(res, error),
    );
  });
  // Only an OpenID configuration: an RFC 8414 document lacks members OIDC Discovery requires
  // (subject_types_supported, id_token_signing_alg_values_supported, ...). None at the AS: 404, as there.
  router.get('/.well-known/openid-configuration', (_req, res) => {
    locator.locateOpenIdConfiguration().then(
      (found) => {
        if (found) return res.redirect(302, found.url);
        res.status(404).json({ error: 'not_found', error_description: 'the authorization server publishes no OpenID Connect discovery document' });
      },
      (error: unknown) => badGateway(res, error),
    );
  });

  router.get('/oauth/authorize', (req, res) => {
    if (config.oauthAuthorizeUrl === '') {
      res.status(404).json({ error: 'not_found', error_description: 'no authorization endpoint configured' });
      return;
    }
    const target = new URL(config.oauthAuthorizeUrl);
    const raw = req.originalUrl.indexOf('?');
    if (raw >= 0) {
      const incoming = new URLSearchParams(req.originalUrl.slice(raw + 1));
      for (const [name, value] of incoming) target.searchParams.append(name, value);
    }
    res.redirect(302, target.href);
  });

  router.post('/oauth/register', express.json({ limit: REGISTRATION_BODY_LIMIT }), (req, res) => {
    locator.locate().then(
      async ({ document }) => {
        const endpoint = document.registration_endpoint;
        if (typeof endpoint !== 'string') {
          if (config.clientId === '') {
            res.status(400).json({
              error: 'invalid_client_metadata',
              error_description: 'the authorization server does not support dynamic client registration',
            });
            return;
          }
          // A pre-registered PUBLIC client: its id is not a secret; the client_secret is never returned.
          res.status(201).json({ client_id: config.clientId, token_endpoint_auth_method: 'none' });
          return;
        }
        const upstream = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(req.body ?? {}),
          signal: AbortSignal.timeout(config.requestTimeout * 1000 || 30_000),
        });
        const text = await upstream.text();
        res.status(upstream.status).type('application/json').set('cache-control', 'no-store').send(text);
      },
      (error: unknown) => badGateway(res, error),
    ).catch((error: unknown) => badGateway(res, error));
  });

  return router;
}
