import type { Backend, BackendClient, BackendName } from '../backends/types.js';
import { GopherAuthError, GopherAuthException } from './errors.js';
import type { Logger } from './logger.js';

export type BackendMode = 'auto' | 'js' | 'native';

const MODES: readonly BackendMode[] = ['auto', 'js', 'native'];

/** The option wins, then env GOPHER_AUTH_BACKEND, then 'auto'. Anything else is a configuration error. */
export function resolveBackendMode(option: string | undefined, env: string | undefined = process.env.GOPHER_AUTH_BACKEND): BackendMode {
  const fromEnv = env !== undefined && env.trim() !== '' ? env.trim().toLowerCase() : undefined;
  const mode = option ?? fromEnv ?? 'auto';
  if (!(MODES as readonly string[]).includes(mode)) {
    const source = option !== undefined ? 'option backend' : 'GOPHER_AUTH_BACKEND';
    throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `${source} must be 'auto', 'js' or 'native', got "${mode}"`);
  }
  return mode as BackendMode;
}

/** The backend clients one GopherAuthClient uses: always JS (also for re-checks), native when chosen and available. */
export interface BackendClients {
  js: BackendClient;
  native: BackendClient | null;
  /** The native backend, for per-token algorithm support; null when not in use. */
  nativeBackend: Backend | null;
  /** What `client.backend` reports. */
  primary: BackendName;
}

/** Why backend 'native' cannot run here, or null when it can. */
export function nativeUnavailable(native: Backend): string | null {
  const availability = native.availability();
  return availability.available ? null : (availability.reason ?? 'unknown reason');
}

/** A forced 'native' that cannot run: a configuration error, not a token error. */
export function nativeUnavailableError(reason: string): GopherAuthException {
  return new GopherAuthException(GopherAuthError.INVALID_CONFIG, `backend 'native' is unavailable: ${reason}`);
}

export function createBackendClients(
  mode: BackendMode,
  config: { jwksUri: string; issuer: string },
  backends: { js: Backend; native: Backend },
  logger: Logger,
): BackendClients {
  const js = backends.js.createClient(config);
  if (mode === 'js') return { js, native: null, nativeBackend: null, primary: 'js' };
  const reason = nativeUnavailable(backends.native);
  if (reason !== null) {
    if (mode === 'native') {
      js.destroy();
      throw nativeUnavailableError(reason);
    }
    logger.info({ backend: 'js', reason }, 'gopher-auth: native backend unavailable, using the JS backend');
    return { js, native: null, nativeBackend: null, primary: 'js' };
  }
  try {
    const native = backends.native.createClient(config);
    return { js, native, nativeBackend: backends.native, primary: 'native' };
  } catch (error) {
    if (mode === 'native') {
      js.destroy();
      throw new GopherAuthException(GopherAuthError.INVALID_CONFIG, `backend 'native' failed to start: ${describe(error)}`, { cause: error });
    }
    logger.warn({ backend: 'js', reason: describe(error) }, 'gopher-auth: native backend failed to start, using the JS backend');
    return { js, native: null, nativeBackend: null, primary: 'js' };
  }
}

/**
 * Which client answers this token: under 'auto' the native one for algorithms it verifies itself
 * (and the allow-list permits), the JS one otherwise; under 'native' always native.
 * `keysLackKid`: the token names, plainly, a kid the client's keys lack. Under 'auto' the JS client
 * answers it: whichever backend answers, it is that key miss unless an earlier check refuses the
 * token, both take their checks in the library's order (test/vectors), and the JS backend costs
 * about a third of the native call and its second opinion (a flood of random kids).
 */
export function pickClient(clients: BackendClients, mode: BackendMode, alg: string | null, algorithms: readonly string[], keysLackKid = false): BackendClient {
  const { native, nativeBackend } = clients;
  if (native === null || nativeBackend === null) return clients.js;
  if (mode === 'native') return native;
  if (keysLackKid) return clients.js;
  return alg !== null && nativeBackend.supportsAlgorithm(alg) && algorithms.includes(alg) ? native : clients.js;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
