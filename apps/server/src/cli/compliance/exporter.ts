import { lstat, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isCryptoError, toBase64Url } from '@miyu/crypto';
import type { ExportConversation, ExportPerson } from '@miyu/protocol';
import { attachmentPath, saveAttachment } from './attachment-save.js';
import { csvHeader, csvRow } from './csv-format.js';
import { emlEmptyPart, emlFooter, emlHeader, emlPart } from './eml-format.js';
import { ComplianceCliError, cliError } from './errors.js';
import { type ExportOptions, TOKEN_ENV } from './export-args.js';
import { ComplianceApi } from './export-client.js';
import { type MatchedExportKey, matchListedKeys, openExportKeys } from './export-keys.js';
import {
  type ExportCounts,
  type ExportManifest,
  type ManifestKey,
  emptyCounts,
  EXPORT_MANIFEST_FORMAT,
  EXPORT_TOOL,
  MANIFEST_FILE,
  manifestBytes,
  SIGNATURE_FILE,
  signManifest,
} from './manifest.js';
import { type ExportRecord, openExportMessage } from './message-record.js';
import { type ManifestFile, OutputFile } from './output-file.js';
import type { PassphraseSources } from './passphrase.js';
import { type BookKey, SessionBook } from './session-book.js';

/**
 * The export run (docs/compliance-export.md): every check that can fail early (output directory, token, key files,
 * passphrases, the server accepting the token and listing every key) runs before anything is written; then the
 * conversations stream page by page into `<out>.partial`, which is renamed to `<out>` only once the manifest,
 * signed with the last key given, is in place, and deleted on any failure. Only one conversation's session map is
 * held in memory, whatever the number of keys.
 */

export interface ExportIo extends Omit<PassphraseSources, 'file'> {
  fetch?: typeof fetch;
  /** Aborting (Ctrl-C) stops the export and deletes the partial output. */
  signal?: AbortSignal;
  now?: () => Date;
}

export interface ExportSummary {
  dir: string;
  /** The key that signed the manifest (the last one given). */
  fingerprint: string;
  keyId: string;
  /** Every key used, in the order given. */
  keys: Array<{ file: string; fingerprint: string; active: boolean }>;
  counts: ExportCounts;
  files: number;
  checkpointSize: number;
}

async function pathExists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

async function readToken(options: ExportOptions, env: PassphraseSources['env']): Promise<string> {
  if (options.tokenFile) {
    let text: string;
    try {
      const handle = await open(options.tokenFile, 'r');
      try {
        if ((await handle.stat()).size > 1024) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw cliError(
        'FILE_UNREADABLE',
        `Cannot read the token file ${options.tokenFile}: ${(error as NodeJS.ErrnoException).code}.`,
      );
    }
    return text.trim();
  }
  const token = env[TOKEN_ENV]?.trim();
  if (!token) throw cliError('TOKEN_MISSING', `No API token: set ${TOKEN_ENV} or give --token-file.`);
  return token;
}

/** Progress on stderr, at most once a second and at the end of each conversation. */
class Progress {
  private readonly started = Date.now();
  private last = 0;

  constructor(
    private readonly stderr: PassphraseSources['stderr'],
    private readonly total: number,
  ) {}

  report(done: number, messages: number, c: ExportConversation, seq: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 1000) return;
    this.last = now;
    const s = (now - this.started) / 1000;
    const rate = s > 0 ? Math.round(messages / s) : 0;
    this.stderr.write(
      `[${s.toFixed(1)}s] conversation ${done}/${this.total} · ${messages.toLocaleString('en-US')} messages ` +
        `(${rate.toLocaleString('en-US')}/s) · ${c.id}: seq ${seq}/${c.lastSeq}\n`,
    );
  }
}

function count(counts: ExportCounts, r: ExportRecord): void {
  counts.messages++;
  if (r.error) counts.unreadable++;
  else if (r.type === 'event') counts.events++;
  else counts.opened++;
  if (r.recalled) counts.recalled++;
  if (r.type === 'edit') counts.edits++;
}

