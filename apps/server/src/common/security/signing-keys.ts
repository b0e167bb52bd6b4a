import { Injectable } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import { DataSource } from 'typeorm';

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface PolicyKey {
  privateKey: KeyObject;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Buffer;
}

/**
 * The server's word-policy signing key (Ed25519). Created once, on first use, and shared by every replica through
 * the database; clients pin its public key and refuse policies it did not sign.
 */
@Injectable()
export class PolicySigner {
  private key: Promise<PolicyKey> | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async sign(message: Buffer): Promise<Buffer> {
    return sign(null, message, (await this.load()).privateKey);
  }

  async publicKey(): Promise<Buffer> {
    return (await this.load()).publicKey;
  }

  /** Hex SHA-256 of the public key, for admins to compare with what a client pinned. */
  async fingerprint(): Promise<string> {
    return createHash('sha256')
      .update(await this.publicKey())
      .digest('hex');
  }

  private load(): Promise<PolicyKey> {
    this.key ??= this.loadOrCreate().catch((error: unknown) => {
      this.key = null;
      throw error;
    });
    return this.key;
  }

  private async loadOrCreate(): Promise<PolicyKey> {
    const seed = randomBytes(32);
    const fresh = keyFromSeed(seed);
    // Two replicas starting at once: one insert wins, both read the winner.
    await this.dataSource.query(
      `INSERT INTO signing_keys (purpose, public_key, secret_seed) VALUES ('word-policy', $1, $2)
       ON CONFLICT (purpose) DO NOTHING`,
      [fresh.publicKey, seed],
    );
    const rows = (await this.dataSource.query(
      `SELECT secret_seed FROM signing_keys WHERE purpose = 'word-policy'`,
    )) as Array<{ secret_seed: Buffer }>;
    return keyFromSeed(rows[0]!.secret_seed);
  }
}

export function keyFromSeed(seed: Buffer): PolicyKey {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { privateKey, publicKey: Buffer.from(jwk.x!, 'base64url') };
}
