/** Child scenario: with the addon disabled, the native backend still validates asynchronously (koffi). */
import { addonStatus, adoptClient } from '../../../src/backends/native/addon.js';
import { createNativeClient } from '../../../src/backends/native/index.js';
import { ISSUER, baseClaims, makeSigner, mint } from '../fixtures.js';
import { report } from './report.js';

const signer = makeSigner();
const client = createNativeClient({ jwksUri: 'http://127.0.0.1:9/never', issuer: ISSUER });
const keys = JSON.parse(signer.jwksJson) as { keys: never[] };
client.setKeys({ keys: keys.keys, json: signer.jwksJson, fetchedAt: Date.now(), version: 1 });
const request = { issuer: ISSUER, clockSkew: 60, algorithms: ['RS256'] };
const verdicts = await Promise.all([
  client.validate(mint(signer, baseClaims()), request),
  client.validate(mint(signer, baseClaims({ exp: 1 })), request),
]);
client.destroy();
report({ status: addonStatus(), adopted: adoptClient(1n) !== null, verdicts });
