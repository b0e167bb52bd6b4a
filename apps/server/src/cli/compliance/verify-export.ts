import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fromBase64Url, ready } from '@miyu/crypto';
import type { CompliancePublicKeyFile } from '@miyu/protocol';
import { ComplianceCliError, cliError } from './errors.js';
import {
  type ExportCounts,
  exportManifestSchema,
  MANIFEST_FILE,
  SIGNATURE_FILE,
  verifyManifestSignature,
} from './manifest.js';

/**
 * Offline check of a finished export against the public key file of the compliance key that signed it (the last
 * one given to the export): manifest.sig verifies over manifest.json with its signing key, the manifest names this
 * key as the last of the keys it was made with, and every listed file exists with its size and SHA-256 — and no
 * other file is present. Any difference is VERIFY_FAILED naming the first one found.
 */

const MAX_MANIFEST_BYTES = 512 * 1024 * 1024;

export interface ExportVerifyReport {
  /** The signing key's fingerprint. */
  fingerprint: string;
  /** Every compliance key the export was made with, in the order given (the last signed). */
  keys: string[];
  files: number;
  bytes: number;
  createdAt: string;
  server: string;
  counts: ExportCounts;
  checkpoint: { size: number; time: string };
}

function failed(message: string): never {
  throw cliError('VERIFY_FAILED', message);
}

/** A manifest path must stay inside the export: relative, forward slashes, no `.`/`..`/empty segments. */
export function isSafeExportPath(p: string): boolean {
  if (p.includes('\\') || p.includes('\0') || p.startsWith('/')) return false;
  const parts = p.split('/');
  return parts.every((s) => s !== '' && s !== '.' && s !== '..') && p !== MANIFEST_FILE && p !== SIGNATURE_FILE;
}

async function sha256File(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Every regular file under `dir`, as export paths; anything else (a link, a device) fails verification. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
    else failed(`${rel} is neither a file nor a directory`);
  }
  return out;
}

export async function verifyExport(dir: string, publicKey: CompliancePublicKeyFile): Promise<ExportVerifyReport> {
  await ready();
  let manifestRaw: Buffer;
  let signature: string;
  try {
    const stat = await lstat(path.join(dir, MANIFEST_FILE));
    if (!stat.isFile() || stat.size > MAX_MANIFEST_BYTES) failed(`${MANIFEST_FILE} is not a regular file of sane size`);
    manifestRaw = await readFile(path.join(dir, MANIFEST_FILE));
    signature = await readFile(path.join(dir, SIGNATURE_FILE), 'utf8');
  } catch (error) {
    if (error instanceof ComplianceCliError) throw error;
    throw cliError(
      'FILE_UNREADABLE',
      `Cannot read ${dir}/${MANIFEST_FILE} and ${SIGNATURE_FILE}: ${(error as NodeJS.ErrnoException).code}.`,
    );
  }
  if (!verifyManifestSignature(manifestRaw, signature, fromBase64Url(publicKey.signingKey)))
    failed(`${SIGNATURE_FILE} is not a valid signature of ${MANIFEST_FILE} by key ${publicKey.fingerprint}`);

  let json: unknown;
  try {
    json = JSON.parse(manifestRaw.toString('utf8'));
  } catch {
    failed(`${MANIFEST_FILE} is not JSON`);
  }
  const parsed = exportManifestSchema.safeParse(json);
  if (!parsed.success) failed(`${MANIFEST_FILE} is not an export manifest (${parsed.error.issues[0]!.message})`);
  const manifest = parsed.data;
  const signer = manifest.complianceKey;
  if (signer.fingerprint !== publicKey.fingerprint || signer.signingKey !== publicKey.signingKey)
    failed(`the manifest names key ${signer.fingerprint} as its signer, not ${publicKey.fingerprint}`);
  const last = manifest.complianceKeys.at(-1)!;
  if (last.fingerprint !== signer.fingerprint || last.signingKey !== signer.signingKey)
    failed(`the manifest's signing key ${signer.fingerprint} is not the last of its compliance keys`);
  const fingerprints = manifest.complianceKeys.map((k) => k.fingerprint);
  if (new Set(fingerprints).size !== fingerprints.length) failed('the manifest lists a compliance key twice');

  const listed = new Set<string>();
  let bytes = 0;
  for (const f of manifest.files) {
    if (!isSafeExportPath(f.path)) failed(`the manifest lists an unsafe path ${JSON.stringify(f.path)}`);
    if (listed.has(f.path)) failed(`the manifest lists ${f.path} twice`);
    listed.add(f.path);
    const file = path.join(dir, ...f.path.split('/'));
    let stat;
    try {
      stat = await lstat(file);
    } catch {
      failed(`${f.path} is missing`);
    }
    if (!stat.isFile()) failed(`${f.path} is not a regular file`);
    const actual = await sha256File(file);
    if (actual.bytes !== f.bytes) failed(`${f.path} has ${actual.bytes} bytes, the manifest says ${f.bytes}`);
    if (actual.sha256 !== f.sha256) failed(`${f.path} does not match its SHA-256 in the manifest`);
    bytes += actual.bytes;
  }
  for (const rel of await listFiles(dir)) {
    if (rel === MANIFEST_FILE || rel === SIGNATURE_FILE) continue;
    if (!listed.has(rel)) failed(`${rel} is not listed in the manifest`);
  }
  return {
    fingerprint: publicKey.fingerprint,
    keys: fingerprints,
    files: manifest.files.length,
    bytes,
    createdAt: manifest.createdAt,
    server: manifest.server,
    counts: manifest.counts,
    checkpoint: { size: manifest.auditCheckpoint.checkpoint.size, time: manifest.auditCheckpoint.checkpoint.time },
  };
}
