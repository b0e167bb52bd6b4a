import { createHash } from 'node:crypto';

/**
 * The compliance key's fingerprint (docs/compliance.md): SHA-256 over encryptionKey ‖ signingKey, the first 16 bytes
 * as lowercase hex in 8 groups of 4. The server (upload check) and the offline tools (keygen, export) share it.
 */
export function complianceKeyFingerprint(encryptionKey: Uint8Array, signingKey: Uint8Array): string {
  if (encryptionKey.length !== 32 || signingKey.length !== 32)
    throw new RangeError('compliance keys must be 32 bytes each');
  const hex = createHash('sha256').update(encryptionKey).update(signingKey).digest('hex').slice(0, 32);
  return hex.match(/.{4}/g)!.join(' ');
}
