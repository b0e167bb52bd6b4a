import path from 'node:path';
import { z } from 'zod';
import { parseArgs } from '../args.js';
import { cliError } from './errors.js';
import { PASSPHRASE_ENV } from './passphrase.js';

export const TOKEN_ENV = 'MIYU_API_TOKEN';

export const EXPORT_USAGE = `Usage:
  npm run compliance:export -- --server <url> --key <compliance-key.private.json> [--key <another.private.json> ...]
      --out <dir> [--passphrase-file <file> ...] [--token-file <file>] [--from <ISO time>] [--to <ISO time>]
      [--users <id,id,...>] [--conversations <id,id,...>]
  npm run compliance:export -- --verify <export dir> --public <compliance-key.public.json>
  (or: npm run compliance:verify -- <export dir> --public <compliance-key.public.json>)
Exports retained conversations offline: fetches ciphertext and escrow wraps with an auditor's API token (scope
compliance:export, from ${TOKEN_ENV} or --token-file), opens them locally with the compliance private key(s) and
writes messages.jsonl, messages.csv, eml/, attachments/, manifest.json and manifest.sig into <dir> (built in
<dir>.partial, renamed when complete). --key may be repeated (every key of a rotation, oldest first): the LAST one
signs the manifest. Each key file's passphrase comes from --passphrase-file (once for all keys, or once per --key in
the same order), else ${PASSPHRASE_ENV} (for all keys), else it is asked on the terminal for each key file.
--from/--to bound the message time (from <= time < to, ISO 8601 with offset); --users and --conversations
select conversations. --verify checks a finished export's signature and every file's SHA-256 against the public key
of the key that signed it.
Exit codes: 0 done (verified), 1 export or verification failed, 2 usage error, unreadable file or wrong passphrase.`;

export interface ExportOptions {
  server: URL;
  /** Private key files, at least one, as given (oldest first by convention); the last one signs the manifest. */
  keys: string[];
  out: string;
  /** None (environment or terminal), one for every key, or one per key in the order of `keys`. */
  passphraseFiles: string[];
  tokenFile?: string;
  from?: string;
  to?: string;
  users?: string[];
  conversations?: string[];
}

export interface VerifyOptions {
  dir: string;
  publicKey: string;
}

export type ExportCommand = { mode: 'export'; options: ExportOptions } | { mode: 'verify'; options: VerifyOptions };

const EXPORT_FLAGS = [
  'server',
  'key',
  'out',
  'passphrase-file',
  'token-file',
  'from',
  'to',
  'users',
  'conversations',
] as const;
/** Flags that may be given more than once; any other flag given twice is a usage error. */
const REPEATABLE_FLAGS: readonly string[] = ['key', 'passphrase-file'];
const MAX_IDS = 500;
/** More keys than a rotation history plausibly has, each costing an Argon2id opening. */
const MAX_KEYS = 20;
const isoTime = z.iso.datetime({ offset: true });
const uuid = z.uuid();

function usage(message: string): never {
  throw cliError('USAGE', `${message}\n${EXPORT_USAGE}`);
}

