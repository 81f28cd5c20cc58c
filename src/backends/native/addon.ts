/**
 * Finds and loads the optional N-API addon (prebuilds/ or a local build, through node-gyp-build)
 * and attaches it to the libgopher-orch that koffi loaded. Absent or unusable addon: the native
 * backend keeps using koffi, and addonStatus() says why.
 */
import { envOff } from '../env.js';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import type { AddonAttachInfo, AddonBinding, AddonLogLine, AddonRawResult, AddonStats } from './addon-binding.js';
import { redactLine, tokenSubject } from './addon-redact.js';
import { truncatedElf } from './elf-check.js';
import { keyCacheDecision } from './key-cache.js';
import { loadNativeLibrary } from './loader.js';
import { backgroundNice } from '../thread-priority.js';

export type { AddonRawResult, AddonLogLine, AddonStats } from './addon-binding.js';

const PACKAGE_NAME = 'gopher-auth';
const EXPECTED_ABI = 5;

export interface AddonStatus {
  loaded: boolean;
  /** The .node file in use (or the one that failed to load). */
  path: string | null;
  /** Why the addon is not in use; null when it is. */
  reason: string | null;
  attach?: AddonAttachInfo;
}

/** Anything with a pino-style `debug(obj, msg)`. */
export interface AddonLogger {
  debug(obj: unknown, msg?: string): void;
}

let state: { binding: AddonBinding | null; status: AddonStatus } | null = null;
let logger: AddonLogger | null = null;

function packageRoot(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
      } catch {
        // unreadable manifest: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function load(): { binding: AddonBinding | null; status: AddonStatus } {
  const off = (reason: string, file: string | null = null): { binding: null; status: AddonStatus } => ({
    binding: null,
    status: { loaded: false, path: file, reason },
  });
  if (envOff(process.env.GOPHER_AUTH_ADDON)) {
    return off('disabled by GOPHER_AUTH_ADDON');
  }
  const root = packageRoot();
  if (root === null) return off('package root of gopher-auth not found');
  const require = createRequire(import.meta.url);
  let file: string;
  try {
    const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
    file = nodeGypBuild.path(root);
  } catch (err) {
    return off(`no prebuilt addon for ${process.platform}-${process.arch} and no local build (${firstLine(err)})`);
  }
  const { library, info } = loadNativeLibrary();
  if (!library || info.path === null) return off(`native library not loaded: ${info.reason ?? 'unknown'}`, file);
  const damage = truncatedElf(file);
  if (damage !== null) return off(`addon file is damaged (${damage}), not loaded: reinstall gopher-auth or rebuild it (npm run build:addon)`, file);
  let binding: AddonBinding;
  try {
    binding = require(file) as AddonBinding;
  } catch (err) {
    return off(`addon failed to load: ${firstLine(err)}`, file);
  }
  if (binding.abiVersion !== EXPECTED_ABI) {
    return off(`addon ABI ${String(binding.abiVersion)} does not match ${EXPECTED_ABI}; rebuild it (npm run build:addon)`, file);
  }
  let attach: AddonAttachInfo;
  try {
    // Capture is process-wide: only the first attach sets the default, so a worker thread
    // attaching later never switches off the logger another thread set.
    const firstInProcess = binding.stats().attached !== true;
    const keyCache = keyCacheDecision(info);
    attach = binding.attach(info.path, info.loadMode === 'deepbind', !isMainThread, keyCache.capacity);
    if (!attach.keyCache && keyCache.reason !== null && attach.deep) attach = { ...attach, keyCacheReason: keyCache.reason };
    if (firstInProcess) {
      binding.setLogCapture('drop');
      binding.setBackgroundPriority(process.platform === 'linux' ? backgroundNice() : 0);
    }
  } catch (err) {
    return off(`addon could not attach to ${info.path}: ${firstLine(err)}`, file);
  }
  return { binding, status: { loaded: true, path: file, reason: null, attach } };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

function ensure(): { binding: AddonBinding | null; status: AddonStatus } {
  state ??= load();
  return state;
}

/** The loaded addon, or null (then use koffi). Loads on first call. */
export function nativeAddon(): AddonBinding | null {
  return ensure().binding;
}

/** For `doctor`: whether the addon is in use, from where, and why not. */
export function addonStatus(): AddonStatus {
  return { ...ensure().status };
}

export function addonStats(): AddonStats {
  return ensure().binding?.stats() ?? { attached: false };
}

function deliver(lines: readonly AddonLogLine[], subject: string | null): void {
  const sink = logger;
  if (sink === null) return;
  for (const line of lines) {
    sink.debug({ source: 'libgopher-orch', stream: line.stream === 1 ? 'stdout' : 'stderr' }, redactLine(line.text, subject));
  }
}

/**
 * Sends the library's std::cout/std::cerr lines to `target.debug` (subjects redacted), or drops them
 * (null, the default); safe to switch while validations run. False when capture is unavailable.
 */
export function setAddonLogger(target: AddonLogger | null): boolean {
  const binding = nativeAddon();
  if (!binding || !ensure().status.attach?.captureAvailable) return false;
  logger = target;
  binding.setLogCapture(target ? 'capture' : 'drop', target ? (lines) => deliver(lines, null) : undefined);
  return true;
}

/** Passes captured lines of one validation to the logger, redacting that token's subject. */
export function logValidationLines(result: AddonRawResult, token: string): void {
  if (result.lines && logger !== null) deliver(result.lines, tokenSubject(token));
}

/**
 * One native client owned by the addon. After `destroy()` every call fails with
 * ERR_GOPHER_ADDON_DESTROYED; the native free happens when the last call in flight finishes.
 */
export class AddonClientHandle {
  readonly #binding: AddonBinding;
  readonly id: number;

  constructor(binding: AddonBinding, client: bigint) {
    this.#binding = binding;
    this.id = binding.adopt(client);
  }

  validate(token: string, scopes: string, audience: string | null, clockSkew: number): Promise<AddonRawResult> {
    const pending = this.#binding.validate(this.id, token, scopes, audience, clockSkew);
    // Lines come back only while capturing; skip the extra promise hop otherwise.
    if (logger === null) return pending;
    return pending.then((result) => {
      logValidationLines(result, token);
      return result;
    });
  }

  validateBatch(tokens: string[], scopes: string, audience: string | null, clockSkew: number): Promise<AddonRawResult[]> {
    const pending = this.#binding.validateBatch(this.id, tokens, scopes, audience, clockSkew);
    if (logger === null) return pending;
    return pending.then((results) => {
      results.forEach((result, i) => logValidationLines(result, tokens[i] as string));
      return results;
    });
  }

  validateSync(token: string, scopes: string, audience: string | null, clockSkew: number): AddonRawResult {
    const result = this.#binding.validateSync(this.id, token, scopes, audience, clockSkew);
    logValidationLines(result, token);
    return result;
  }

  /** gopher_auth_client_set_jwks_json, serialised against validations in flight on this client. */
  setJwks(jwksJson: string): number {
    return this.#binding.setJwks(this.id, jwksJson);
  }

  destroy(): boolean {
    return this.#binding.destroy(this.id);
  }
}

/** Hands a koffi client pointer to the addon; null when the addon is not in use. */
export function adoptClient(client: bigint): AddonClientHandle | null {
  const binding = nativeAddon();
  return binding ? new AddonClientHandle(binding, client) : null;
}
