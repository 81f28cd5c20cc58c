/**
 * Self-signed certificates made at test time with the `openssl` CLI, and an HTTPS JWKS server.
 * Point a child process's NODE_EXTRA_CA_CERTS at `certPath` to make Node trust it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJwksServer, type JwksServer, type JwksServerOptions } from './jwks-server.js';

export interface SelfSignedCert {
  key: string;
  cert: string;
  keyPath: string;
  certPath: string;
  dir: string;
  cleanup(): void;
}

function requireOpenssl(): void {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `the 'openssl' command-line tool is needed to create a test certificate but could not be run: ${(error as Error).message}`,
    );
  }
}

/** A P-256 certificate for 127.0.0.1 and localhost, valid for one day, in a fresh temp directory. */
export function createSelfSignedCert(commonName = 'gopher-auth test'): SelfSignedCert {
  requireOpenssl();
  const dir = mkdtempSync(join(tmpdir(), 'gopher-auth-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-days', '1', '-subj', `/CN=${commonName}`,
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext', 'basicConstraints=critical,CA:TRUE',
        '-keyout', keyPath, '-out', certPath,
      ],
      { stdio: 'pipe' },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl could not create a self-signed certificate: ${stderr || (error as Error).message}`);
  }
  return {
    key: readFileSync(keyPath, 'utf8'),
    cert: readFileSync(certPath, 'utf8'),
    keyPath,
    certPath,
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface HttpsJwksServer extends JwksServer {
  readonly certificate: SelfSignedCert;
}

/** The JWKS test server over HTTPS with a fresh self-signed certificate (removed on close). */
export async function startHttpsJwksServer(options: Omit<JwksServerOptions, 'tls'>): Promise<HttpsJwksServer> {
  const certificate = createSelfSignedCert();
  const server = await startJwksServer({ ...options, tls: { key: certificate.key, cert: certificate.cert } });
  const close = server.close.bind(server);
  return Object.assign(server, {
    certificate,
    close: async () => {
      await close();
      certificate.cleanup();
    },
  });
}
