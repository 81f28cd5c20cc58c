import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openSession, post } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcess[] = [];
const scratchDirs: string[] = [];

// The tests run concurrently (each waits mostly on a child's startup); children die at the end.
afterAll(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGTERM');
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function startCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/auth-mcp-server/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const mcpUrl = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner; stderr: ${stderr}`)), 30_000);
    child.stdout?.on('data', () => {
      const match = /MCP endpoint\s+(\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited early; stderr: ${stderr}`));
    });
  });
  // Tests that expect a refusal never await the URL: keep its rejection from going unhandled.
  mcpUrl.catch(() => {});
  return { child, exited, mcpUrl, output: () => ({ stdout, stderr }) };
}

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'auth-mcp-cli-'));
  scratchDirs.push(dir);
  const file = join(dir, 'server.config');
  writeFileSync(file, text);
  return file;
}

describe.concurrent('auth-mcp-server CLI', () => {
  it('--no-auth prints a loud warning on stderr and serves admin tools without a token', async () => {
    const cli = startCli([configFile('auth_server_url=http://127.0.0.1:9\n'), '--host', '127.0.0.1', '--port', '0', '--no-auth']);
    const mcpUrl = await cli.mcpUrl;
    expect(cli.output().stderr).toContain('AUTHENTICATION IS DISABLED');
    const session = await openSession(mcpUrl);
    const response = await post(mcpUrl, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get-weather-alerts', arguments: { region: 'California' } } }, session);
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).toContain('\\"alerts\\": []');
  });

  it('--port overrides the file and the advertised server_url follows it', async () => {
    const cli = startCli([configFile('port=3999\nhost=127.0.0.1\nauth_server_url=http://127.0.0.1:9\n'), '--port', '0', '--backend', 'js']);
    const mcpUrl = await cli.mcpUrl;
    // The port the OS chose, not the file's (a substring check failed when the OS chose 39999).
    expect(new URL(mcpUrl).port).not.toBe('3999');
    expect(Number(new URL(mcpUrl).port)).toBeGreaterThan(0);
    const prm = (await (await fetch(`${new URL(mcpUrl).origin}/.well-known/oauth-protected-resource/mcp`)).json()) as { resource: string };
    expect(prm.resource).toBe(mcpUrl);
    expect(cli.output().stdout).toContain('token validation  js backend');
  });

  it('prints the resource URL clients must use, and no other spelling of this server\'s address', async () => {
    const cli = startCli([configFile('host=127.0.0.1\nauth_server_url=http://127.0.0.1:9\n'), '--port', '0', '--backend', 'js']);
    const mcpUrl = await cli.mcpUrl;
    const prm = (await (await fetch(`${new URL(mcpUrl).origin}/.well-known/oauth-protected-resource/mcp`)).json()) as { resource: string };
    expect(mcpUrl).toBe(prm.resource);
    const { stdout } = cli.output();
    expect(stdout).toMatch(/connect MCP clients to exactly this URL/);
    // "127.0.0.1:<port>" was printed as the listening address; clients given http://127.0.0.1:<port>/mcp
    // then refuse the metadata ("Protected resource http://localhost:… does not match expected …").
    const port = new URL(mcpUrl).port;
    expect(stdout).not.toContain(`127.0.0.1:${port}`);
  });

  it('auth enabled without an authorization server: refuses to start, exit 2, clear message', async () => {
    const cli = startCli([configFile('host=127.0.0.1\n'), '--port', '0']);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toMatch(/refusing to start with authentication enabled: .*issuer/);
    expect(cli.output().stdout).not.toContain('MCP endpoint');
  });

  it('a misspelt key is reported on stderr and changes nothing (auth_disable=true leaves auth on)', async () => {
    const cli = startCli([configFile('host=127.0.0.1\nauth_server_url=http://127.0.0.1:9\nauth_disable=true\n'), '--port', '0', '--backend', 'js']);
    const mcpUrl = await cli.mcpUrl;
    expect(cli.output().stderr).toContain('ignoring unknown key "auth_disable"');
    expect(cli.output().stderr).not.toContain('AUTHENTICATION IS DISABLED');
    expect((await post(mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status).toBe(401);
  });

  // A docker-compose Keycloak (http://keycloak:8080) is plain http off loopback. The issuer is only
  // compared, never fetched, here; the JWKS URL is a closed loopback port, so nothing leaves the host.
  const PLAIN_HTTP_ISSUER = 'host=127.0.0.1\nissuer=http://keycloak.invalid:8080/realms/mcp\njwks_uri=http://127.0.0.1:9/certs\nrequest_timeout=2\n';

  it('plain http off loopback: refuses before listening and names the config key that allows it', async () => {
    const cli = startCli([configFile(PLAIN_HTTP_ISSUER), '--port', '0', '--backend', 'js']);
    expect(await cli.exited).toBe(2);
    const { stdout, stderr } = cli.output();
    expect(stderr).toContain('issuer uses plain http on a non-loopback host (keycloak.invalid:8080)');
    expect(stderr).toContain('allow_insecure_http=true');
    // The library's own option name means nothing to someone editing server.config.
    expect(stderr).not.toContain('allowInsecureHttp');
    expect(stdout).not.toContain('MCP endpoint');
  });

  it('allow_insecure_http=true starts with a loud warning and advertises the http authorization server', async () => {
    const cli = startCli([configFile(`${PLAIN_HTTP_ISSUER}allow_insecure_http=true\n`), '--port', '0', '--backend', 'js']);
    const mcpUrl = await cli.mcpUrl;
    expect(cli.output().stderr).toContain('WARNING: allow_insecure_http=true');
    const metadata = (await (await fetch(new URL('/.well-known/oauth-protected-resource/mcp', mcpUrl))).json()) as { authorization_servers: string[]; resource: string };
    expect(metadata.resource).toBe(mcpUrl);
    expect(metadata.authorization_servers).toEqual(['http://keycloak.invalid:8080/realms/mcp']);
    // Still no access without a token.
    const response = await post(mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(response.status).toBe(401);
  });

  it('--backend native with the native library unavailable: refuses to start (never falls back to no auth)', async () => {
    const cli = startCli([configFile('host=127.0.0.1\nauth_server_url=http://127.0.0.1:9\n'), '--port', '0', '--backend', 'native'], {
      GOPHER_AUTH_NATIVE_LOAD_MODE: 'off',
      GOPHER_AUTH_ADDON: '0',
    });
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toMatch(/refusing to start with authentication enabled: no usable token validation backend .*native/);
    expect(cli.output().stdout).not.toContain('MCP endpoint');
  });
});
