import { createHash } from 'node:crypto';
import { assertX25519PublicKey, ready } from '@miyu/crypto';
import type { CompliancePublicKeyFile } from '@miyu/protocol';
import { ComplianceError } from './compliance.errors.js';

/** SHA-256 over encryptionKey || signingKey, first 16 bytes in 8 groups of 4 hex digits (docs/compliance.md). */
export function complianceKeyFingerprint(encryptionKey: Uint8Array, signingKey: Uint8Array): string {
  const hex = createHash('sha256').update(encryptionKey).update(signingKey).digest('hex').slice(0, 32);
  return hex.match(/.{4}/g)!.join(' ');
}

/** Decodes and checks an uploaded public key file: key lengths, a usable X25519 point, the fingerprint. */
export async function readCompliancePublicKey(
  file: CompliancePublicKeyFile,
): Promise<{ encryptionKey: Buffer; signingKey: Buffer; fingerprint: string }> {
  const encryptionKey = Buffer.from(file.encryptionKey, 'base64url');
  const signingKey = Buffer.from(file.signingKey, 'base64url');
  if (encryptionKey.length !== 32 || signingKey.length !== 32)
    throw ComplianceError.keyInvalid('keys must be 32 bytes');
  await ready();
  try {
    assertX25519PublicKey(new Uint8Array(encryptionKey), 'encryptionKey');
  } catch {
    throw ComplianceError.keyInvalid('encryptionKey is not a usable X25519 public key');
  }
  if (signingKey.every((b) => b === 0)) throw ComplianceError.keyInvalid('signingKey is not an Ed25519 public key');
  const fingerprint = complianceKeyFingerprint(encryptionKey, signingKey);
  if (fingerprint !== file.fingerprint)
    throw ComplianceError.keyInvalid('the fingerprint does not match the keys (the file was changed)');
  return { encryptionKey, signingKey, fingerprint };
}