interface Run {
  api: ComplianceApi;
  /** The keys wraps are opened with, in the order given. */
  bookKeys: BookKey[];
  complianceKeys: Uint8Array[];
  options: ExportOptions;
  io: ExportIo;
  dir: string;
  people: Map<string, ExportPerson>;
  counts: ExportCounts;
  files: ManifestFile[];
  exportedAt: string;
  /** Files being written, abandoned when the export fails. */
  open: Set<OutputFile>;
}

function checkAbort(io: ExportIo): void {
  if (io.signal?.aborted) throw cliError('CANCELLED', 'Export cancelled; the partial output was deleted.');
}

async function saveAttachments(
  run: Run,
  record: ExportRecord,
  refs: ReturnType<typeof openExportMessage>['attachmentRefs'],
) {
  for (const [i, ref] of refs.entries()) {
    const slot = record.attachments[i]!;
    const rel = attachmentPath(record.conversationId, record.seq, slot.n, slot.name);
    await mkdir(path.join(run.dir, 'attachments', record.conversationId), { recursive: true, mode: 0o700 });
    try {
      run.files.push(await saveAttachment(run.api, ref, run.dir, rel));
      slot.file = rel;
      run.counts.attachmentsSaved++;
    } catch (error) {
      if (isCryptoError(error)) slot.error = { code: error.code, message: error.message };
      else if (error instanceof ComplianceCliError && error.code === 'SERVER_ERROR')
        slot.error = { code: 'ATTACHMENT_UNAVAILABLE', message: error.message };
      else throw error;
      run.counts.attachmentsFailed++;
    }
  }
}

async function exportConversation(
  run: Run,
  c: ExportConversation,
  out: { jsonl: OutputFile; csv: OutputFile },
  progress: Progress,
  index: number,
): Promise<void> {
  const book = new SessionBook(run.bookKeys);
  book.addListed(c.id, await run.api.sessions(c.id));
  const eml = new OutputFile(run.dir, `eml/${c.id}.eml`);
  run.open.add(eml);
  await eml.write(emlHeader(c, run.people, run.exportedAt));
  const ctx = { conversation: c, people: run.people, book, complianceKeys: run.complianceKeys };
  let after = 0;
  let parts = 0;
  for (;;) {
    const page = await run.api.messages({
      conversationId: c.id,
      afterSeq: after,
      ...(run.options.from ? { from: run.options.from } : {}),
      ...(run.options.to ? { to: run.options.to } : {}),
    });
    for (const m of page.messages) {
      checkAbort(run.io);
      if (m.seq <= after) throw cliError('SERVER_ERROR', `conversation ${c.id}: messages out of order at seq ${m.seq}`);
      after = m.seq;
      const { record, attachmentRefs } = openExportMessage(m, ctx);
      if (attachmentRefs.length > 0) await saveAttachments(run, record, attachmentRefs);
      count(run.counts, record);
      await out.jsonl.write(`${JSON.stringify(record)}\n`);
      await out.csv.write(csvRow(record));
      await eml.write(emlPart(record));
      parts++;
      progress.report(index, run.counts.messages, c, m.seq);
    }
    if (page.nextAfterSeq === null) break;
    if (page.messages.length === 0 || page.nextAfterSeq < after)
      throw cliError('SERVER_ERROR', `conversation ${c.id}: the server's paging makes no progress after seq ${after}`);
    after = page.nextAfterSeq;
  }
  if (parts === 0) await eml.write(emlEmptyPart(c.id));
  await eml.write(emlFooter(c.id));
  run.files.push(await eml.close());
  run.open.delete(eml);
  progress.report(index, run.counts.messages, c, after, true);
}

function manifestKey(k: MatchedExportKey): ManifestKey {
  return {
    fingerprint: k.fingerprint,
    keyId: k.listed.id,
    encryptionKey: k.encryptionKey,
    signingKey: toBase64Url(k.keys.signing.publicKey),
  };
}

