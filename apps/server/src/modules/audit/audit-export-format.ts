import { createHash } from 'node:crypto';
import type { AuditCheckpointBody, AuditEntry, AuditExportQuery } from '@miyu/protocol';
import { canonicalJson } from '@miyu/crypto';
import { csvCell } from '../../common/csv/csv-cells.js';

/**
 * The audit export bundle (docs/audit-export.md), shared by the server that writes it and the offline verifier
 * (`npm run audit:verify`) that reads it. Nothing here touches Nest or the database.
 */

export const AUDIT_EXPORT_TYPE = 'miyu-audit-export';
export const AUDIT_EXPORT_VERSION = 1;
/** Response header with the number of entries the export will hold (sent before the body, for progress). */
export const AUDIT_EXPORT_COUNT_HEADER = 'x-audit-export-count';
/** Response header with the size of the checkpoint the export is proven against. */
export const AUDIT_EXPORT_SIZE_HEADER = 'x-audit-export-tree-size';

export type AuditExportFilter = Partial<Omit<AuditExportQuery, 'format'>>;

/**
 * The first line of a JSONL bundle, and `checkpoint.json` of a zip bundle: the signed checkpoint every entry is
 * proven against, and what was exported. Only `checkpoint` is signed; the rest is informative (see the docs).
 */
export interface AuditExportHeader {
  type: typeof AUDIT_EXPORT_TYPE;
  v: typeof AUDIT_EXPORT_VERSION;
  exportedAt: string;
  filter: AuditExportFilter;
  checkpoint: AuditCheckpointBody;
  /** base64url Ed25519 signature over AUDIT_CHECKPOINT_CONTEXT + canonicalJson(checkpoint). */
  signature: string;
  /** base64url raw Ed25519 public key of the server's audit key. */
  publicKey: string;
  /** Entries in the bundle. */
  count: number;
}

/** One entry: its exact canonical text (what was hashed), its leaf hash and its inclusion proof (hex, leaf up). */
export interface AuditExportEntryLine {
  type: 'entry';
  seq: number;
  canonical: string;
  leafHash: string;
  proof: string[];
}

export interface AuditExportEndLine {
  type: 'end';
  count: number;
}

/**
 * An entry line as `JSON.stringify` of an AuditExportEntryLine writes it (same keys, same order), built without
 * the intermediate object: the hashes are hex and need no escaping.
 */
export function jsonlEntryLine(seq: number, canonical: string, leafHash: string, proof: readonly string[]): string {
  const path = proof.length === 0 ? '[]' : `["${proof.join('","')}"]`;
  return `{"type":"entry","seq":${seq},"canonical":${JSON.stringify(canonical)},"leafHash":"${leafHash}","proof":${path}}\n`;
}

/** The export's filter as recorded in the bundle: the query without its format, unset fields left out. */
export function exportFilter(query: AuditExportQuery): AuditExportFilter {
  const filter: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) if (key !== 'format' && value !== undefined) filter[key] = value;
  return filter as AuditExportFilter;
}

/** True when the filter selects every entry: the bundle then has to be contiguous up to the checkpoint. */
export function isUnfiltered(filter: AuditExportFilter): boolean {
  return Object.keys(filter).length === 0;
}

/** Hex SHA-256 of the raw public key (as SigningKeys.fingerprint): what people compare and pin. */
export function keyFingerprint(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex');
}

// ------------------------------------------------------------------------------------------------- CSV

/** Columns of entries.csv: readable ones first, then what the verifier needs. */
export const AUDIT_CSV_COLUMNS = [
  'seq',
  'time',
  'actor_name',
  'actor_id',
  'device_id',
  'ip',
  'user_agent',
  'action',
  'entity_type',
  'entity_id',
  'entity_name',
  'result',
  'reason',
  'context',
  'canonical',
  'leaf_hash',
  'proof',
] as const;
export type AuditCsvColumn = (typeof AUDIT_CSV_COLUMNS)[number];

/** The readable cells of an entry (before quoting and the formula guard), in AUDIT_CSV_COLUMNS order. */
export function readableCells(entry: AuditEntry): string[] {
  return [
    String(entry.seq),
    entry.time,
    entry.actor.name ?? '',
    entry.actor.userId ?? '',
    entry.actor.deviceId ?? '',
    entry.actor.ip ?? '',
    entry.actor.userAgent ?? '',
    entry.action,
    entry.entity.type,
    entry.entity.id ?? '',
    entry.entity.name ?? '',
    entry.result.ok ? 'success' : 'failure',
    entry.result.reason ?? '',
    entry.context === null ? '' : canonicalJson(entry.context),
  ];
}

export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** entries.csv's first line: a UTF-8 BOM (so that Excel reads it as UTF-8) and the column names. */
export function csvHeaderLine(): string {
  return `\uFEFF${csvLine(AUDIT_CSV_COLUMNS)}`;
}

/** A row of entries.csv: the readable cells (`readableCells`), then the verification columns. */
export function csvEntryLine(
  readable: readonly string[],
  canonical: string,
  leafHash: string,
  proof: readonly string[],
): string {
  return csvLine([...readable, canonical, leafHash, proof.join(' ')]);
}

export const AUDIT_EXPORT_README = `Miyu audit log export
=====================

entries.csv      one row per audit entry, oldest first (UTF-8 with BOM, RFC 4180). The readable columns
                 (seq ... context) are taken from the "canonical" column, which holds the exact text of the
                 entry that was hashed; "leaf_hash" is SHA-256(0x00 || canonical) and "proof" the RFC 9162
                 inclusion proof (hex, space-separated) of the entry in the signed checkpoint.
checkpoint.json  the signed checkpoint (tree size, root, time), its Ed25519 signature, the server's audit public
                 key, the filter of this export and the number of entries.

To verify (no server or database needed), from a Miyu installation:

    npm run audit:verify -- <this zip file> [--key <expected key fingerprint or public key>]

It checks the checkpoint's signature, that every entry hashes to its leaf and is included in the signed tree,
that the readable columns match the hashed text, and, for an unfiltered export, that no entry is missing (the
hash chain and the count). Compare the printed key fingerprint with the one your administrator published
(Audit > Checkpoint in the console). Cells starting with = + - @ carry a leading ' (spreadsheet formula guard).
See docs/audit-export.md.
`;
