import { describe, expect, it } from 'vitest';
import { MAX_TARGETS_PER_REQUEST, requiredScopesFor, type ScopeRules } from '../../src/http/jsonrpc.js';

const rules: ScopeRules = {
  requiredScopes: ['mcp:base'],
  toolScopes: new Map([
    ['get-forecast', ['mcp:read']],
    ['get-weather-alerts', ['mcp:admin']],
  ]),
  resourceScopes: new Map([
    ['weather://secret', ['mcp:admin']],
    ['weather://alerts/*', ['mcp:alerts']],
    ['weather://alerts/eu/*', ['mcp:alerts', 'mcp:eu']],
  ]),
  promptScopes: new Map([['incident-report', ['mcp:admin']]]),
};

const call = (name: unknown, id: number | undefined = 1) => ({ jsonrpc: '2.0', ...(id === undefined ? {} : { id }), method: 'tools/call', params: { name, arguments: {} } });

function needs(body: unknown, headers: { method?: string; name?: string } = {}): string[] | string {
  const result = requiredScopesFor(body, headers, rules);
  return 'error' in result ? `error:${result.error.kind}` : result.required.sort();
}

describe('scope requirement of a JSON-RPC body', () => {
  it('no body and non-call methods need the default scopes', () => {
    expect(needs(undefined)).toEqual(['mcp:base']);
    expect(needs({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toEqual(['mcp:base']);
    expect(needs({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} })).toEqual(['mcp:base']);
  });

  it('adds the tool scopes to the default', () => {
    expect(needs(call('get-forecast'))).toEqual(['mcp:base', 'mcp:read']);
    expect(needs(call('get-weather-alerts'))).toEqual(['mcp:admin', 'mcp:base']);
  });

  it('unknown tools get the default scopes, not nothing', () => {
    expect(needs(call('no-such-tool'))).toEqual(['mcp:base']);
    expect(needs(call('__proto__'))).toEqual(['mcp:base']);
    expect(needs(call('GET-WEATHER-ALERTS'))).toEqual(['mcp:base']);
  });

  it('a batch needs the union of its calls: an admin call cannot hide', () => {
    expect(needs([call('get-forecast', 1), { jsonrpc: '2.0', id: 2, method: 'tools/list' }, call('get-weather-alerts', 3)])).toEqual([
      'mcp:admin',
      'mcp:base',
      'mcp:read',
    ]);
  });

  it('a call sent as a notification still counts', () => {
    expect(needs(call('get-weather-alerts', undefined))).toEqual(['mcp:admin', 'mcp:base']);
  });

  it('notifications and client responses are not errors', () => {
    expect(needs({ jsonrpc: '2.0', method: 'notifications/initialized' })).toEqual(['mcp:base']);
    expect(needs({ jsonrpc: '2.0', id: 7, result: {} })).toEqual(['mcp:base']);
    expect(needs([])).toEqual(['mcp:base']);
  });

  it('a tool name that is not a string is refused (no key coercion)', () => {
    expect(needs(call(['get-weather-alerts']))).toBe('error:bad_request');
    expect(needs({ jsonrpc: '2.0', id: 1, method: 'tools/call' })).toBe('error:bad_request');
    expect(needs([call('get-forecast'), call({ toString: 'x' })])).toBe('error:bad_request');
  });

  it('resources use exact URIs, then the longest prefix rule', () => {
    const read = (uri: string) => ({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri } });
    expect(needs(read('weather://secret'))).toEqual(['mcp:admin', 'mcp:base']);
    expect(needs(read('weather://alerts/us/tx'))).toEqual(['mcp:alerts', 'mcp:base']);
    expect(needs(read('weather://alerts/eu/fr'))).toEqual(['mcp:alerts', 'mcp:base', 'mcp:eu']);
    expect(needs({ jsonrpc: '2.0', id: 1, method: 'resources/subscribe', params: { uri: 'weather://secret' } })).toEqual(['mcp:admin', 'mcp:base']);
    expect(needs(read('weather://public'))).toEqual(['mcp:base']);
  });

  it('tool and prompt names: exact first, then the longest prefix rule (MCP names use no *, so the key is unambiguous)', () => {
    const grouped: ScopeRules = {
      requiredScopes: [],
      toolScopes: new Map([
        ['admin-*', ['mcp:admin']],
        ['admin-audit-*', ['mcp:admin', 'mcp:audit']],
        ['admin-status', ['mcp:read']],
      ]),
      resourceScopes: new Map(),
      promptScopes: new Map([['ops-*', ['mcp:ops']]]),
    };
    const of = (body: unknown) => {
      const result = requiredScopesFor(body, {}, grouped);
      return 'error' in result ? result.error.kind : [...result.required].sort();
    };
    expect(of(call('admin-reset'))).toEqual(['mcp:admin']);
    expect(of(call('admin-audit-log'))).toEqual(['mcp:admin', 'mcp:audit']);
    expect(of(call('admin-status'))).toEqual(['mcp:read']); // an exact key wins over every prefix
    expect(of(call('administrator'))).toEqual([]);
    expect(of({ jsonrpc: '2.0', id: 1, method: 'prompts/get', params: { name: 'ops-incident' } })).toEqual(['mcp:ops']);
  });

  it('prompts, and completions that reference them', () => {
    expect(needs({ jsonrpc: '2.0', id: 1, method: 'prompts/get', params: { name: 'incident-report' } })).toEqual(['mcp:admin', 'mcp:base']);
    expect(
      needs({ jsonrpc: '2.0', id: 1, method: 'completion/complete', params: { ref: { type: 'ref/prompt', name: 'incident-report' }, argument: { name: 'a', value: '' } } }),
    ).toEqual(['mcp:admin', 'mcp:base']);
  });

  it('Mcp-Method/Mcp-Name headers must agree with the body', () => {
    expect(needs(call('get-forecast'), { method: 'tools/call', name: 'get-forecast' })).toEqual(['mcp:base', 'mcp:read']);
    expect(needs(call('get-weather-alerts'), { method: 'tools/call', name: 'get-forecast' })).toBe('error:bad_request');
    expect(needs(call('get-forecast'), { method: 'tools/list' })).toBe('error:bad_request');
    expect(needs([call('get-forecast')], { method: 'tools/call' })).toBe('error:bad_request');
    expect(needs(undefined, { method: 'tools/call' })).toBe('error:bad_request');
    expect(needs({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { method: 'tools/list' })).toEqual(['mcp:base']);
  });

  it('Mcp-Name is compared only for the methods SEP-2243/SEP-2663 give it a source, tasks included', () => {
    const task = (method: string, taskId: unknown) => ({ jsonrpc: '2.0', id: 1, method, params: { taskId } });
    for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
      expect(needs(task(method, 'task-1'), { method, name: 'task-1' })).toEqual(['mcp:base']);
      expect(needs(task(method, 'task-1'), { method, name: 'task-2' })).toBe('error:bad_request');
    }
    // No source: the header has no meaning there and is not compared (as the SDK's own check does).
    expect(needs({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { method: 'tools/list', name: 'x' })).toEqual(['mcp:base']);
    expect(needs(task('tasks/result', 'task-1'), { method: 'tasks/result', name: 'other' })).toEqual(['mcp:base']);
    // The body still decides the scopes whatever the header says.
    const subscribe = { jsonrpc: '2.0', id: 1, method: 'resources/subscribe', params: { uri: 'weather://secret' } };
    expect(needs(subscribe, { method: 'resources/subscribe', name: 'weather://public' })).toEqual(['mcp:admin', 'mcp:base']);
    const read = { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'weather://secret' } };
    expect(needs(read, { method: 'resources/read', name: 'weather://secret' })).toEqual(['mcp:admin', 'mcp:base']);
    expect(needs(read, { method: 'resources/read', name: 'weather://public' })).toBe('error:bad_request');
  });

  it('Mcp-Name in the =?base64?…?= form is decoded before it is compared; a malformed one is refused', () => {
    const encoded = (value: string) => `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
    const local: ScopeRules = { ...rules, toolScopes: new Map([['météo-alertes', ['mcp:admin']]]) };
    const check = (body: unknown, name: string) => {
      const result = requiredScopesFor(body, { method: 'tools/call', name }, local);
      return 'error' in result ? `error:${result.error.kind}` : result.required.sort();
    };
    expect(check(call('météo-alertes'), encoded('météo-alertes'))).toEqual(['mcp:admin', 'mcp:base']);
    expect(check(call('météo-alertes'), ` \t${encoded('météo-alertes')} `)).toEqual(['mcp:admin', 'mcp:base']);
    expect(check(call('météo-alertes'), encoded('get-forecast'))).toBe('error:bad_request');
    // An ASCII name that looks like the form is itself sent encoded, so the decoded value is compared.
    expect(check(call('=?base64?x?='), encoded('=?base64?x?='))).toEqual(['mcp:base']);
    expect(check(call('get-forecast'), '=?base64?Z2V0LWZvcmVjYXN0?=')).toEqual(['mcp:base']);
    expect(check(call('get-forecast'), '=?base64?Z2V0LWZvcmVjYXN0?')).toBe('error:bad_request');
    expect(check(call('get-forecast'), '=?base64?Z2V0LWZvcmVjYXN0?=x')).toBe('error:bad_request');
    expect(check(call('get'), '=?base64?Z2V0?=')).toEqual(['mcp:base']);
    expect(check(call('ge'), '=?base64?Z2U?=')).toBe('error:bad_request'); // padding missing: not canonical
    expect(check(call('ge'), '=?base64?Z2U=?=')).toEqual(['mcp:base']);
    expect(check(call('ge'), '=?base64?Z2-_?=')).toBe('error:bad_request'); // base64url alphabet: not the standard one
    expect(check(call('x'), `=?base64?${Buffer.from([0xff, 0xfe]).toString('base64')}?=`)).toBe('error:bad_request'); // not UTF-8
  });

  it('subscriptions/listen (protocol 2026-07-28) needs the scopes of every resource it subscribes to', () => {
    const listen = (notifications: unknown) => ({ jsonrpc: '2.0', id: 1, method: 'subscriptions/listen', params: { notifications } });
    expect(needs(listen({ toolsListChanged: true }))).toEqual(['mcp:base']);
    expect(needs(listen({ resourceSubscriptions: [] }))).toEqual(['mcp:base']);
    expect(needs(listen({ resourceSubscriptions: ['weather://public'] }))).toEqual(['mcp:base']);
    expect(needs(listen({ resourceSubscriptions: ['weather://secret'] }))).toEqual(['mcp:admin', 'mcp:base']);
    expect(needs(listen({ resourcesListChanged: true, resourceSubscriptions: ['weather://public', 'weather://alerts/eu/de'] }))).toEqual([
      'mcp:alerts',
      'mcp:base',
      'mcp:eu',
    ]);
    expect(needs(listen({ resourceSubscriptions: 'weather://secret' }))).toBe('error:bad_request');
    expect(needs(listen({ resourceSubscriptions: ['weather://public', { uri: 'weather://secret' }] }))).toBe('error:bad_request');
    expect(needs({ jsonrpc: '2.0', id: 1, method: 'subscriptions/listen' })).toEqual(['mcp:base']);
  });
});

describe('Mcp-Name decoding cost', () => {
  it('is linear: a 15,000-space header (fits in 16 KiB) is decoded in well under a millisecond per call', async () => {
    const { decodeMcpName } = await import('../../src/http/jsonrpc.js');
    const header = `a${' '.repeat(15_000)}b`;
    expect(decodeMcpName(header)).toBe(header);
    expect(decodeMcpName(`  ${header}\t`)).toBe(header);
    // A quadratic trim takes ~250 ms for this one call; 100 linear ones take a few ms.
    const started = performance.now();
    for (let i = 0; i < 100; i++) decodeMcpName(header);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('resource URIs are matched in the form the MCP SDK looks them up by (new URL(uri).href)', () => {
  const local: ScopeRules = {
    ...rules,
    resourceScopes: new Map([
      ['secret://vault/admin', ['mcp:admin']],
      ['https://files.example/private/*', ['mcp:files']],
    ]),
  };
  const read = (uri: string) => ({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri } });
  const need = (body: unknown) => {
    const result = requiredScopesFor(body, {}, local);
    return 'error' in result ? `error:${result.error.kind}` : result.required.sort();
  };

  it.each([
    'secret://vault/admin',
    'SECRET://vault/admin',
    'secret://vault/./admin',
    'secret://vault/x/../admin',
    ' secret://vault/admin',
  ])('%j needs the rule of secret://vault/admin', (uri) => {
    expect(need(read(uri))).toEqual(['mcp:admin', 'mcp:base']);
    expect(need({ jsonrpc: '2.0', id: 1, method: 'resources/subscribe', params: { uri } })).toEqual(['mcp:admin', 'mcp:base']);
    const listen = { jsonrpc: '2.0', id: 1, method: 'subscriptions/listen', params: { notifications: { resourceSubscriptions: [uri] } } };
    expect(need(listen)).toEqual(['mcp:admin', 'mcp:base']);
  });

  it.each([
    'https://files.example/private/report',
    'https://FILES.example/private/report',
    'https://files.example:443/private/report',
    'https://files.example/public/../private/report',
  ])('%j needs the prefix rule of https://files.example/private/*', (uri) => {
    expect(need(read(uri))).toEqual(['mcp:base', 'mcp:files']);
  });

  it('what canonicalises to another resource gets that resource rule, as the SDK serves that one', () => {
    expect(need(read('https://files.example/private/../public/x'))).toEqual(['mcp:base']);
    expect(need(read('not a uri'))).toEqual(['mcp:base']);
  });
});

describe('how much one request may name', () => {
  const listen = (uris: unknown[]) => ({ jsonrpc: '2.0', id: 1, method: 'subscriptions/listen', params: { notifications: { resourceSubscriptions: uris } } });
  const read = (uri: string, id: number) => ({ jsonrpc: '2.0', id, method: 'resources/read', params: { uri } });

  it(`up to ${MAX_TARGETS_PER_REQUEST} tools, prompts and resources are checked; more is a 400, before any is matched`, () => {
    expect(needs(listen(Array.from({ length: MAX_TARGETS_PER_REQUEST - 1 }, (_, i) => `weather://x/${i}`).concat('weather://secret')))).toEqual(['mcp:admin', 'mcp:base']);
    expect(needs(listen(Array.from({ length: MAX_TARGETS_PER_REQUEST + 1 }, () => 'weather://x')))).toBe('error:bad_request');
    const batch = Array.from({ length: MAX_TARGETS_PER_REQUEST }, (_, i) => read('weather://x', i));
    expect(needs(batch)).toEqual(['mcp:base']);
    expect(needs([...batch, call('get-forecast')])).toBe('error:bad_request');
    // Responses and notifications name nothing: a batch of them is not limited here.
    expect(needs(Array.from({ length: 5000 }, (_, i) => ({ jsonrpc: '2.0', id: i, result: {} })))).toEqual(['mcp:base']);
  });

  it('a 4 MiB body of a million unparsable URIs is refused in milliseconds, with or without resource rules', () => {
    const body = listen(Array.from({ length: 1_000_000 }, () => '%'));
    const noRules: ScopeRules = { ...rules, resourceScopes: new Map() };
    for (const r of [rules, noRules]) {
      const started = performance.now();
      const result = requiredScopesFor(body, {}, r);
      expect('error' in result && result.error.reason).toMatch(/more than 1000 tools, prompts and resources/);
      // Matching each URI took ~7 µs (a thrown URL error): 7.5 s for this body before the limit.
      expect(performance.now() - started).toBeLessThan(200);
    }
  });

  it('says what is wrong: an unreadable body is not called a header mismatch', () => {
    const unreadable = requiredScopesFor({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: [] }, {}, rules);
    expect('error' in unreadable && unreadable.error.description).toBe('The request body is not JSON-RPC this server can check');
    const mismatch = requiredScopesFor(call('get-forecast'), { method: 'tools/list' }, rules);
    expect('error' in mismatch && mismatch.error.description).toBe('The Mcp-Method/Mcp-Name headers do not match the JSON-RPC body');
  });
});
