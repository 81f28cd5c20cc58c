import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../../examples/dev-authorization-server/index.js';
import { devAsClient, RESOURCE } from './dev-as-client.js';

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

  it('still takes well-formed, form-encoded Basic credentials', async () => {
    const machine = as.registerClient({ grant_types: ['client_credentials'] });
    const encoded = basic(encodeURIComponent(machine.client_id), encodeURIComponent(machine.client_secret as string));
    const result = await client.token({ grant_type: 'client_credentials', resource: RESOURCE }, encoded);
    expect(result.status).toBe(200);
  });
});
