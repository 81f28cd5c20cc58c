import type { Backend } from '../types.js';

// Placeholder until the native backend lands (issue 3): reports itself unavailable.
export const nativeBackend: Backend = {
  name: 'native',
  availability: () => ({ available: false, reason: 'the native backend is not built yet' }),
  supportsAlgorithm: (alg) => alg === 'RS256' || alg === 'RS384' || alg === 'RS512',
  createClient: () => {
    throw new Error('native backend unavailable');
  },
};
