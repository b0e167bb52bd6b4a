import { Injectable } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import { DataSource } from 'typeorm';

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface SigningKey {
  privateKey: KeyObject;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Buffer;
}

/** What a key signs: word-policy documents (clients pin it) and audit checkpoints (verifiers check them). */
export type SigningPurpose = 'word-policy' | 'audit';

/**
 * The server's Ed25519 signing keys, one per purpose. Each is created once, on first use, and shared by every
 * replica through the database (`signing_keys`).
 */
@Injectable()
export class SigningKeys {
  private readonly keys = new Map<SigningPurpose, Promise<SigningKey>>();

  constructor(private readonly dataSource: DataSource) {}

  async sign(purpose: SigningPurpose, message: Buffer): Promise<Buffer> {
    return sign(null, message, (await this.load(purpose)).privateKey);
  }

  async publicKey(purpose: SigningPurpose): Promise<Buffer> {
    return (await this.load(purpose)).publicKey;
  }

  /** Hex SHA-256 of the public key, for people to compare with what a client pinned or a verifier used. */
  async fingerprint(purpose: SigningPurpose): Promise<string> {
    return createHash('sha256')
      .update(await this.publicKey(purpose))
      .digest('hex');
  }

  private load(purpose: SigningPurpose): Promise<SigningKey> {
    let key = this.keys.get(purpose);
    if (!key) {
      key = this.loadOrCreate(purpose).catch((error: unknown) => {
        this.keys.delete(purpose);
        throw error;
      });
      this.keys.set(purpose, key);
    }
    return key;
  }

  private async loadOrCreate(purpose: SigningPurpose): Promise<SigningKey> {
    const seed = randomBytes(32);
    const fresh = keyFromSeed(seed);
    // Two replicas starting at once: one insert wins, both read the winner.
    await this.dataSource.query(
      `INSERT INTO signing_keys (purpose, public_key, secret_seed) VALUES ($1, $2, $3) ON CONFLICT (purpose) DO NOTHING`,
      [purpose, fresh.publicKey, seed],
    );
    const rows = (await this.dataSource.query(`SELECT secret_seed FROM signing_keys WHERE purpose = $1`, [
      purpose,
    ])) as Array<{ secret_seed: Buffer }>;
    return keyFromSeed(rows[0]!.secret_seed);
  }
}

export function keyFromSeed(seed: Buffer): SigningKey {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { privateKey, publicKey: Buffer.from(jwk.x!, 'base64url') };
}
