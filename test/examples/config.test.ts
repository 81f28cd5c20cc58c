import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, buildConfig, missingAuthSettings, parseConfigText } from '../../examples/auth-mcp-server/config.js';
import { parseCliArgs, resolveConfig } from '../../examples/auth-mcp-server/cli.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('server.config parsing', () => {
  it('skips comments and blank lines, splits at the first =, trims keys and values', () => {
    const raw = parseConfigText(
      ['# comment', '', '   # indented comment', '  host =  127.0.0.1  ', 'allowed_scopes = a b=c ', 'no_equals_line', 'empty=', '=novalue', 'x\t=\ty\r'].join('\n'),
    );
    expect(raw).toEqual({ host: '127.0.0.1', allowed_scopes: 'a b=c', empty: '', x: 'y' });
  });

  it('applies the documented defaults', () => {
    const c = buildConfig({});
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 3001,
      serverUrl: 'http://localhost:3001',
      authServerUrl: '',
      jwksUri: '',
      issuer: '',
      allowedScopes: ['openid', 'profile', 'email', 'mcp:read', 'mcp:admin'],
      jwksCacheDuration: 3600,
      jwksAutoRefresh: true,
      requestTimeout: 30,
      authDisabled: false,
      backend: 'auto',
    });
  });

  it('derives every endpoint from auth_server_url (Keycloak layout), trailing slash ignored', () => {
    const c = buildConfig({ auth_server_url: 'https://kc.example/realms/demo/' });
    expect(c.issuer).toBe('https://kc.example/realms/demo');
    expect(c.jwksUri).toBe('https://kc.example/realms/demo/protocol/openid-connect/certs');
    expect(c.tokenEndpoint).toBe('https://kc.example/realms/demo/protocol/openid-connect/token');
    expect(c.oauthTokenUrl).toBe(c.tokenEndpoint);
    expect(c.oauthAuthorizeUrl).toBe('https://kc.example/realms/demo/protocol/openid-connect/auth');
  });

  it('explicit values win over derivation', () => {
    const c = buildConfig({
      auth_server_url: 'https://kc.example/realms/demo',
      jwks_uri: 'https://keys.example/jwks',
      issuer: 'https://issuer.example',
      token_endpoint: 'https://t.example/token',
      oauth_authorize_url: 'https://a.example/auth',
      server_url: 'https://mcp.example/',
    });
    expect(c).toMatchObject({
      jwksUri: 'https://keys.example/jwks',
      issuer: 'https://issuer.example',
      tokenEndpoint: 'https://t.example/token',
      oauthTokenUrl: 'https://t.example/token',
      oauthAuthorizeUrl: 'https://a.example/auth',
      serverUrl: 'https://mcp.example',
    });
  });

  it('overrides apply BEFORE derivation: a new port changes the derived server_url', () => {
    expect(buildConfig({ port: '3001' }, { port: '4100' }).serverUrl).toBe('http://localhost:4100');
    // An explicit server_url is not derived, so the port does not touch it.
    expect(buildConfig({ port: '3001', server_url: 'https://mcp.example' }, { port: '4100' }).serverUrl).toBe('https://mcp.example');
    // Port 0: derived once the listening port is known.
    expect(buildConfig({}, { port: '0' }).serverUrl).toBeUndefined();
  });

  it('parses booleans and numbers strictly', () => {
    expect(buildConfig({ auth_disabled: 'TRUE', jwks_auto_refresh: 'no' })).toMatchObject({ authDisabled: true, jwksAutoRefresh: false });
    expect(() => buildConfig({ port: '30x1' })).toThrow(ConfigError);
    expect(() => buildConfig({ port: '70000' })).toThrow(ConfigError);
    expect(() => buildConfig({ auth_disabled: 'maybe' })).toThrow(ConfigError);
    expect(() => buildConfig({ backend: 'wasm' })).toThrow(/backend must be js, native or auto/);
  });

  it('reports what auth needs when enabled, nothing when disabled', () => {
    expect(missingAuthSettings(buildConfig({}))).toEqual(
      expect.arrayContaining([expect.stringMatching(/issuer/), expect.stringMatching(/jwks_uri/)]),
    );
    expect(missingAuthSettings(buildConfig({ auth_disabled: 'true' }))).toEqual([]);
    expect(missingAuthSettings(buildConfig({ auth_server_url: 'http://127.0.0.1:9000' }))).toEqual([]);
    expect(missingAuthSettings(buildConfig({ auth_server_url: 'ftp://x' }))).not.toEqual([]);
  });
});

describe('CLI', () => {
  it('parses [config] [--host] [--port] [--no-auth] [--backend]', () => {
    expect(parseCliArgs(['my.config', '--host', '127.0.0.1', '--port=4000', '--no-auth', '--backend', 'js'])).toEqual({
      configPath: 'my.config',
      overrides: { host: '127.0.0.1', port: '4000', auth_disabled: 'true', backend: 'js' },
      help: false,
    });
    expect(parseCliArgs([]).overrides).toEqual({});
    expect(() => parseCliArgs(['--port'])).toThrow(ConfigError);
    expect(() => parseCliArgs(['--bogus'])).toThrow(/unknown option/);
    expect(() => parseCliArgs(['a', 'b'])).toThrow(/unexpected argument/);
  });

  it('CLI wins over the file, and derivation sees the CLI values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-mcp-config-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'server.config');
    writeFileSync(file, 'host=0.0.0.0\nport=3001\nauth_server_url=http://127.0.0.1:9000\nauth_disabled=false\nbackend=native\n');
    const { config, source } = resolveConfig(parseCliArgs([file, '--port', '5055', '--host', '127.0.0.1', '--no-auth', '--backend', 'js']));
    expect(source).toBe(file);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 5055,
      serverUrl: 'http://localhost:5055',
      authDisabled: true,
      backend: 'js',
      jwksUri: 'http://127.0.0.1:9000/protocol/openid-connect/certs',
    });
  });

  it('a key the server does not know (a typo) is named in a warning, not silently ignored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-mcp-config-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'server.config');
    writeFileSync(file, 'auth_server_url=http://127.0.0.1:9000\nauth_disable=true\nallowed_scope=mcp:read\nbackend=js\n');
    const { config, warnings } = resolveConfig(parseCliArgs([file]));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(`ignoring unknown key "auth_disable" in ${file}`);
    expect(warnings[1]).toContain('"allowed_scope"');
    expect(warnings[0]).toContain('auth_disabled, allow_insecure_http, backend');
    // Ignored as before: the misspelt key changes nothing.
    expect(config.authDisabled).toBe(false);
    const clean = join(dir, 'clean.config');
    writeFileSync(clean, 'auth_server_url=http://127.0.0.1:9000\nallow_insecure_http=false\n');
    expect(resolveConfig(parseCliArgs([clean])).warnings).toEqual([]);
  });

  it('a missing config file is a clear error', () => {
    expect(() => resolveConfig(parseCliArgs(['/nonexistent/server.config']))).toThrow(/cannot read config file/);
  });
});
