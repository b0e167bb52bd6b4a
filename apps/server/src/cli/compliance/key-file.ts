import { lstat, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import { z } from 'zod';
import {
  type Ed25519KeyPair,
  type X25519KeyPair,
  assertX25519PublicKey,
  bytesEqual,
  ed25519GenerateKeyPair,
  fromBase64Url,
  ready,
  toBase64Url,
  x25519GenerateKeyPair,
  x25519KeyPairFromSecret,
} from '@miyu/crypto';
import {
  COMPLIANCE_PRIVATE_KEY_FORMAT,
  COMPLIANCE_PUBLIC_KEY_FORMAT,
  type CompliancePublicKeyFile,
  compliancePublicKeyFileSchema,
} from '@miyu/protocol';
import { complianceKeyFingerprint } from '../../common/security/compliance-fingerprint.js';
import { ComplianceCliError, cliError } from './errors.js';

/**
 * The compliance officer's key files (docs/compliance-export.md): an X25519 pair sessions are escrowed to and an
 * Ed25519 pair that signs export manifests. The public file is uploaded by an admin; the private file holds both
 * secrets sealed with XChaCha20-Poly1305 under a key stretched from a passphrase with Argon2id.
 */

export const PRIVATE_KEY_FILE_NAME = 'compliance-key.private.json';
export const PUBLIC_KEY_FILE_NAME = 'compliance-key.public.json';
export const MIN_PASSPHRASE_LENGTH = 12;

/** libsodium crypto_pwhash (Argon2id v1.3) limits. */
export interface Argon2idLimits {
  opsLimit: number;
  /** Bytes. */
  memLimit: number;
}

/** libsodium's INTERACTIVE limits: the weakest a key file may record. */
export const MIN_ARGON2ID_LIMITS: Argon2idLimits = { opsLimit: 2, memLimit: 64 * 1024 * 1024 };
/** libsodium's MODERATE limits (≈ 1 s, 256 MiB): what keygen uses. A key file is opened rarely. */
export const DEFAULT_ARGON2ID_LIMITS: Argon2idLimits = { opsLimit: 3, memLimit: 256 * 1024 * 1024 };
/** Upper bounds accepted when reading, so that a doctored file cannot make the tool allocate without limit. */
const MAX_ARGON2ID_LIMITS: Argon2idLimits = { opsLimit: 20, memLimit: 1024 * 1024 * 1024 };

const SALT_BYTES = 16;
const NONCE_BYTES = 24;
const SECRET_BYTES = 64; // X25519 secret (32) || Ed25519 seed (32)
const SEALED_BYTES = SECRET_BYTES + 16;

export interface ComplianceKeys {
  /** Sessions are escrowed to `encryption.publicKey`. */
  encryption: X25519KeyPair;
  /** Signs export manifests. */
  signing: Ed25519KeyPair;
}

const b64 = (bytes: number) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`), `must be ${bytes} bytes in base64url`);

export const compliancePrivateKeyFileSchema = z.strictObject({
  format: z.literal(COMPLIANCE_PRIVATE_KEY_FORMAT),
  fingerprint: compliancePublicKeyFileSchema.shape.fingerprint,
  encryptionKey: b64(32),
  signingKey: b64(32),
  createdAt: z.string().max(40),
  kdf: z.strictObject({
    algorithm: z.literal('argon2id13'),
    opsLimit: z.number().int().min(MIN_ARGON2ID_LIMITS.opsLimit).max(MAX_ARGON2ID_LIMITS.opsLimit),
    memLimit: z.number().int().min(MIN_ARGON2ID_LIMITS.memLimit).max(MAX_ARGON2ID_LIMITS.memLimit),
    salt: b64(SALT_BYTES),
  }),
  cipher: z.strictObject({
    algorithm: z.literal('xchacha20poly1305-ietf'),
    nonce: b64(NONCE_BYTES),
    ciphertext: b64(SEALED_BYTES),
  }),
});
export type CompliancePrivateKeyFile = z.infer<typeof compliancePrivateKeyFileSchema>;

/** libsodium for the primitives libs/crypto does not export (Argon2id, the raw AEAD), and libs/crypto itself. */
async function sodiumReady(): Promise<typeof sodium> {
  await ready();
  await sodium.ready;
  return sodium;
}

export async function generateComplianceKeys(): Promise<ComplianceKeys> {
  await sodiumReady();
  return { encryption: x25519GenerateKeyPair(), signing: ed25519GenerateKeyPair() };
}

export function publicKeyFile(keys: ComplianceKeys, createdAt: string): CompliancePublicKeyFile {
  return {
    format: COMPLIANCE_PUBLIC_KEY_FORMAT,
    encryptionKey: toBase64Url(keys.encryption.publicKey),
    signingKey: toBase64Url(keys.signing.publicKey),
    fingerprint: complianceKeyFingerprint(keys.encryption.publicKey, keys.signing.publicKey),
    createdAt,
  };
}

/** Passphrases are compared as typed, after Unicode NFC normalisation (input methods differ in composition). */
export function normalisePassphrase(passphrase: string): string {
  const normal = passphrase.normalize('NFC');
  if ([...normal].length < MIN_PASSPHRASE_LENGTH)
    throw cliError('PASSPHRASE_TOO_SHORT', `The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`);
  return normal;
}

/** Everything in the file but the ciphertext is bound to it as associated data: no field can be swapped. */
function associatedData(f: Omit<CompliancePrivateKeyFile, 'cipher'>, nonce: string): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify([
      f.format,
      f.fingerprint,
      f.encryptionKey,
      f.signingKey,
      f.createdAt,
      f.kdf.algorithm,
      f.kdf.opsLimit,
      f.kdf.memLimit,
      f.kdf.salt,
      nonce,
    ]),
  );
}

function stretch(s: typeof sodium, passphrase: string, salt: Uint8Array, limits: Argon2idLimits): Uint8Array {
  return s.crypto_pwhash(32, passphrase, salt, limits.opsLimit, limits.memLimit, s.crypto_pwhash_ALG_ARGON2ID13);
}

/** Seals both secret keys under the passphrase. `limits` may only be raised above the interactive minimum. */
export async function sealPrivateKeyFile(
  keys: ComplianceKeys,
  passphrase: string,
  createdAt: string,
  limits: Argon2idLimits = DEFAULT_ARGON2ID_LIMITS,
): Promise<CompliancePrivateKeyFile> {
  const s = await sodiumReady();
  const secret = normalisePassphrase(passphrase);
  if (limits.opsLimit < MIN_ARGON2ID_LIMITS.opsLimit || limits.memLimit < MIN_ARGON2ID_LIMITS.memLimit)
    throw cliError('USAGE', 'Argon2id limits below libsodium INTERACTIVE are not allowed');
  const salt = s.randombytes_buf(SALT_BYTES);
  const nonce = s.randombytes_buf(NONCE_BYTES);
  const pub = publicKeyFile(keys, createdAt);
  const header = {
    format: COMPLIANCE_PRIVATE_KEY_FORMAT,
    fingerprint: pub.fingerprint,
    encryptionKey: pub.encryptionKey,
    signingKey: pub.signingKey,
    createdAt,
    kdf: { algorithm: 'argon2id13', opsLimit: limits.opsLimit, memLimit: limits.memLimit, salt: toBase64Url(salt) },
  } as const;
  const plaintext = new Uint8Array(SECRET_BYTES);
  plaintext.set(keys.encryption.secretKey, 0);
  plaintext.set(keys.signing.secretKey.subarray(0, 32), 32);
  const key = stretch(s, secret, salt, limits);
  const ciphertext = s.crypto_aead_xchacha20poly1305_ietf_encrypt(
    plaintext,
    associatedData(header, toBase64Url(nonce)),
    null,
    nonce,
    key,
  );
  plaintext.fill(0);
  key.fill(0);
  return {
    ...header,
    kdf: { ...header.kdf },
    cipher: { algorithm: 'xchacha20poly1305-ietf', nonce: toBase64Url(nonce), ciphertext: toBase64Url(ciphertext) },
  };
}

/** Validates a parsed private key file. Errors: KEY_FILE_INVALID. */
export function parsePrivateKeyFile(value: unknown): CompliancePrivateKeyFile {
  const parsed = compliancePrivateKeyFileSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw cliError(
      'KEY_FILE_INVALID',
      `Not a compliance private key file (${first.path.join('.') || 'file'}: ${first.message}).`,
    );
  }
  return parsed.data;
}

/**
 * Opens a private key file with its passphrase and checks that the secrets match the public keys and fingerprint
 * it lists. Errors: WRONG_PASSPHRASE (or a doctored file), KEY_FILE_INVALID.
 */
export async function openPrivateKeyFile(value: unknown, passphrase: string): Promise<ComplianceKeys> {
  const s = await sodiumReady();
  const file = parsePrivateKeyFile(value);
  const key = stretch(s, passphrase.normalize('NFC'), fromBase64Url(file.kdf.salt), file.kdf);
  let plaintext: Uint8Array;
  try {
    plaintext = s.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      fromBase64Url(file.cipher.ciphertext),
      associatedData(file, file.cipher.nonce),
      fromBase64Url(file.cipher.nonce),
      key,
    );
  } catch {
    throw cliError('WRONG_PASSPHRASE', 'Wrong passphrase for the compliance key file (or the file was altered).');
  } finally {
    key.fill(0);
  }
  const encryption = x25519KeyPairFromSecret(plaintext.slice(0, 32));
  const pair = s.crypto_sign_seed_keypair(plaintext.slice(32, 64));
  plaintext.fill(0);
  const signing: Ed25519KeyPair = { publicKey: pair.publicKey, secretKey: pair.privateKey };
  if (
    !bytesEqual(encryption.publicKey, fromBase64Url(file.encryptionKey)) ||
    !bytesEqual(signing.publicKey, fromBase64Url(file.signingKey)) ||
    complianceKeyFingerprint(encryption.publicKey, signing.publicKey) !== file.fingerprint
  ) {
    throw cliError('KEY_FILE_INVALID', 'The key file is inconsistent: its secrets do not match its public keys.');
  }
  return { encryption, signing };
}

/** Validates a public key file, including its fingerprint. Errors: KEY_FILE_INVALID. */
export async function parsePublicKeyFile(value: unknown): Promise<CompliancePublicKeyFile> {
  await sodiumReady();
  const parsed = compliancePublicKeyFileSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw cliError(
      'KEY_FILE_INVALID',
      `Not a compliance public key file (${first.path.join('.') || 'file'}: ${first.message}).`,
    );
  }
  const file = parsed.data;
  const encryptionKey = fromBase64Url(file.encryptionKey);
  const signingKey = fromBase64Url(file.signingKey);
  try {
    assertX25519PublicKey(encryptionKey, 'encryptionKey');
  } catch {
    throw cliError('KEY_FILE_INVALID', 'The public key file holds an unusable encryption key.');
  }
  if (complianceKeyFingerprint(encryptionKey, signingKey) !== file.fingerprint)
    throw cliError('KEY_FILE_INVALID', 'The public key file fingerprint does not match its keys.');
  return file;
}

/** Reads a small JSON file. Errors: FILE_UNREADABLE, KEY_FILE_INVALID (not JSON). */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw cliError('FILE_UNREADABLE', `The ${what} ${file} is not a file.`);
      if (stat.size > 64 * 1024) throw cliError('KEY_FILE_INVALID', `The ${what} ${file} is too large.`);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ComplianceCliError) throw error;
    throw cliError('FILE_UNREADABLE', `Cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code}.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw cliError('KEY_FILE_INVALID', `The ${what} ${file} is not JSON.`);
  }
}

