import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../../examples/dev-authorization-server/index.js';
import { devAsClient, REDIRECT, RESOURCE } from './dev-as-client.js';

let as: DevAuthorizationServer;
let client: ReturnType<typeof devAsClient>;
beforeAll(async () => {
  as = await startDevAuthorizationServer();
  client = devAsClient(as);
});
afterAll(async () => {
  await as.close();
});

const basic = (id: string, secret: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
});

describe('development authorization server: token endpoint', () => {
  it('answers malformed Basic credentials with 401 invalid_client, not 500 (RFC 6749 §5.2)', async () => {
    for (const [id, secret] of [['%zz', '%'], ['a', '%E0%A4%A'], ['%', 'x']] as const) {
      const result = await client.token({ grant_type: 'client_credentials', resource: RESOURCE }, basic(id, secret));
      expect(result, `${id}:${secret}`).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    }
  });

  it('requires redirect_uri at the token endpoint only when /authorize received one (RFC 6749 §4.1.3)', async () => {
    const clientId = await client.publicClient();
    const withoutRedirect = await client.authorizeCode(clientId, { redirect_uri: undefined });
    expect(`${withoutRedirect.location?.origin}${withoutRedirect.location?.pathname}`).toBe(REDIRECT);
    const exchanged = await client.token({
      grant_type: 'authorization_code', code: withoutRedirect.code, code_verifier: withoutRedirect.verifier, client_id: clientId,
    });
    expect(exchanged.status).toBe(200);

    // Sent anyway, it must still be the one the code was issued for.
    const again = await client.authorizeCode(clientId, { redirect_uri: undefined });
    const wrong = await client.token({
      grant_type: 'authorization_code', code: again.code, code_verifier: again.verifier, client_id: clientId, redirect_uri: 'http://127.0.0.1:10/cb',
    });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    // Given at /authorize, it is required and must be identical.
    const withRedirect = await client.authorizeCode(clientId);
    const missing = await client.token({ grant_type: 'authorization_code', code: withRedirect.code, code_verifier: withRedirect.verifier, client_id: clientId });
    expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('answers a grant type it does not support with unsupported_grant_type, whoever asks', async () => {
    const clientId = await client.publicClient();
    const machine = as.registerClient({ grant_types: ['client_credentials'] });
    for (const grantType of ['password', 'urn:ietf:params:oauth:grant-type:device_code', 'implicit']) {
      const byPublic = await client.token({ grant_type: grantType, username: 'a', password: 'b', client_id: clientId });
      expect(byPublic, grantType).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
      const byConfidential = await client.token({ grant_type: grantType }, basic(machine.client_id, machine.client_secret as string));
      expect(byConfidential, grantType).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    }
    // A supported grant the client was not registered for stays unauthorized_client.
    const notRegistered = await client.token({ grant_type: 'client_credentials', client_id: clientId, resource: RESOURCE });
    expect(notRegistered).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
  });

  it('still takes well-formed, form-encoded Basic credentials', async () => {
    const machine = as.registerClient({ grant_types: ['client_credentials'] });
    const encoded = basic(encodeURIComponent(machine.client_id), encodeURIComponent(machine.client_secret as string));
    const result = await client.token({ grant_type: 'client_credentials', resource: RESOURCE }, encoded);
    expect(result.status).toBe(200);
  });
});
