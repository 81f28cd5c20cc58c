// Runs inside a temporary project where the packed gopher-auth was installed with --ignore-scripts
// and no compiler on PATH. Loads the addon the way the package does (node-gyp-build) and validates
// one token through it. Writes its findings to argv[2]; prints nothing.
'use strict';
const { writeFileSync } = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const out = process.argv[2];
const pkgDir = path.dirname(require.resolve('gopher-auth/package.json'));
const file = require('node-gyp-build').path(pkgDir);
const addon = require(file);

// The library, loaded plainly through koffi from the installed platform package.
const koffi = require('koffi');
const libDir = path.join(path.dirname(require.resolve('@gopher.security/gopher-orch-linux-x64/package.json')), 'lib');
const libPath = path.join(libDir, 'libgopher-orch.so');
const lib = koffi.load(libPath);
const init = lib.func('int32_t gopher_auth_init(void)');
const create = lib.func('int32_t gopher_auth_client_create(void* out, const char* uri, const char* iss)');
const setOption = lib.func('int32_t gopher_auth_client_set_option(void* c, const char* n, const char* v)');
const setJwks = lib.func('int32_t gopher_auth_client_set_jwks_json(void* c, const char* j)');

const attach = addon.attach(libPath, false);
addon.setLogCapture('drop');
init();
const handleOut = Buffer.alloc(8);
const issuer = 'https://issuer.pack.test';
create(handleOut, 'http://127.0.0.1:9/never', issuer);
const client = handleOut.readBigUInt64LE(0);
setOption(client, 'auto_refresh', 'false');
const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
setJwks(client, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }] }));
const enc = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const input = `${enc({ alg: 'RS256', kid: 'k1' })}.${enc({ iss: issuer, sub: 'pack-user', exp: Math.floor(Date.now() / 1000) + 600 })}`;
const token = `${input}.${crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;

const id = addon.adopt(client);
addon.validate(id, token, '', null, 60).then((result) => {
  const tampered = `${input.split('.')[0]}.${enc({ iss: issuer, sub: 'x', exp: 1 })}.${token.split('.')[2]}`;
  return addon.validate(id, tampered, '', null, 60).then((bad) => {
    addon.destroy(id);
    writeFileSync(out, JSON.stringify({ file, pkgDir, abiVersion: addon.abiVersion, attach, result, bad, stats: addon.stats() }));
  });
});
