/** Standalone: `npx tsx examples/dev-authorization-server/main.ts [--port 9000] [--host 127.0.0.1]`; the issuer printed is the URL to configure. */
import { startDevAuthorizationServer } from './index.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(flag('--port') ?? 9000);
const as = await startDevAuthorizationServer({ port, host: flag('--host') ?? '127.0.0.1', adminRoutes: true });
process.stderr.write(
  [
    'Development authorization server (NOT for production: consent is automatic, state is in memory)',
    `  issuer            ${as.issuer}`,
    `  metadata          ${as.metadataUrl}`,
    `  jwks              ${as.jwksUri}`,
    `  registration      ${as.registrationEndpoint}`,
    `  rotate keys       curl -X POST -H 'content-type: application/json' ${as.issuer}/admin/rotate-keys`,
    '',
  ].join('\n'),
);
const stop = (): void => void as.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
