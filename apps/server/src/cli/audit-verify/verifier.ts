import {
  AUDIT_CHECKPOINT_CONTEXT,
  type AuditCheckpointBody,
  auditCheckpointSchema,
  type AuditEntry,
  auditEntrySchema,
} from '@miyu/protocol';
import { canonicalJson, ed25519Verify, fromBase64Url, merkleLeafHash, verifyMerkleInclusion } from '@miyu/crypto';
import {
  AUDIT_CSV_COLUMNS,
  AUDIT_EXPORT_TYPE,
  AUDIT_EXPORT_VERSION,
  type AuditExportFilter,
  isUnfiltered,
  keyFingerprint,
  readableCells,
} from '../../modules/audit/audit-export-format.js';
import { guardCsvCell } from '../../common/csv/csv-cells.js';

/** Why a bundle does not verify, and where: `entry <seq>`, `checkpoint`, `line <n>`, `entries.csv`, … */
export class VerifyFailure extends Error {
  /** The bundle's key fingerprint, when the header was read that far. */
  fingerprint: string | undefined;

  constructor(
    readonly where: string,
    readonly why: string,
  ) {
    super(`${where}: ${why}`);
  }
}

export interface VerifyOptions {
  /** The expected audit key: its hex SHA-256 fingerprint, or the base64url (or hex) raw public key. */
  key?: string;
}

export interface VerifyReport {
  format: 'jsonl' | 'csv';
  count: number;
  size: number;
  root: string;
  signedAt: string;
  exportedAt: string;
  fingerprint: string;
  filter: AuditExportFilter;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Unfiltered, from seq 1 to the checkpoint's size: the hash chain proves nothing is missing. */
  complete: boolean;
}

/** What one bundle line or row gives: the verification fields, and for CSV the readable cells as written. */
export interface EntryInput {
  seq: unknown;
  canonical: unknown;
  leafHash: unknown;
  proof: unknown;
  /** entries.csv only: the readable columns (seq … context) as parsed, to compare with the canonical text. */
  readable?: string[];
}

const HEX64 = /^[0-9a-f]{64}$/;
/** Built once: a zod schema is compiled on first use. */
const strictEntrySchema = auditEntrySchema.strict();
const strictCheckpointSchema = auditCheckpointSchema.strict();
const ZERO_PREV = '0'.repeat(64);

/**
 * The checks of an export bundle (docs/audit-export.md), fed one entry at a time so that a file of any size
 * verifies in constant memory: `header` once, `entry` for each in file order, then `finish`. Every check throws a
 * VerifyFailure naming the first entry (or the checkpoint) that is wrong.
 */
export class ExportVerifier {
  private checkpoint: AuditCheckpointBody | null = null;
  private root = new Uint8Array(0);
  /** Hex SHA-256 of the bundled public key, once the header is read. */
  fingerprint = '';
  private filter: AuditExportFilter = {};
  private unfiltered = false;
  private declaredCount = 0;
  private exportedAt = '';
  private seen = 0;
  private firstSeq: number | null = null;
  private lastSeq = 0;
  private lastLeaf = '';

  constructor(
    private readonly format: 'jsonl' | 'csv',
    private readonly options: VerifyOptions = {},
  ) {}

