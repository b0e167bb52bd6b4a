import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Open } from 'unzipper';
import { ready } from '@miyu/crypto';
import { AUDIT_CSV_COLUMNS } from '../../modules/audit/audit-export-format.js';
import { csvRecords, lines, TextFormatError, utf8Chunks } from './text-stream.js';
import { type EntryInput, ExportVerifier, type VerifyOptions, VerifyFailure, type VerifyReport } from './verifier.js';

export { VerifyFailure, type VerifyOptions, type VerifyReport } from './verifier.js';

/** checkpoint.json is small; anything larger is not ours. */
const MAX_CHECKPOINT_BYTES = 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

/** The file cannot be read at all (missing, a directory, no permission): a usage error, not a failed check. */
export class UnreadableFileError extends Error {}

/**
 * Verifies an export bundle — JSONL, or the zip with entries.csv and checkpoint.json (told apart by the zip
 * signature) — streaming it in constant memory. Resolves with the report, rejects with a VerifyFailure naming the
 * first entry (or the checkpoint) that does not verify, or an UnreadableFileError.
 */
export async function verifyAuditExport(path: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  await ready();
  const isZip = await startsWithZipSignature(path);
  const verifier = new ExportVerifier(isZip ? 'csv' : 'jsonl', options);
  try {
    return isZip ? await verifyZip(path, verifier) : await verifyJsonl(path, verifier);
  } catch (error) {
    const failure =
      error instanceof TextFormatError ? new VerifyFailure(isZip ? 'entries.csv' : 'file', error.message) : error;
    if (failure instanceof VerifyFailure) failure.fingerprint = verifier.fingerprint || undefined;
    throw failure;
  }
}

async function startsWithZipSignature(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
    const stat = await handle.stat();
    if (!stat.isFile()) throw new UnreadableFileError(`${path} is not a file`);
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.readUInt32LE(0) === 0x04034b50;
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  } finally {
    await handle?.close();
  }
}

async function verifyJsonl(path: string, verifier: ExportVerifier): Promise<VerifyReport> {
  let headerSeen = false;
  let endCount: number | undefined;
  for await (const { n, line } of lines(utf8Chunks(createReadStream(path, { highWaterMark: READ_CHUNK })))) {
    if (line === '') continue;
    const where = `line ${n}`;
    if (endCount !== undefined) throw new VerifyFailure(where, 'content after the end line');
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new VerifyFailure(where, 'not JSON');
    }
    if (!value || typeof value !== 'object') throw new VerifyFailure(where, 'not a JSON object');
    if (!headerSeen) {
      verifier.header(value);
      headerSeen = true;
    } else if (value.type === 'entry') {
      verifier.entry({ seq: value.seq, canonical: value.canonical, leafHash: value.leafHash, proof: value.proof });
    } else if (value.type === 'end') {
      if (!Number.isSafeInteger(value.count)) throw new VerifyFailure(where, 'end line without a count');
      endCount = value.count as number;
    } else {
      throw new VerifyFailure(where, `unknown line type ${JSON.stringify(value.type)}`);
    }
  }
  if (!headerSeen) throw new VerifyFailure('file', 'empty: no header line');
  if (endCount === undefined) throw new VerifyFailure('file', 'truncated: the end line is missing');
  return verifier.finish(endCount);
}

async function verifyZip(path: string, verifier: ExportVerifier): Promise<VerifyReport> {
  let directory;
  try {
    directory = await Open.file(path);
  } catch (error) {
    throw new VerifyFailure(
      'file',
      `not a readable zip archive (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const named = (name: string) => {
    const files = directory.files.filter((f) => f.path === name && f.type === 'File');
    if (files.length !== 1)
      throw new VerifyFailure('file', files.length ? `${name} appears twice` : `${name} is missing`);
    return files[0]!;
  };
  const checkpointFile = named('checkpoint.json');
  const entriesFile = named('entries.csv');
  if (checkpointFile.uncompressedSize > MAX_CHECKPOINT_BYTES) throw new VerifyFailure('checkpoint.json', 'too large');

  let header: unknown;
  try {
    header = JSON.parse((await checkpointFile.buffer()).toString('utf8'));
  } catch {
    throw new VerifyFailure('checkpoint.json', 'not JSON');
  }
  verifier.header(header);

  const readable = AUDIT_CSV_COLUMNS.indexOf('canonical');
  const column = (name: (typeof AUDIT_CSV_COLUMNS)[number]) => AUDIT_CSV_COLUMNS.indexOf(name);
  let first = true;
  let row = 0;
  for await (const cells of csvRecords(utf8Chunks(entriesFile.stream()))) {
    if (first) {
      first = false;
      if (cells.join(',') !== AUDIT_CSV_COLUMNS.join(','))
        throw new VerifyFailure('entries.csv', `unexpected columns (expected ${AUDIT_CSV_COLUMNS.join(',')})`);
      continue;
    }
    row += 1;
    if (cells.length === 1 && cells[0] === '') continue; // a blank line
    if (cells.length !== AUDIT_CSV_COLUMNS.length)
      throw new VerifyFailure(
        `entries.csv row ${row}`,
        `${cells.length} columns instead of ${AUDIT_CSV_COLUMNS.length}`,
      );
    const seqText = cells[column('seq')]!;
    const proofText = cells[column('proof')]!;
    const input: EntryInput = {
      seq: /^[1-9]\d{0,15}$/.test(seqText) ? Number(seqText) : NaN,
      canonical: cells[column('canonical')],
      leafHash: cells[column('leaf_hash')],
      proof: proofText === '' ? [] : proofText.split(' '),
      readable: cells.slice(0, readable),
    };
    verifier.entry(input);
  }
  if (first) throw new VerifyFailure('entries.csv', 'empty: no header row');
  return verifier.finish();
}
