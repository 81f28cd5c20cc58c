/**
 * The published shape: tsup builds ESM + CJS with type declarations, and the `exports` map serves
 * each to its loader. Built into a scratch package (never into the repository's dist/), then used
 * from child processes the way a consumer would: require() and import() by package path, and a real
 * validation on the native backend from each bundle.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestIssuer } from '../support/issuer.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';

const root = path.resolve(import.meta.dirname, '../..');
const issuer = new TestIssuer();
let pkg: string;
let server: JwksServer;

beforeAll(async () => {
  pkg = mkdtempSync(path.join(tmpdir(), 'gopher-auth-pkg-'));
  cpSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
  symlinkSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'));
  // The addon built by pretest, where node-gyp-build looks for it beside the package.json.
  symlinkSync(path.join(root, 'build'), path.join(pkg, 'build'));
  const tsup = path.join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js');
  execFileSync(process.execPath, [tsup, '--out-dir', path.join(pkg, 'dist'), '--silent'], { cwd: root, stdio: 'pipe' });
  server = await startJwksServer({ jwks: issuer.jwks(['rsa2048']) });
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (pkg) rmSync(pkg, { recursive: true, force: true });
});

const run = promisify(execFile);

// Asynchronous: the JWKS server the child fetches from lives in this process.
async function consume(kind: 'require' | 'import', token: string): Promise<{ exports: string[]; backend: string; result: unknown }> {
  const load = kind === 'require' ? `Promise.resolve(require(${JSON.stringify(pkg)}))` : `import(${JSON.stringify(pkg + '/dist/index.js')})`;
  const script = `
    ${load}.then(async (m) => {
      const client = new m.GopherAuthClient(${JSON.stringify(server.url)}, ${JSON.stringify(issuer.issuer)}, { backend: 'native' });
      const result = await client.validateToken(process.env.TOKEN);
      const backend = client.backend;
      client.destroy();
      process.stdout.write(JSON.stringify({ exports: Object.keys(m).sort(), backend, result }));
    });`;
  const args = kind === 'require' ? ['-e', script] : ['--input-type=module', '-e', script];
  const { stdout } = await run(process.execPath, args, { cwd: pkg, env: { ...process.env, TOKEN: token }, encoding: 'utf8' });
  return JSON.parse(stdout);
}

describe('package exports', () => {
  it('ships ESM, CJS and a declaration file for each', () => {
    for (const file of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts', 'cli.js']) {
      expect(existsSync(path.join(pkg, 'dist', file)), file).toBe(true);
    }
  });

  it.each(['require', 'import'] as const)('%s(): the public API, and a native validation from the bundle', async (kind) => {
    const token = issuer.sign();
    const { exports, backend, result } = await consume(kind, token);
    for (const name of ['GopherAuthClient', 'GopherValidationOptions', 'GopherAuthError', 'gopherAuth', 'gopherSetNativeLogger', 'httpStatus']) {
      expect(exports).toContain(name);
    }
    expect(backend).toBe('native');
    expect(result).toEqual({ valid: true, errorCode: 0, errorMessage: null });
  });

  it.each(['require', 'import'] as const)('%s(): concurrent JS validations run on the verify worker threads built beside the bundle', async (kind) => {
    expect(existsSync(path.join(pkg, 'dist', 'verify-worker.js'))).toBe(true);
    const load = kind === 'require' ? `Promise.resolve(require(${JSON.stringify(pkg)}))` : `import(${JSON.stringify(pkg + '/dist/index.js')})`;
    const script = `
      ${load}.then(async (m) => {
        const client = new m.GopherAuthClient(${JSON.stringify(server.url)}, ${JSON.stringify(issuer.issuer)}, { backend: 'js' });
        await client.ready();
        const tokens = JSON.parse(process.env.TOKENS);
        let valid = 0;
        // The workers start on first need: keep 64 in flight until they have answered some.
        for (let round = 0; round < 200 && client.stats().jsWorkers.validated === 0; round++) {
          const results = await Promise.all(tokens.map((t) => client.validateToken(t)));
          valid += results.filter((r) => r.valid).length;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        const { jsWorkers } = client.stats();
        client.destroy();
        process.stdout.write(JSON.stringify({ valid: valid > 0 && valid % 64 === 0, jsWorkers }));
      });`;
    const tokens = Array.from({ length: 64 }, () => issuer.sign());
    const args = kind === 'require' ? ['-e', script] : ['--input-type=module', '-e', script];
    const { stdout } = await run(process.execPath, args, { cwd: pkg, env: { ...process.env, TOKENS: JSON.stringify(tokens) }, encoding: 'utf8', timeout: 30_000 });
    const { valid, jsWorkers } = JSON.parse(stdout) as { valid: boolean; jsWorkers: { running: number; validated: number; off: string | null } };
    expect(valid).toBe(true);
    expect(jsWorkers.off).toBeNull();
    expect(jsWorkers.running).toBeGreaterThan(0);
    expect(jsWorkers.validated).toBeGreaterThan(0);
  });

  // An application whose own code imports the package while a CommonJS dependency requires it runs
  // both bundles, each with its own module state, against one native library. The library's init
  // count must be one for both: before, the first bundle to destroy its last client shut the library
  // down under the other's (every token refused NOT_INITIALIZED, no new client possible) — through
  // koffi; with the addon the count lives in the addon, which both bundles share.
  it.each([
    ['with the addon', {}],
    ['through koffi (GOPHER_AUTH_ADDON=off)', { GOPHER_AUTH_ADDON: 'off' }],
  ] as const)('both bundles in one process (%s): either letting go of its clients leaves the other working', async (name, env) => {
    const script = `
      import { createRequire } from 'node:module';
      const esm = await import(${JSON.stringify(pkg + '/dist/index.js')});
      const cjs = createRequire(${JSON.stringify(pkg + '/')})(${JSON.stringify(pkg)});
      const make = (m) => new m.GopherAuthClient(${JSON.stringify(server.url)}, ${JSON.stringify(issuer.issuer)}, { backend: 'native' });
      const check = async (client) => { const r = await client.validateToken(process.env.TOKEN); return r.valid ? 'valid' : r.errorCode; };
      const steps = {};
      steps.addon = [esm.gopherSetNativeLogger({ debug() {} }), cjs.gopherSetNativeLogger(null)];
      const a = make(esm), b = make(cjs);
      steps.distinct = esm.GopherAuthClient !== cjs.GopherAuthClient;
      steps.both = [await check(a), await check(b)];
      a.destroy();
      steps.afterImportLetGo = await check(b);
      let c;
      try { c = make(cjs); steps.newRequired = await check(c); } catch (e) { steps.newRequired = String(e.message); }
      b.destroy(); c?.destroy();
      steps.initializedAfterAll = [esm.gopherIsAuthLibraryInitialized(), cjs.gopherIsAuthLibraryInitialized()];
      const d = make(esm);
      steps.importAgain = await check(d);
      d.destroy();
      process.stdout.write(JSON.stringify(steps));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: pkg,
      env: { ...process.env, ...env, TOKEN: issuer.sign() },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const addon = name === 'with the addon';
    expect(JSON.parse(stdout)).toEqual({
      addon: [addon, addon],
      distinct: true,
      both: ['valid', 'valid'],
      afterImportLetGo: 'valid',
      newRequired: 'valid',
      initializedAfterAll: [false, false],
      importAgain: 'valid',
    });
  });

  it("an error thrown by either bundle is instanceof the other bundle's class", async () => {
    const script = `
      import { createRequire } from 'node:module';
      const esm = await import(${JSON.stringify(pkg + '/dist/index.js')});
      const cjs = createRequire(${JSON.stringify(pkg + '/')})(${JSON.stringify(pkg)});
      const thrown = (m) => { try { new m.GopherAuthClient('ftp://x.example/jwks', 'ftp://x.example'); } catch (e) { return e; } };
      process.stdout.write(JSON.stringify({
        exception: [thrown(cjs) instanceof esm.GopherAuthException, thrown(esm) instanceof cjs.GopherAuthException, thrown(cjs).code],
        bearer: [cjs.authErrors.badRequest('x') instanceof esm.BearerAuthError, esm.authErrors.badRequest('x') instanceof cjs.BearerAuthError],
        foreign: [new Error('x') instanceof esm.GopherAuthException, esm.authErrors.badRequest('x') instanceof cjs.GopherAuthException],
      }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: pkg, encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ exception: [true, true, -1009], bearer: [true, true], foreign: [false, false] });
  });

  // A TypeScript consumer (strict, nodenext) type-checked against the shipped declarations, by package
  // name, through both conditions of the exports map. The @ts-expect-error lines must be errors.
  it('the declarations serve a strict TypeScript consumer of either module kind, and a result narrows on valid', async () => {
    const body = (load: string) => `${load}
async function decide(client: GopherAuthClient): Promise<string> {
  const result = await client.validateToken('t', { scopes: ['read'] });
  if (!result.valid) {
    const code: Exclude<GopherAuthError, GopherAuthError.SUCCESS> = result.errorCode;
    return result.errorMessage.toUpperCase() + String(code) + getErrorDescription(result.errorCode);
  }
  const ok: GopherAuthError.SUCCESS = result.errorCode;
  const none: null = result.errorMessage;
  // @ts-expect-error a valid result has no message to read
  result.errorMessage.toUpperCase();
  return String(ok) + String(none);
}
const refused: ValidationResult = { valid: false, errorCode: GopherAuthError.EXPIRED_TOKEN, errorMessage: 'expired' };
// @ts-expect-error a refusal carries a message
const silent: ValidationResult = { valid: false, errorCode: GopherAuthError.EXPIRED_TOKEN, errorMessage: null };
// @ts-expect-error an acceptance carries SUCCESS
const odd: ValidationResult = { valid: true, errorCode: GopherAuthError.EXPIRED_TOKEN, errorMessage: null };
export { decide, refused, silent, odd };
`;
    writeFileSync(path.join(pkg, 'consumer.mts'), body(`import { GopherAuthClient, GopherAuthError, getErrorDescription, type ValidationResult } from 'gopher-auth';`));
    writeFileSync(path.join(pkg, 'consumer.cts'), body(`import gopher = require('gopher-auth');
import GopherAuthClient = gopher.GopherAuthClient;
import GopherAuthError = gopher.GopherAuthError;
import getErrorDescription = gopher.getErrorDescription;
type ValidationResult = gopher.ValidationResult;`));
    writeFileSync(path.join(pkg, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], skipLibCheck: false },
      files: ['consumer.mts', 'consumer.cts'],
    }));
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const { stdout } = await run(process.execPath, [tsc, '-p', path.join(pkg, 'tsconfig.json'), '--pretty', 'false'], { cwd: pkg, encoding: 'utf8' }).catch((error: { stdout?: string }) => ({ stdout: `FAILED\n${error.stdout ?? String(error)}` }));
    expect(stdout).toBe('');
  }, 60_000);

  it('the CJS and ESM bundles export the same names', async () => {
    const token = issuer.sign();
    expect((await consume('require', token)).exports).toEqual((await consume('import', token)).exports);
  });
});
