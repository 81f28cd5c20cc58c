import { GopherAuthClient } from '../../src/core/client.js';
import type { BackendMode } from '../../src/core/backend-selection.js';
import type { VectorEnvironment, VectorValidator } from './runner.js';

/** A vector validator backed by a real GopherAuthClient with the given backend. */
export function clientValidator(backend: BackendMode, extra: { unknownKidCooldown?: number } = {}) {
  return async (env: VectorEnvironment): Promise<VectorValidator> => {
    const client = new GopherAuthClient(env.jwksUri, env.issuer, {
      backend,
      jwks: { unknownKidCooldown: extra.unknownKidCooldown ?? 30 },
    });
    await client.ready();
    return {
      validate: (token, options) => client.validateToken(token, options),
      validateSync: (token, options) => client.validateTokenSync(token, options),
      close: () => client.destroy(),
    };
  };
}