  /** The header line (JSONL) or checkpoint.json (zip): the signed checkpoint and what was exported. */
  header(raw: unknown): void {
    const h = raw as Record<string, unknown> | null;
    if (!h || typeof h !== 'object' || h.type !== AUDIT_EXPORT_TYPE)
      throw new VerifyFailure('header', 'not a Miyu audit export');
    if (h.v !== AUDIT_EXPORT_VERSION) throw new VerifyFailure('header', `unsupported version ${String(h.v)}`);
    const parsed = strictCheckpointSchema.safeParse(h.checkpoint);
    if (!parsed.success) throw new VerifyFailure('checkpoint', 'malformed checkpoint');
    const checkpoint = parsed.data;
    if (typeof h.publicKey !== 'string' || typeof h.signature !== 'string')
      throw new VerifyFailure('checkpoint', 'signature or public key missing');
    const publicKey = decodeKey(h.publicKey);
    if (!publicKey || publicKey.length !== 32)
      throw new VerifyFailure('checkpoint', 'the public key is not an Ed25519 key');
    this.fingerprint = keyFingerprint(publicKey);
    if (this.options.key !== undefined && !keyMatches(this.options.key, publicKey, this.fingerprint)) {
      throw new VerifyFailure(
        'checkpoint',
        `signed by key ${this.fingerprint}, not by the expected key ${this.options.key}`,
      );
    }
    const signature = decodeBase64Url(h.signature);
    const message = Buffer.from(AUDIT_CHECKPOINT_CONTEXT + canonicalJson(h.checkpoint), 'utf8');
    if (!signature || !ed25519Verify(publicKey, message, signature))
      throw new VerifyFailure('checkpoint', `the signature does not verify with key ${this.fingerprint}`);
    if (h.filter === null || typeof h.filter !== 'object' || Array.isArray(h.filter))
      throw new VerifyFailure('header', 'filter missing');
    if (!Number.isSafeInteger(h.count) || (h.count as number) < 0) throw new VerifyFailure('header', 'count missing');
    this.checkpoint = checkpoint;
    this.root = Buffer.from(checkpoint.root, 'hex');
    this.filter = h.filter as AuditExportFilter;
    this.unfiltered = isUnfiltered(this.filter);
    this.declaredCount = h.count as number;
    this.exportedAt = typeof h.exportedAt === 'string' ? h.exportedAt : '';
  }

  entry(input: EntryInput): void {
    const checkpoint = this.checkpoint;
    if (!checkpoint) throw new VerifyFailure('header', 'missing: the checkpoint must come first');
    const { seq } = input;
    if (!Number.isSafeInteger(seq) || (seq as number) < 1)
      throw new VerifyFailure(`entry after ${this.lastSeq || 'the header'}`, 'no valid seq');
    const n = seq as number;
    const at = `entry ${n}`;
    if (n <= this.lastSeq)
      throw new VerifyFailure(
        at,
        n === this.lastSeq ? 'appears twice' : `out of order: it follows entry ${this.lastSeq}`,
      );
    if (n > checkpoint.size)
      throw new VerifyFailure(at, `beyond the checkpoint, which covers ${checkpoint.size} entries`);
    if (this.unfiltered && this.lastSeq > 0 && n !== this.lastSeq + 1) {
      const missing = this.lastSeq + 1;
      throw new VerifyFailure(
        `entry ${missing}`,
        `missing or out of order: the export is unfiltered, but entry ${n} follows entry ${this.lastSeq}`,
      );
    }

    // The text is an audit entry, canonical, and its own seq.
    if (typeof input.canonical !== 'string') throw new VerifyFailure(at, 'canonical text missing');
    const canonical = input.canonical;
    let entry: AuditEntry;
    try {
      const value: unknown = JSON.parse(canonical);
      if (canonicalJson(value) !== canonical) throw new VerifyFailure(at, 'the entry text is not canonical JSON');
      const parsed = strictEntrySchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new VerifyFailure(at, `not an audit entry (${issue.path.join('.') || 'entry'}: ${issue.message})`);
      }
      entry = parsed.data;
    } catch (error) {
      if (error instanceof VerifyFailure) throw error;
      throw new VerifyFailure(at, 'the entry text is not canonical JSON');
    }
    if (entry.seq !== n) throw new VerifyFailure(at, `its text says seq ${entry.seq}`);

