import { HttpError } from './http-util.js';

/** RFC 8707 §2: each `resource` is an absolute URI without a fragment. */
export function parseResources(values: string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new HttpError(400, 'invalid_target', `resource is not an absolute URI: ${value}`);
    }
    if (url.hash !== '' || value.includes('#')) throw new HttpError(400, 'invalid_target', 'resource must not contain a fragment');
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

/** A later request may narrow the resources of a grant, never widen them (RFC 8707 §2.2). */
export function narrowResources(granted: string[], requested: string[]): string[] {
  if (requested.length === 0) return granted;
  for (const r of requested) {
    if (!granted.includes(r)) throw new HttpError(400, 'invalid_target', `resource was not part of the original grant: ${r}`);
  }
  return requested;
}
