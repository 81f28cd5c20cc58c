/**
 * An agent (no user, no browser) calling a protected MCP server: it obtains a client_credentials
 * token bound to the server's resource URI (RFC 8707), then sends initialize and tools/list with it.
 * The same initialize without the token gets 401.
 */
export interface AgentOptions {
  /** The authorization server's token endpoint. */
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  /** The MCP endpoint, which is also the resource indicator (the token's `aud`). */
  mcpUrl: string;
  scope?: string;
}

export interface AgentReport {
  withoutToken: number;
  initialize: { status: number; serverName: string | undefined };
  tools: string[];
}

async function clientCredentialsToken(o: AgentOptions): Promise<string> {
  const response = await fetch(o.tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: o.scope ?? 'mcp:read', resource: o.mcpUrl }),
  });
  if (!response.ok) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function rpc(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'cc-agent', version: '1.0.0' } },
};

export async function runAgent(o: AgentOptions): Promise<AgentReport> {
  const anonymous = await rpc(o.mcpUrl, INITIALIZE);
  await anonymous.body?.cancel();

  const token = await clientCredentialsToken(o);
  const auth = { authorization: `Bearer ${token}` };
  const init = await rpc(o.mcpUrl, INITIALIZE, auth);
  const initBody = (await init.json()) as { result?: { serverInfo?: { name?: string }; protocolVersion?: string } };
  const session = init.headers.get('mcp-session-id');
  const sessionHeaders: Record<string, string> = {
    ...auth,
    ...(session ? { 'mcp-session-id': session } : {}),
    'mcp-protocol-version': initBody.result?.protocolVersion ?? '2025-06-18',
  };
  await (await rpc(o.mcpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, sessionHeaders)).body?.cancel();
  const list = await rpc(o.mcpUrl, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, sessionHeaders);
  const listBody = (await list.json()) as { result?: { tools?: Array<{ name: string }> } };
  return {
    withoutToken: anonymous.status,
    initialize: { status: init.status, serverName: initBody.result?.serverInfo?.name },
    tools: (listBody.result?.tools ?? []).map((t) => t.name),
  };
}
