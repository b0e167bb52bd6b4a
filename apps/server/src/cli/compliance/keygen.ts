import { parseArgs } from '../args.js';
import { cliError } from './errors.js';
import {
  type Argon2idLimits,
  DEFAULT_ARGON2ID_LIMITS,
  generateComplianceKeys,
  publicKeyFile,
  sealPrivateKeyFile,
  writeKeyFiles,
  type WrittenKeyFiles,
} from './key-file.js';
import { type PassphraseSources, obtainPassphrase, PASSPHRASE_ENV } from './passphrase.js';

export const KEYGEN_USAGE = `Usage: npm run compliance:keygen -- --out <dir> [--passphrase-file <file>]
Creates the organisation's compliance key offline: an X25519 key pair (retained conversations are escrowed to it)
and an Ed25519 key pair (signs export manifests). Writes <dir>/compliance-key.private.json (mode 0600, both secret
keys sealed under a passphrase with Argon2id + XChaCha20-Poly1305) and <dir>/compliance-key.public.json (upload it in
Admin → Compliance). Never overwrites an existing key.
The passphrase (at least 12 characters) is read from --passphrase-file, else ${PASSPHRASE_ENV}, else asked twice on
the terminal.
Exit codes: 0 created, 2 usage error, existing key or unusable passphrase.`;

export interface KeygenOptions {
  out: string;
  passphraseFile?: string;
}

/** Validates keygen's arguments. Errors: USAGE. */
export function parseKeygenArgs(argv: string[]): KeygenOptions {
  if (argv.includes('--help') || argv.includes('-h')) throw cliError('USAGE', KEYGEN_USAGE);
  let args: Record<string, string>;
  try {
    args = parseArgs(argv, ['out', 'passphrase-file']);
  } catch (error) {
    throw cliError('USAGE', `${(error as Error).message}\n${KEYGEN_USAGE}`);
  }
  if (!args.out) throw cliError('USAGE', `--out <dir> is required\n${KEYGEN_USAGE}`);
  return { out: args.out, ...(args['passphrase-file'] ? { passphraseFile: args['passphrase-file'] } : {}) };
}

/** Generates the key pairs and writes both files; returns where they went and the fingerprint. */
export async function createComplianceKey(
  out: string,
  passphrase: string,
  options: { createdAt?: Date; limits?: Argon2idLimits } = {},
): Promise<WrittenKeyFiles> {
  const createdAt = (options.createdAt ?? new Date()).toISOString();
  const keys = await generateComplianceKeys();
  const sealed = await sealPrivateKeyFile(keys, passphrase, createdAt, options.limits ?? DEFAULT_ARGON2ID_LIMITS);
  return writeKeyFiles(out, sealed, publicKeyFile(keys, createdAt));
}

export interface KeygenIo extends Omit<PassphraseSources, 'file'> {
  stdout: { write(text: string): unknown };
}

/** `npm run compliance:keygen`: writes the key files and prints the fingerprint and what to do next. */
export async function runKeygen(argv: string[], io: KeygenIo, limits?: Argon2idLimits): Promise<WrittenKeyFiles> {
  const options = parseKeygenArgs(argv);
  const passphrase = await obtainPassphrase(
    { ...io, ...(options.passphraseFile ? { file: options.passphraseFile } : {}) },
    { confirm: true },
  );
  io.stderr.write('Deriving the key-file key (Argon2id)…\n');
  const written = await createComplianceKey(options.out, passphrase, limits ? { limits } : {});
  io.stdout.write(
    [
      'Compliance key created.',
      `  fingerprint:  ${written.fingerprint}`,
      `  public file:  ${written.publicPath}`,
      `  private file: ${written.privatePath} (mode 0600, sealed under your passphrase)`,
      'Next:',
      '  1. An admin uploads the PUBLIC file in Admin → Compliance; check that the fingerprint shown there is the',
      '     one above before turning retention on.',
      '  2. Keep the PRIVATE file offline (e.g. on encrypted removable media in a safe) and the passphrase apart',
      '     from it. Both are needed to export retained messages; without them nobody can open what was retained.',
      '  3. Export with: npm run compliance:export -- --server <url> --key <private file> --out <dir>',
      '',
    ].join('\n'),
  );
  return written;
}
