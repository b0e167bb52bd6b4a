import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';

export const SECRET_KEY_FILE = 'server-secrets.key';
const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

/**
 * Encryption at rest for the secrets the server keeps for itself: webhook bots' device keys and crypto state, the
 * hooks' signing secrets, the LDAP bind password and the OIDC client secret. A box is
 * `version (1) || nonce (12) || tag (16) || AES-256-GCM ciphertext` under a 32-byte key in
 * `DATA_DIR/server-secrets.key`, created on first use (mode 0600). A copy of the database alone does not reveal them;
 * whoever holds both the database and the data directory does (see docs/integrations.md).
 * Every replica must see the same key file, and it is backed up with the data directory: without it, none of the
 * boxes open.
 */
@Injectable()
export class SecretBox {
  private key: Promise<Buffer> | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** `aad` binds the box to where it is stored (a box copied to another record does not open). */
  async seal(plain: Uint8Array, aad: string): Promise<Buffer> {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', await this.load(), nonce);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
  }

  /** Throws when the box is malformed, belongs to another record, or was sealed under another key file. */
  async open(box: Buffer, aad: string): Promise<Buffer> {
    if (box.length < HEADER_BYTES || box[0] !== VERSION) throw new Error('secret box: bad format');
    const nonce = box.subarray(1, 1 + NONCE_BYTES);
    const tag = box.subarray(1 + NONCE_BYTES, HEADER_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', await this.load(), nonce);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(box.subarray(HEADER_BYTES)), decipher.final()]);
    } catch {
      // Names the record, never the content.
      throw new Error(`secret box for ${aad} does not open: is ${SECRET_KEY_FILE} the one it was sealed with?`);
    }
  }

  private load(): Promise<Buffer> {
    this.key ??= this.readOrCreate().catch((error: unknown) => {
      this.key = null;
      throw error;
    });
    return this.key;
  }

  private async readOrCreate(): Promise<Buffer> {
    const dir = this.config.database.dataDir;
    const path = join(dir, SECRET_KEY_FILE);
    const existing = await readKey(path);
    if (existing) return existing;
    await mkdir(dir, { recursive: true });
    // Written whole to a private temporary file, then hard-linked into place: two processes starting at once never
    // see a half-written key — one link wins, the other gets EEXIST and reads the winner's file.
    const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
    try {
      await link(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(temp);
    }
    return (await readKey(path))!;
  }
}

/** The key in the file, or null when there is no file yet. */
async function readKey(path: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte key (base64)`);
  return key;
}
