// Shared by the ASan stress scripts (not part of the suite).
import { makeSigner, mint, baseClaims, tokenCases, type Signer } from '../addon/fixtures.js';
export { makeSigner, mint, baseClaims, tokenCases };
export type { Signer };

export function oddTokens(signer: Signer): string[] {
  const good = mint(signer, baseClaims());
  return [
    good,
    mint(signer, baseClaims({ sub: 'line1\nline2\r\nline3', name: 'ü😀'.repeat(50) })),
    mint(signer, baseClaims({ sub: 'x'.repeat(20000) })), // > 8 KiB log line
    'a.b.c',
    '',
    '...',
    'x'.repeat(70000),
    `${good}\u0000tail`,
    good.slice(0, -3),
    'é'.repeat(3000),
    mint(signer, baseClaims(), { alg: 'HS256' }),
  ];
}
