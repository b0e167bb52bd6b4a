import { open } from 'node:fs/promises';
import { ComplianceCliError, cliError } from './errors.js';
import { normalisePassphrase } from './key-file.js';

/** Where a passphrase may come from, in this order: --passphrase-file, the environment, a terminal prompt. */
export const PASSPHRASE_ENV = 'MIYU_COMPLIANCE_PASSPHRASE';
const MAX_PASSPHRASE_FILE_BYTES = 4096;

export interface TerminalInput {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface PassphraseSources {
  file?: string;
  env: Record<string, string | undefined>;
  stdin: TerminalInput;
  stderr: { write(text: string): unknown };
}

/** The file's content without one trailing line break (what `echo secret > file` leaves). */
export async function readPassphraseFile(file: string): Promise<string> {
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new Error('ENOTFILE');
      if (stat.size > MAX_PASSPHRASE_FILE_BYTES)
        throw cliError('USAGE', `The passphrase file ${file} is larger than ${MAX_PASSPHRASE_FILE_BYTES} bytes.`);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ComplianceCliError) throw error;
    throw cliError(
      'FILE_UNREADABLE',
      `Cannot read the passphrase file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  return text.replace(/\r?\n$/, '');
}

/**
 * Reads one line from a terminal without echoing it. Backspace deletes, Ctrl-C cancels (USAGE), Enter ends.
 */
export function readHidden(stdin: TerminalInput, stderr: PassphraseSources['stderr'], prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    stderr.write(prompt);
    stdin.setRawMode?.(true);
    const finish = (error: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      const value = typed.join('');
      typed = [];
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(null);
        if (ch === '\u0003') return finish(cliError('USAGE', 'Cancelled.'));
        if (ch === '\u007f' || ch === '\b') typed.pop();
        else if (ch >= ' ') typed.push(ch);
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/**
 * The passphrase, checked for length (≥ 12 characters) and NFC-normalised. `confirm` (keygen) asks twice on a
 * terminal and refuses a difference; `prompt` replaces "Passphrase: " (the export names the key file it asks for).
 * Errors: PASSPHRASE_MISSING, PASSPHRASE_TOO_SHORT, PASSPHRASE_MISMATCH.
 */
export async function obtainPassphrase(
  sources: PassphraseSources,
  options: { confirm: boolean; prompt?: string },
): Promise<string> {
  if (sources.file !== undefined) return normalisePassphrase(await readPassphraseFile(sources.file));
  const fromEnv = sources.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return normalisePassphrase(fromEnv);
  if (!sources.stdin.isTTY)
    throw cliError(
      'PASSPHRASE_MISSING',
      `No passphrase: give --passphrase-file, set ${PASSPHRASE_ENV}, or run in a terminal to be asked.`,
    );
  const first = normalisePassphrase(await readHidden(sources.stdin, sources.stderr, options.prompt ?? 'Passphrase: '));
  if (!options.confirm) return first;
  const second = await readHidden(sources.stdin, sources.stderr, 'Passphrase again: ');
  if (second.normalize('NFC') !== first) throw cliError('PASSPHRASE_MISMATCH', 'The two passphrases differ.');
  return first;
}
