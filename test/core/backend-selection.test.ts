import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backends/js/index.js';
import type { Backend, BackendClient } from '../../src/backends/types.js';
import { createBackendClients, pickClient, resolveBackendMode } from '../../src/core/backend-selection.js';
import { GopherAuthError, GopherAuthException } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';

function recordingLogger(): Logger & { lines: Array<{ level: string; msg: string | undefined; obj: unknown }> } {
  const lines: Array<{ level: string; msg: string | undefined; obj: unknown }> = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const unavailableNative: Backend = {
  name: 'native',
  availability: () => ({ available: false, reason: 'libgopher-orch not found; install @gopher.security/gopher-orch-linux-x64' }),
  supportsAlgorithm: (alg) => alg.startsWith('RS'),
  createClient: () => {
    throw new Error('must not be called');
  },
};

function fakeNativeClient(): BackendClient {
  return { backend: 'native', setKeys: () => {}, validateSync: () => ({ valid: true, code: 0, message: null }), validate: async () => ({ valid: true, code: 0, message: null }), destroy: () => {} };
}
const availableNative: Backend = { ...unavailableNative, availability: () => ({ available: true }), createClient: fakeNativeClient };
const config = { jwksUri: 'http://127.0.0.1:1/jwks', issuer: 'http://issuer' };

describe('resolveBackendMode', () => {
  it('option first, then env, then auto', () => {
    expect(resolveBackendMode('js', 'native')).toBe('js');
    expect(resolveBackendMode(undefined, 'NATIVE')).toBe('native');
    expect(resolveBackendMode(undefined, ' ')).toBe('auto');
    expect(resolveBackendMode(undefined, undefined)).toBe('auto');
    expect(() => resolveBackendMode(undefined, 'rust')).toThrow(/GOPHER_AUTH_BACKEND/);
  });
});

describe('createBackendClients', () => {
  it("'auto' without native falls back to JS with exactly one info log naming the reason", () => {
    const logger = recordingLogger();
    const clients = createBackendClients('auto', config, { js: jsBackend, native: unavailableNative }, logger);
    expect(clients.primary).toBe('js');
    expect(clients.native).toBeNull();
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]?.level).toBe('info');
    expect(JSON.stringify(logger.lines[0]?.obj)).toMatch(/gopher-orch-linux-x64/);
  });

  it("'native' without native throws INVALID_CONFIG saying why and what to install", () => {
    let caught: unknown;
    try {
      createBackendClients('native', config, { js: jsBackend, native: unavailableNative }, recordingLogger());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GopherAuthException);
    expect((caught as GopherAuthException).code).toBe(GopherAuthError.INVALID_CONFIG);
    expect((caught as Error).message).toMatch(/backend 'native' is unavailable: .*install @gopher\.security/);
  });

  it("'js' never asks the native backend", () => {
    const native: Backend = { ...unavailableNative, availability: () => { throw new Error('asked'); } };
    expect(createBackendClients('js', config, { js: jsBackend, native }, recordingLogger()).primary).toBe('js');
  });

  it("'auto' routes RS* in the allow-list to native and everything else to JS", () => {
    const clients = createBackendClients('auto', config, { js: jsBackend, native: availableNative }, recordingLogger());
    const all = ['RS256', 'ES256'];
    expect(pickClient(clients, 'auto', 'RS256', all).backend).toBe('native');
    expect(pickClient(clients, 'auto', 'ES256', all).backend).toBe('js');
    expect(pickClient(clients, 'auto', null, all).backend).toBe('js');
    expect(pickClient(clients, 'auto', 'RS256', ['ES256']).backend).toBe('js');
    expect(pickClient(clients, 'native', 'ES256', all).backend).toBe('native');
    // A kid the keys lack: JS under 'auto', the library still under 'native'.
    expect(pickClient(clients, 'auto', 'RS256', all, true).backend).toBe('js');
    expect(pickClient(clients, 'native', 'RS256', all, true).backend).toBe('native');
  });
});