function idList(flag: string, value: string): string[] {
  const ids = [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  if (ids.length === 0) usage(`--${flag} needs at least one id`);
  if (ids.length > MAX_IDS) usage(`--${flag}: at most ${MAX_IDS} ids`);
  for (const id of ids) if (!uuid.safeParse(id).success) usage(`--${flag}: ${JSON.stringify(id)} is not an id`);
  return ids;
}

function serverUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    usage(`--server: ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') usage('--server must be an http(s) URL');
  if (url.username || url.password) usage('--server must not carry credentials');
  if (url.search || url.hash) usage('--server must be the server origin (no query or fragment)');
  return url;
}

/**
 * Reads `--name value` / `--name=value` pairs into lists per flag: unknown flags, stray arguments, missing values
 * and a non-repeatable flag given twice are errors (thrown as plain Errors, turned into USAGE by the caller).
 */
function collectFlags(args: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!(EXPORT_FLAGS as readonly string[]).includes(name))
      throw new Error(`Unknown option --${name}. Known: ${EXPORT_FLAGS.map((k) => `--${k}`).join(', ')}`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    const values = out.get(name) ?? [];
    if (values.length > 0 && !REPEATABLE_FLAGS.includes(name)) throw new Error(`--${name} is given more than once`);
    values.push(value);
    out.set(name, values);
  }
  return out;
}

/** The key files: at least one, each named once (compared as resolved paths), at most MAX_KEYS. */
function keyFiles(values: readonly string[]): string[] {
  if (values.length > MAX_KEYS) usage(`--key: at most ${MAX_KEYS} key files`);
  const seen = new Map<string, string>();
  for (const file of values) {
    if (file === '') usage('--key needs a file');
    const resolved = path.resolve(file);
    const earlier = seen.get(resolved);
    if (earlier !== undefined) usage(`--key ${file} is given twice${earlier === file ? '' : ` (as ${earlier})`}`);
    seen.set(resolved, file);
  }
  return [...values];
}

/** None, one for all keys, or exactly one per key (in --key order). */
function passphraseFiles(values: readonly string[], keys: number): string[] {
  if (values.some((v) => v === '')) usage('--passphrase-file needs a file');
  if (values.length > 1 && values.length !== keys)
    usage(
      `--passphrase-file is given ${values.length} times for ${keys} --key file(s): give it once (one passphrase ` +
        'for every key) or once per --key, in the same order',
    );
  return [...values];
}

/** Splits `--verify <dir>` off first, then reads the export flags. Errors: USAGE with the usage text. */
export function parseExportArgs(argv: string[]): ExportCommand {
  const args = argv.filter((a) => a !== '--');
  if (args.includes('--help') || args.includes('-h')) throw cliError('USAGE', EXPORT_USAGE);
  const verifyAt = args.findIndex((a) => a === '--verify' || a.startsWith('--verify='));
  if (verifyAt >= 0) return { mode: 'verify', options: parseVerify(args, verifyAt) };

  let flags: Map<string, string[]>;
  try {
    flags = collectFlags(args);
  } catch (error) {
    usage((error as Error).message);
  }
  const raw = Object.fromEntries([...flags].map(([flag, values]) => [flag, values[0]!])) as Partial<
    Record<(typeof EXPORT_FLAGS)[number], string>
  >;
  for (const required of ['server', 'key', 'out'] as const) if (!raw[required]) usage(`--${required} is required`);
  const keys = keyFiles(flags.get('key')!);
  const options: ExportOptions = {
    server: serverUrl(raw.server!),
    keys,
    out: raw.out!.replace(/\/+$/, ''),
    passphraseFiles: passphraseFiles(flags.get('passphrase-file') ?? [], keys.length),
  };
  if (options.out === '') usage('--out must name a directory');
  if (raw['token-file']) options.tokenFile = raw['token-file'];
  for (const flag of ['from', 'to'] as const) {
    const value = raw[flag];
    if (value === undefined) continue;
    if (!isoTime.safeParse(value).success)
      usage(`--${flag}: ${JSON.stringify(value)} is not an ISO 8601 time with offset (e.g. 2026-01-31T00:00:00Z)`);
    options[flag] = value;
  }
  if (options.from && options.to && Date.parse(options.from) >= Date.parse(options.to))
    usage('--from must be before --to');
  if (raw.users !== undefined) options.users = idList('users', raw.users);
  if (raw.conversations !== undefined) options.conversations = idList('conversations', raw.conversations);
  return { mode: 'export', options };
}

function parseVerify(args: string[], at: number): VerifyOptions {
  const arg = args[at]!;
  const rest = [...args];
  let dir: string | undefined;
  if (arg.startsWith('--verify=')) {
    dir = arg.slice('--verify='.length);
    rest.splice(at, 1);
  } else {
    dir = args[at + 1];
    rest.splice(at, 2);
  }
  if (!dir || dir.startsWith('--')) usage('--verify needs the export directory');
  let raw: Record<string, string>;
  try {
    raw = parseArgs(rest, ['public']);
  } catch (error) {
    usage(`${(error as Error).message} (with --verify only --public is allowed)`);
  }
  if (!raw.public) usage('--verify needs --public <compliance-key.public.json>');
  return { dir: dir.replace(/\/+$/, '') || dir, publicKey: raw.public };
}
