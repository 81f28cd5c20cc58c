/** The JS backend needs only node:crypto; report whether the one capability it relies on is present. */
import { getHashes } from 'node:crypto';

export function jsBackendAvailable(): { available: boolean; reason?: string } {
  return getHashes().includes('sha256') || getHashes().includes('RSA-SHA256')
    ? { available: true }
    : { available: false, reason: 'node:crypto lacks SHA-256' };
}
