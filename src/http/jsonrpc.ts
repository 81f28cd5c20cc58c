/**
 * Per-call scope requirements read from a JSON-RPC body before it is dispatched. A batch needs the
 * union of what each of its calls needs, so one admin call cannot hide among harmless ones. Calls
 * without a scope rule (unknown tools included) need the default `requiredScopes`, never less.
 * Notifications and client responses are not errors; they need the default scopes.
 */
import { authErrors, type BearerAuthError } from './errors.js';

export interface ScopeRules {
  requiredScopes: readonly string[];
  toolScopes: ReadonlyMap<string, readonly string[]>;
  resourceScopes: ReadonlyMap<string, readonly string[]>;
  promptScopes: ReadonlyMap<string, readonly string[]>;
}

export interface McpHeaders {
  /** `Mcp-Method` header, when sent. */
  method?: string | undefined;
  /** `Mcp-Name` header, when sent. */
  name?: string | undefined;
}

export interface Requirement {
  /** Every scope the whole request needs. */
  required: string[];
  /** `method` or `method name` of each call that added a requirement, for logs. */
  calls: string[];
}

type Target = { kind: 'tool' | 'prompt' | 'resource'; name: string };

const RESOURCE_METHODS = new Set(['resources/read', 'resources/subscribe', 'resources/unsubscribe']);