    // Leaf hash and inclusion in the signed tree.
    const leaf = merkleLeafHash(Buffer.from(canonical, 'utf8'));
    const leafHex = Buffer.from(leaf).toString('hex');
    if (typeof input.leafHash !== 'string' || !HEX64.test(input.leafHash))
      throw new VerifyFailure(at, 'leaf hash missing or malformed');
    if (input.leafHash !== leafHex)
      throw new VerifyFailure(at, 'the leaf hash does not match the entry text (SHA-256(0x00 || canonical))');
    const proof = input.proof;
    if (!Array.isArray(proof) || !proof.every((p): p is string => typeof p === 'string' && HEX64.test(p)))
      throw new VerifyFailure(at, 'inclusion proof missing or malformed');
    const path = proof.map((p) => Buffer.from(p, 'hex'));
    if (!verifyMerkleInclusion(leaf, n - 1, checkpoint.size, path, this.root))
      throw new VerifyFailure(
        at,
        `not included in the signed tree: the proof does not lead to root ${checkpoint.root}`,
      );

    // The hash chain, wherever the previous entry is in the bundle.
    if (n === 1 && entry.prev !== ZERO_PREV) throw new VerifyFailure(at, 'the first entry must have prev = 0…0');
    if (this.lastSeq === n - 1 && n > 1 && entry.prev !== this.lastLeaf)
      throw new VerifyFailure(at, `hash chain broken: prev is not the leaf hash of entry ${n - 1}`);

    // entries.csv: what people read is what was hashed.
    if (input.readable) {
      const expected = readableCells(entry);
      for (let i = 0; i < expected.length; i++) {
        if (input.readable[i] !== guardCsvCell(expected[i]!))
          throw new VerifyFailure(at, `column ${AUDIT_CSV_COLUMNS[i]} does not match the entry text`);
      }
    }

    this.seen += 1;
    this.firstSeq ??= n;
    this.lastSeq = n;
    this.lastLeaf = leafHex;
  }

  /** After the last entry; `endCount` is the JSONL end line's count (undefined for CSV, which has none). */
  finish(endCount?: number): VerifyReport {
    const checkpoint = this.checkpoint;
    if (!checkpoint) throw new VerifyFailure('header', 'missing');
    if (this.unfiltered && this.lastSeq < checkpoint.size)
      throw new VerifyFailure(
        `entry ${this.lastSeq + 1}`,
        `missing: the export is unfiltered, but it ends at entry ${this.lastSeq} and the checkpoint covers ${checkpoint.size}`,
      );
    if (endCount !== undefined && endCount !== this.seen)
      throw new VerifyFailure('end', `the end line counts ${endCount} entries, the file holds ${this.seen}`);
    if (this.declaredCount !== this.seen)
      throw new VerifyFailure(
        'header',
        `the header announces ${this.declaredCount} entries, the file holds ${this.seen}`,
      );
    const complete = this.unfiltered && (this.firstSeq === 1 || checkpoint.size === 0);
    if (complete && this.seen !== checkpoint.size)
      throw new VerifyFailure('checkpoint', `${this.seen} entries for a tree of ${checkpoint.size}`);
    return {
      format: this.format,
      count: this.seen,
      size: checkpoint.size,
      root: checkpoint.root,
      signedAt: checkpoint.time,
      exportedAt: this.exportedAt,
      fingerprint: this.fingerprint,
      filter: this.filter,
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq || null,
      complete,
    };
  }
}

function decodeBase64Url(text: string): Uint8Array | null {
  try {
    return fromBase64Url(text);
  } catch {
    return null;
  }
}

/** A public key given as base64url (43 characters) or hex (64). */
function decodeKey(text: string): Uint8Array | null {
  if (HEX64.test(text.toLowerCase()) && text.length === 64) return Buffer.from(text, 'hex');
  return decodeBase64Url(text);
}

/** `--key`: the fingerprint (hex SHA-256 of the key) or the key itself (base64url or hex). */
function keyMatches(expected: string, publicKey: Uint8Array, fingerprint: string): boolean {
  const e = expected.trim();
  if (HEX64.test(e.toLowerCase()) && e.toLowerCase() === fingerprint) return true;
  const key = decodeKey(e);
  return !!key && key.length === publicKey.length && Buffer.from(key).equals(Buffer.from(publicKey));
}
