import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { startDevAuthorizationServer } from '../../examples/dev-authorization-server/index.js';

describe('development authorization server: issuer', () => {
  it('is http://{host}:{port} with the host name as given (--host localhost), so metadata fetched there names it (RFC 8414 §3.3)', async () => {
    const as = await startDevAuthorizationServer({ host: 'localhost' });
    try {
      const port = new URL(as.issuer).port;
      expect(as.issuer).toBe(`http://localhost:${port}`);
      const metadata = (await (await fetch(`${as.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, string>;
      expect(metadata.issuer).toBe(as.issuer);
      expect(metadata.token_endpoint).toBe(`${as.issuer}/protocol/openid-connect/token`);
      expect(decodeJwt(await as.issueToken({ audience: 'http://localhost:3001/mcp' })).iss).toBe(as.issuer);
    } finally {
      await as.close();
    }
  });

  it('is the bound address when the host is an IP literal (the default 127.0.0.1)', async () => {
    const as = await startDevAuthorizationServer();
    try {
      expect(as.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await as.close();
    }
  });
});
