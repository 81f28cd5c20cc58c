/**
 * Runs the vector table against any validator. The JWKS is served over HTTP on 127.0.0.1 by a
 * real server; the validator is built from its URL, so key loading is part of what is tested.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GopherAuthError } from '../../src/backends/codes.js';
import { TestIssuer } from '../support/issuer.js';
import { NATIVE_ALGORITHMS, VECTORS, VECTOR_ISSUER, vectorJwks, type VectorCase, type VectorOptions } from './table.js';

export interface VectorResult {
  valid: boolean;
  errorCode: number;
  errorMessage: string | null;
}

export interface VectorValidator {
  validate(token: string, options: VectorOptions): Promise<VectorResult>;
  /** Optional: checked against the same expectation after `validate` loaded the keys. */
  validateSync?(token: string, options: VectorOptions): VectorResult;
  close(): Promise<void> | void;
}

export interface VectorEnvironment {
  jwksUri: string;
  issuer: string;
}

export interface VectorSuiteOptions {
  /**
   * Which backend answers: 'js' (JS only), 'auto' (native answers RS* tokens, JS the rest),
   * 'native' (native answers everything; other algorithms are "Unsupported algorithm").
   */
  answeredBy?: 'js' | 'auto' | 'native';
}

/** Whether the native library itself answers this case (an RS* token), rather than the JS backend. */
export function nativeCanAnswer(vector: VectorCase): boolean {
  return NATIVE_ALGORITHMS.includes(vector.alg);
}

/** The expectation for one case given who answers it. */
export function expectationFor(vector: VectorCase, answeredBy: 'js' | 'auto' | 'native'): { valid: boolean; code: GopherAuthError } {
  if (answeredBy === 'js') return vector.expected;
  const native = nativeCanAnswer(vector) && !(answeredBy === 'auto' && vector.headerUnreadable);
  if (!native) return answeredBy === 'native' ? { valid: false, code: GopherAuthError.INVALID_TOKEN } : vector.expected;
  return vector.expected;
}

export function runVectorSuite(
  label: string,
  createValidator: (env: VectorEnvironment) => Promise<VectorValidator> | VectorValidator,
  options: VectorSuiteOptions = {},
): void {
  const answeredBy = options.answeredBy ?? 'js';
  describe(`vectors: ${label}`, () => {
    const issuer = new TestIssuer(VECTOR_ISSUER);
    let server: Server;
    let validator: VectorValidator;

    beforeAll(async () => {
      const body = JSON.stringify(vectorJwks(issuer));
      server = createServer((req, res) => {
        if (req.url === '/jwks.json') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        } else {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      validator = await createValidator({ jwksUri: `http://127.0.0.1:${port}/jwks.json`, issuer: VECTOR_ISSUER });
    });

    afterAll(async () => {
      await validator?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('has at least 60 distinct cases', () => {
      expect(VECTORS.length).toBeGreaterThanOrEqual(60);
      expect(new Set(VECTORS.map((v) => v.name)).size).toBe(VECTORS.length);
    });

    for (const vector of VECTORS) {
      it(`${vector.name} — ${vector.why}`, async () => {
        const expected = expectationFor(vector, answeredBy);
        const token = vector.make(issuer);
        const options = vector.options ?? {};
        const result = await validator.validate(token, options);
        expect({ valid: result.valid, code: result.errorCode }).toEqual(expected);
        if (expected.valid) expect(result.errorMessage).toBeNull();
        else expect(typeof result.errorMessage).toBe('string');
        if (validator.validateSync) {
          const sync = validator.validateSync(token, options);
          expect({ valid: sync.valid, code: sync.errorCode }).toEqual(expected);
        }
      });
    }
  });
}
