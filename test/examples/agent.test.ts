import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../../examples/agent-client-credentials/agent.js';
import { INITIALIZE, post, startStack, type Stack } from './helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

describe('agent with client_credentials (RFC 8707)', () => {
  it('gets 401 without a token, then initializes and lists tools with a resource-bound token', async () => {
    const machine = stack.as.registerClient({ grant_types: ['client_credentials'], scope: 'mcp:read' });
    const report = await runAgent({
      tokenEndpoint: stack.as.tokenEndpoint,
      clientId: machine.client_id,
      clientSecret: machine.client_secret as string,
      mcpUrl: stack.server.mcpUrl,
    });
    expect(report).toEqual({
      withoutToken: 401,
      initialize: { status: 200, serverName: 'auth-mcp-server' },
      tools: ['get-weather', 'get-forecast', 'get-weather-alerts'],
    });
  });

  it('a client_credentials token bound to a different resource is refused by this server', async () => {
    const machine = stack.as.registerClient({ grant_types: ['client_credentials'], scope: 'mcp:read' });
    const response = await fetch(stack.as.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: machine.client_id,
        client_secret: machine.client_secret as string,
        resource: 'https://other.example/mcp',
      }),
    });
    const { access_token } = (await response.json()) as { access_token: string };
    const refused = await post(stack.server.mcpUrl, INITIALIZE, { authorization: `Bearer ${access_token}` });
    expect(refused.status).toBe(401);
  });
});