export async function readPublicKeyFile(file: string): Promise<CompliancePublicKeyFile> {
  return parsePublicKeyFile(await readJsonFile(file, 'public key file'));
}

export interface WrittenKeyFiles {
  privatePath: string;
  publicPath: string;
  fingerprint: string;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * Writes both files into `dir` (created 0700 when missing): the private one with mode 0600. Refuses to overwrite
 * either (KEY_FILE_EXISTS); nothing is left behind when the second write fails.
 */
export async function writeKeyFiles(
  dir: string,
  privateFile: CompliancePrivateKeyFile,
  publicFile: CompliancePublicKeyFile,
): Promise<WrittenKeyFiles> {
  const privatePath = path.join(dir, PRIVATE_KEY_FILE_NAME);
  const publicPath = path.join(dir, PUBLIC_KEY_FILE_NAME);
  for (const file of [privatePath, publicPath]) {
    if (await exists(file))
      throw cliError('KEY_FILE_EXISTS', `${file} already exists: refusing to overwrite a compliance key.`);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const write = async (file: string, value: unknown, mode: number) => {
    let handle;
    try {
      handle = await open(file, 'wx', mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw cliError('KEY_FILE_EXISTS', `${file} already exists: refusing to overwrite a compliance key.`);
      throw cliError('FILE_UNREADABLE', `Cannot write ${file}: ${(error as NodeJS.ErrnoException).code}.`);
    }
    try {
      await handle.chmod(mode); // the umask may have narrowed or widened nothing, but be explicit
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  };
  await write(privatePath, privateFile, 0o600);
  try {
    await write(publicPath, publicFile, 0o644);
  } catch (error) {
    await rm(privatePath, { force: true });
    throw error;
  }
  return { privatePath, publicPath, fingerprint: publicFile.fingerprint };
}
