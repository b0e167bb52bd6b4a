import { assertX25519PublicKey, ready } from '@miyu/crypto';
import type { CompliancePublicKeyFile } from '@miyu/protocol';
import { complianceKeyFingerprint } from '../../common/security/compliance-fingerprint.js';
import { ComplianceError } from './compliance.errors.js';

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
