/**
 * CPU per request of each gate's own work, measured in process without HTTP (steady on a shared
 * machine, unlike req/s): our `authenticate()` with the verified-token cache on and off, and the
 * SDK setup's per-request work (jose `jwtVerify` plus building AuthInfo) on the same token.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { gopherAuth } from '../../src/http/gopher-auth.js';
import { TOOL_SCOPES } from '../../examples/auth-mcp-server/tools.js';

export interface GateCost {
  name: string;
  cpuUsPerRequest: number;
}

async function cpuPerCall(calls: number, fn: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 2000; i++) await fn(); // JIT warm-up
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

export async function measureGateCosts(options: { jwksUri: string; issuer: string; resource: string; token: string; calls: number }): Promise<GateCost[]> {
  const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get-forecast', arguments: { city: 'London' } } };
  const request = () => ({ method: 'POST', url: '/mcp', authorization: [`Bearer ${options.token}`], body: async () => body });
  const costs: GateCost[] = [];
  for (const [name, backend, tokenCache] of [
    ['gopherAuth().authenticate, js, cache on', 'js', true],
    ['gopherAuth().authenticate, js, cache off', 'js', false],
    ['gopherAuth().authenticate, native, cache on', 'native', true],
    ['gopherAuth().authenticate, native, cache off', 'native', false],
  ] as const) {
    const gate = gopherAuth({ resource: options.resource, issuer: options.issuer, jwksUri: options.jwksUri, backend, toolScopes: TOOL_SCOPES, clientOptions: { tokenCache } });
    try {
      const cpu = await cpuPerCall(options.calls, async () => {
        const outcome = await gate.authenticate(request());
        if ('error' in outcome) throw new Error(`${name}: refused (${outcome.error.reason})`);
      });
      costs.push({ name, cpuUsPerRequest: cpu });
    } finally {
      gate.close();
    }
  }
  const keys = createRemoteJWKSet(new URL(options.jwksUri));
  const cpu = await cpuPerCall(options.calls, async () => {
    const { payload } = await jwtVerify(options.token, keys, { issuer: options.issuer, audience: options.resource });
    void { token: options.token, clientId: payload.client_id, scopes: String(payload.scope).split(' '), expiresAt: payload.exp, resource: new URL(options.resource) };
  });
  costs.push({ name: 'SDK verifier: jose jwtVerify (remote JWKS) + AuthInfo', cpuUsPerRequest: cpu });
  return costs;
}