/** Runs an export; resolves with its summary once `<out>` holds the complete, signed export. */
export async function runExport(options: ExportOptions, io: ExportIo): Promise<ExportSummary> {
  const dir = path.resolve(options.out);
  const partial = `${dir}.partial`;
  if (await pathExists(dir)) throw cliError('OUTPUT_EXISTS', `${dir} already exists: choose a new --out directory.`);
  if (await pathExists(partial))
    throw cliError('OUTPUT_EXISTS', `${partial} exists (left by an interrupted export?): remove it first.`);
  const token = await readToken(options, io.env);
  const api = new ComplianceApi(options.server, token, io.fetch, io.signal);
  const opened = await openExportKeys(options.keys, options.passphraseFiles, io);

  const notice = await api.notice();
  const keys = matchListedKeys(opened, notice.keys);
  const signer = keys.at(-1)!;
  const checkpoint = await api.checkpoint();
  const filter = {
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
    ...(options.users ? { users: options.users } : {}),
    ...(options.conversations ? { conversations: options.conversations } : {}),
  };
  const { conversations, people } = await api.conversations(filter);
  for (const k of keys)
    io.stderr.write(
      `Key ${k.fingerprint} (${k.file}) matches the organisation's ${k.listed.active ? 'active' : 'retired'} key.\n`,
    );
  io.stderr.write(
    `${conversations.length} conversation(s) to export; the manifest will be signed with key ${signer.fingerprint}.\n`,
  );

  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(partial, { mode: 0o700 });
  const writing = new Set<OutputFile>();
  try {
    await mkdir(path.join(partial, 'eml'), { mode: 0o700 });
    await mkdir(path.join(partial, 'attachments'), { mode: 0o700 });
    const run: Run = {
      api,
      bookKeys: keys.map((k) => ({ keyId: k.listed.id, pair: k.keys.encryption })),
      complianceKeys: keys.map((k) => k.keys.encryption.publicKey),
      options,
      io,
      dir: partial,
      people: new Map(people.map((p) => [p.id, p])),
      counts: emptyCounts(),
      files: [],
      exportedAt: (io.now?.() ?? new Date()).toISOString(),
      open: writing,
    };
    const jsonl = new OutputFile(partial, 'messages.jsonl');
    const csv = new OutputFile(partial, 'messages.csv');
    writing.add(jsonl).add(csv);
    await csv.write(csvHeader());
    const progress = new Progress(io.stderr, conversations.length);
    for (const [i, c] of conversations.entries()) {
      checkAbort(io);
      await exportConversation(run, c, { jsonl, csv }, progress, i + 1);
      run.counts.conversations++;
    }
    run.files.push(await jsonl.close(), await csv.close());
    writing.clear();
    const manifest: ExportManifest = {
      format: EXPORT_MANIFEST_FORMAT,
      tool: { ...EXPORT_TOOL },
      createdAt: run.exportedAt,
      server: options.server.origin,
      filters: {
        from: options.from ?? null,
        to: options.to ?? null,
        users: options.users ?? null,
        conversations: options.conversations ?? null,
      },
      complianceKey: manifestKey(signer),
      complianceKeys: keys.map(manifestKey),
      auditCheckpoint: checkpoint,
      counts: run.counts,
      files: run.files,
    };
    const bytes = manifestBytes(manifest);
    await writeFile(path.join(partial, MANIFEST_FILE), bytes, { mode: 0o600, flag: 'wx' });
    await writeFile(path.join(partial, SIGNATURE_FILE), signManifest(bytes, signer.keys.signing.secretKey), {
      mode: 0o600,
      flag: 'wx',
    });
    checkAbort(io);
    await rename(partial, dir);
    return {
      dir,
      fingerprint: signer.fingerprint,
      keyId: signer.listed.id,
      keys: keys.map((k) => ({ file: k.file, fingerprint: k.fingerprint, active: k.listed.active })),
      counts: run.counts,
      files: run.files.length,
      checkpointSize: checkpoint.checkpoint.size,
    };
  } catch (error) {
    await Promise.all([...writing].map((f) => f.abandon()));
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}
