import { toBase64Url } from '@miyu/crypto';
import type { ComplianceNotice } from '@miyu/protocol';
import { ComplianceCliError, cliError } from './errors.js';
import { type ComplianceKeys, openPrivateKeyFile, parsePrivateKeyFile, readJsonFile } from './key-file.js';
import { type PassphraseSources, obtainPassphrase } from './passphrase.js';

/**
 * The private key files an export is given (`--key`, repeatable): each read, checked and opened with its own
 * passphrase, then matched against the organisation's listed keys. The last key given signs the manifest.
 */

export interface OpenedExportKey {
  /** The file as given to --key. */
  file: string;
  fingerprint: string;
  /** base64url of the X25519 public key, as the server lists it. */
  encryptionKey: string;
  keys: ComplianceKeys;
}

export type ListedKey = ComplianceNotice['keys'][number];

export interface MatchedExportKey extends OpenedExportKey {
  listed: ListedKey;
}

/** Re-throws a key file's error with the file named (a run may read several). */
function naming(file: string, error: unknown): never {
  if (error instanceof ComplianceCliError && !error.message.includes(file))
    throw cliError(error.code, `${file}: ${error.message}`);
  throw error;
}

/**
 * Reads every key file first (so a wrong or duplicated file fails before any passphrase is asked), then obtains
 * each one's passphrase and opens it (Argon2id), one after the other. A passphrase comes from the key's own
 * --passphrase-file (when one is given per key), the single --passphrase-file, MIYU_COMPLIANCE_PASSPHRASE, or a
 * terminal prompt naming the file. Errors: FILE_UNREADABLE, KEY_FILE_INVALID, USAGE (the same key twice),
 * PASSPHRASE_*, WRONG_PASSPHRASE — each naming the file.
 */
export async function openExportKeys(
  files: readonly string[],
  passphraseFiles: readonly string[],
  io: Omit<PassphraseSources, 'file'>,
): Promise<OpenedExportKey[]> {
  if (files.length === 0) throw cliError('USAGE', '--key is required');
  if (passphraseFiles.length > 1 && passphraseFiles.length !== files.length)
    throw cliError('USAGE', `${passphraseFiles.length} --passphrase-file for ${files.length} --key files`);
  const parsed = [];
  const byFingerprint = new Map<string, string>();
  for (const file of files) {
    let keyFile;
    try {
      keyFile = parsePrivateKeyFile(await readJsonFile(file, 'private key file'));
    } catch (error) {
      naming(file, error);
    }
    const earlier = byFingerprint.get(keyFile.fingerprint);
    if (earlier !== undefined)
      throw cliError(
        'USAGE',
        `--key ${earlier} and --key ${file} hold the same compliance key ${keyFile.fingerprint}: give it once.`,
      );
    byFingerprint.set(keyFile.fingerprint, file);
    parsed.push({ file, keyFile });
  }

  const opened: OpenedExportKey[] = [];
  for (const [i, { file, keyFile }] of parsed.entries()) {
    const passphraseFile = passphraseFiles.length === 1 ? passphraseFiles[0] : passphraseFiles[i];
    let keys: ComplianceKeys;
    try {
      const passphrase = await obtainPassphrase(
        { ...io, ...(passphraseFile !== undefined ? { file: passphraseFile } : {}) },
        { confirm: false, prompt: `Passphrase for ${file}: ` },
      );
      io.stderr.write(`Opening the compliance key ${keyFile.fingerprint} in ${file} (Argon2id)…\n`);
      keys = await openPrivateKeyFile(keyFile, passphrase);
    } catch (error) {
      naming(file, error);
    }
    opened.push({
      file,
      fingerprint: keyFile.fingerprint,
      encryptionKey: toBase64Url(keys.encryption.publicKey),
      keys,
    });
  }
  return opened;
}

/**
 * Pairs every opened key with the organisation's listing of it (active or retired), by fingerprint and encryption
 * key. Errors: KEY_NOT_LISTED naming the first key file that is none of them.
 */
export function matchListedKeys(opened: readonly OpenedExportKey[], listed: readonly ListedKey[]): MatchedExportKey[] {
  return opened.map((key) => {
    const match = listed.find((k) => k.fingerprint === key.fingerprint && k.encryptionKey === key.encryptionKey);
    if (!match) {
      const known = listed.map((k) => `${k.fingerprint}${k.active ? ' (active)' : ''}`).join(', ') || 'none';
      throw cliError(
        'KEY_NOT_LISTED',
        `The key ${key.fingerprint} in ${key.file} is not one of the organisation's compliance keys (listed: ` +
          `${known}). Use the private key files whose public halves were uploaded in Admin → Compliance.`,
      );
    }
    return { ...key, listed: match };
  });
}