/** SEP-2243 (and SEP-2663 for tasks): the body field `Mcp-Name` mirrors, per method. Other methods have none. */
const NAME_HEADER_SOURCE: ReadonlyMap<string, string> = new Map([
  ['tools/call', 'name'],
  ['prompts/get', 'name'],
  ['resources/read', 'uri'],
  ['tasks/get', 'taskId'],
  ['tasks/update', 'taskId'],
  ['tasks/cancel', 'taskId'],
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A resource URI as the MCP SDK looks it up: `new URL(uri).href` (scheme lower-cased, dot segments
 * resolved, default port dropped, surrounding spaces trimmed). Matching the raw text instead would
 * let `SECRET://vault/./admin` past a rule for `secret://vault/admin` that the SDK then serves.
 * Unparsable URIs stay as they are (the SDK refuses them).
 */
export function canonicalResourceUri(uri: string): string {
  try {
    return new URL(uri).href;
  } catch {
    return uri;
  }
}

/** Resource targets keep the URI as sent; it is canonicalised only when there are rules to match. */
const resource = (uri: string): Target => ({ kind: 'resource', name: uri });

/**
 * Tools, prompts and resources one request may name (over a batch and every subscribed URI). Each
 * is matched on the event loop before the request goes on (a 4 MiB body of a million URIs took 7.5 s).
 */
export const MAX_TARGETS_PER_REQUEST = 1000;
const tooManyTargets = `more than ${MAX_TARGETS_PER_REQUEST} tools, prompts and resources named in one request`;

/** What a call targets (possibly nothing, or several), or a reason it is malformed. */
function targetsOf(method: string, params: unknown): Target[] | string {
  const p = isObject(params) ? params : undefined;
  if (method === 'tools/call' || method === 'prompts/get') {
    const name = p?.['name'];
    if (typeof name !== 'string') return `${method} without a string params.name`;
    return [{ kind: method === 'tools/call' ? 'tool' : 'prompt', name }];
  }
  if (RESOURCE_METHODS.has(method)) {
    const uri = p?.['uri'];
    if (typeof uri !== 'string') return `${method} without a string params.uri`;
    return [resource(uri)];
  }
  if (method === 'completion/complete') {
    const ref = isObject(p?.['ref']) ? (p['ref'] as Record<string, unknown>) : undefined;
    if (ref?.['type'] === 'ref/prompt' && typeof ref['name'] === 'string') return [{ kind: 'prompt', name: ref['name'] }];
    if (ref?.['type'] === 'ref/resource' && typeof ref['uri'] === 'string') return [resource(ref['uri'])];
    return [];
  }
  if (method === 'subscriptions/listen') {
    // Protocol 2026-07-28 replaces resources/subscribe with this: each URI is a subscription.
    const filter = isObject(p?.['notifications']) ? (p['notifications'] as Record<string, unknown>) : undefined;
    const uris = filter?.['resourceSubscriptions'];
    if (uris === undefined) return [];
    if (!Array.isArray(uris) || !uris.every((uri) => typeof uri === 'string')) {
      return `${method} with params.notifications.resourceSubscriptions that is not an array of strings`;
    }
    if (uris.length > MAX_TARGETS_PER_REQUEST) return tooManyTargets;
    return uris.map((uri: string) => resource(uri));
  }
  return [];
}

/** RFC 9110 optional whitespace removed from both ends, in one pass (a regex here backtracks quadratically). */
function trimSpacesAndTabs(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 0x20 || value.charCodeAt(start) === 0x09)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

const SENTINEL_PREFIX = '=?base64?';
const SENTINEL_SUFFIX = '?=';
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The value an `Mcp-Name` header carries: surrounding spaces/tabs dropped, and the SEP-2243 form
 * `=?base64?<standard base64 of UTF-8>?=` (how clients send non-ASCII names) decoded. Undefined
 * when that form is malformed.
 */
export function decodeMcpName(header: string): string | undefined {
  const value = trimSpacesAndTabs(header);
  if (!(value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX) && value.length >= SENTINEL_PREFIX.length + SENTINEL_SUFFIX.length)) {
    return value;
  }
  const base64 = value.slice(SENTINEL_PREFIX.length, value.length - SENTINEL_SUFFIX.length);
  if (!CANONICAL_BASE64.test(base64)) return undefined;
  try {
    return strictUtf8.decode(Buffer.from(base64, 'base64'));
  } catch {
    return undefined;
  }
}

/** Exact key first; then keys ending in `*` as prefixes (longest wins), e.g. `weather://alerts/*`. */
function lookup(map: ReadonlyMap<string, readonly string[]>, name: string): readonly string[] | undefined {
  const exact = map.get(name);
  if (exact !== undefined) return exact;
  let best: { length: number; scopes: readonly string[] } | undefined;
  for (const [key, scopes] of map) {
    if (key.endsWith('*') && name.startsWith(key.slice(0, -1)) && (best === undefined || key.length > best.length)) {
      best = { length: key.length, scopes };
    }
  }
  return best?.scopes;
}

/** The scopes a target's rule asks for, and the name it was matched under. */
function rulesFor(rules: ScopeRules, target: Target): { scopes: readonly string[]; name: string } | undefined {
  const map = target.kind === 'tool' ? rules.toolScopes : target.kind === 'prompt' ? rules.promptScopes : rules.resourceScopes;
  if (map.size === 0) return undefined;
  const name = target.kind === 'resource' ? canonicalResourceUri(target.name) : target.name;
  const scopes = lookup(map, name);
  return scopes === undefined ? undefined : { scopes, name };
}

/**
 * The scopes a parsed JSON-RPC body needs, cross-checked against the Mcp-Method/Mcp-Name headers.
 * `body` undefined means no body (GET/DELETE, or nothing parsable): the default scopes apply.
 */
export function requiredScopesFor(body: unknown, headers: McpHeaders, rules: ScopeRules): Requirement | { error: BearerAuthError } {
  const required = new Set(rules.requiredScopes);
  const calls: string[] = [];
  const messages = body === undefined ? [] : Array.isArray(body) ? body : [body];
  const hasHeaders = headers.method !== undefined || headers.name !== undefined;

  if (hasHeaders) {
    const single = Array.isArray(body) ? undefined : isObject(body) ? body : undefined;
    const rawId = single?.['id'];
    const id = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
    if (single === undefined || typeof single['method'] !== 'string') {
      return { error: authErrors.headerMismatch('Mcp-Method/Mcp-Name sent with a body that is not one JSON-RPC call', id) };
    }
    const method = single['method'];
    if (headers.method !== undefined && headers.method !== method) {
      return { error: authErrors.headerMismatch(`Mcp-Method ${JSON.stringify(headers.method)} but body method ${JSON.stringify(method)}`, id) };
    }
    const field = headers.name === undefined ? undefined : NAME_HEADER_SOURCE.get(method);
    if (headers.name !== undefined && field !== undefined) {
      const name = decodeMcpName(headers.name);
      if (name === undefined) return { error: authErrors.headerMismatch('Mcp-Name carries a malformed =?base64?…?= value', id) };
      const params = single['params'];
      const bodyName = isObject(params) ? params[field] : undefined;
      if (bodyName !== name) return { error: authErrors.headerMismatch(`Mcp-Name ${JSON.stringify(name)} does not match params.${field}`, id) };
    }
  }

  let named = 0;
  for (const message of messages) {
    if (!isObject(message) || typeof message['method'] !== 'string') continue; // responses, junk: the SDK answers those
    const method = message['method'];
    const targets = targetsOf(method, message['params']);
    if (typeof targets === 'string') return { error: authErrors.badRequest(targets) };
    named += targets.length;
    if (named > MAX_TARGETS_PER_REQUEST) return { error: authErrors.badRequest(tooManyTargets) };
    for (const target of targets) {
      const rule = rulesFor(rules, target);
      if (rule === undefined || rule.scopes.length === 0) continue;
      rule.scopes.forEach((s) => required.add(s));
      calls.push(`${method} ${rule.name}`);
    }
  }
  return { required: [...required], calls };
}
