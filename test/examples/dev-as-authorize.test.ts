import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevAuthorizationServer, type DevAuthorizationServer } from '../../examples/dev-authorization-server/index.js';
import { devAsClient, RESOURCE } from './dev-as-client.js';

let as: DevAuthorizationServer;
let client: ReturnType<typeof devAsClient>;
let clientId: string;
beforeAll(async () => {
  as = await startDevAuthorizationServer();
  client = devAsClient(as);
  clientId = await client.publicClient();
});
afterAll(async () => {
  await as.close();
});

/** RFC 6749 §4.1.2.1 / §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
const DESCRIPTION_CHARACTERS = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;

describe('development authorization server: /authorize details', () => {
  it('puts only RFC 6749 characters, and not too many, into an error_description', async () => {
    const weird = await client.authorizeCode(clientId, { scope: 'mcp:read mcp:é"\\\u0000<x>', state: 's' });
    const description = weird.location?.searchParams.get('error_description') ?? '';
    expect(weird.location?.searchParams.get('error')).toBe('invalid_scope');
    expect(description).toMatch(DESCRIPTION_CHARACTERS);
    expect(description).toContain('mcp:');

    const long = await client.authorizeCode(clientId, { resource: `not a uri ${'x'.repeat(5000)}` });
    expect(long.location?.searchParams.get('error')).toBe('invalid_target');
    expect((long.location?.searchParams.get('error_description') ?? '').length).toBeLessThanOrEqual(200);

    const machine = as.registerClient({ grant_types: ['client_credentials'] });
    const token = await client.token({
      grant_type: 'client_credentials', client_id: machine.client_id, client_secret: machine.client_secret, resource: `bad "uri" \\ ${'y'.repeat(5000)}`,
    });
    expect(token.body.error).toBe('invalid_target');
    expect(String(token.body.error_description)).toMatch(DESCRIPTION_CHARACTERS);
    expect(String(token.body.error_description).length).toBeLessThanOrEqual(200);
  });

  it('echoes an empty state as given (RFC 6749 §4.1.2: exactly the value received)', async () => {
    const { location } = await client.authorizeCode(clientId, { state: '' });
    expect(location?.searchParams.has('state')).toBe(true);
    expect(location?.searchParams.get('state')).toBe('');
    expect(location?.searchParams.get('code')).not.toBeNull();
    const without = await client.authorizeCode(clientId, { state: undefined });
    expect(without.location?.searchParams.has('state')).toBe(false);
  });

  it('refuses a request without resource at /authorize when there is no default audience, instead of issuing a code that cannot be redeemed', async () => {
    const { location, code } = await client.authorizeCode(clientId, { resource: undefined, state: 'r' });
    expect(code).toBeUndefined();
    expect(location?.searchParams.get('error')).toBe('invalid_target');
    expect(location?.searchParams.get('state')).toBe('r');

    const withDefault = await startDevAuthorizationServer({ defaultAudience: RESOURCE });
    try {
      const other = devAsClient(withDefault);
      const flow = await other.codeFlow(await other.publicClient(), { resource: undefined });
      expect(flow.status).toBe(200);
    } finally {
      await withDefault.close();
    }
  });
});
