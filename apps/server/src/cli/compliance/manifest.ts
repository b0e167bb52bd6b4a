import { z } from 'zod';
import { ed25519Sign, ed25519Verify } from '@miyu/crypto';
import { signedAuditCheckpointSchema } from '@miyu/protocol';
import type { ManifestFile } from './output-file.js';

/**
 * manifest.json lists every file of an export with its SHA-256, the filters, the counts, the compliance keys used
 * and the server's audit checkpoint at the time. manifest.sig is the Ed25519 signature, by the signing key of the
 * compliance key given last (the newest), over the exact bytes of manifest.json, as one line of standard base64 (so
 * that `openssl pkeyutl -verify -rawin` can check it too: docs/compliance-export.md).
 */

export const EXPORT_MANIFEST_FORMAT = 'miyu-compliance-export-v1';
export const EXPORT_TOOL = { name: 'miyu-compliance-export', version: '1.0.0' } as const;
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';

const fileSchema = z.strictObject({
  path: z.string().min(1).max(1000),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const countsSchema = z.strictObject({
  conversations: z.number().int(),
  messages: z.number().int(),
  opened: z.number().int(),
  unreadable: z.number().int(),
  events: z.number().int(),
  recalled: z.number().int(),
  edits: z.number().int(),
  attachmentsSaved: z.number().int(),
  attachmentsFailed: z.number().int(),
});
export type ExportCounts = z.infer<typeof countsSchema>;

const manifestKeySchema = z.strictObject({
  fingerprint: z.string(),
  keyId: z.string().nullable(),
  encryptionKey: z.string(),
  signingKey: z.string(),
});
export type ManifestKey = z.infer<typeof manifestKeySchema>;

export const exportManifestSchema = z.strictObject({
  format: z.literal(EXPORT_MANIFEST_FORMAT),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  createdAt: z.string(),
  server: z.string(),
  filters: z.strictObject({
    from: z.string().nullable(),
    to: z.string().nullable(),
    users: z.array(z.string()).nullable(),
    conversations: z.array(z.string()).nullable(),
  }),
  /** The key that signed manifest.sig: the last of `complianceKeys`. */
  complianceKey: manifestKeySchema,
  /** Every key the export was made with, in --key order (the last one signed). */
  complianceKeys: z.array(manifestKeySchema).min(1),
  auditCheckpoint: signedAuditCheckpointSchema,
  counts: countsSchema,
  files: z.array(fileSchema),
});
export type ExportManifest = z.infer<typeof exportManifestSchema>;

export function emptyCounts(): ExportCounts {
  return {
    conversations: 0,
    messages: 0,
    opened: 0,
    unreadable: 0,
    events: 0,
    recalled: 0,
    edits: 0,
    attachmentsSaved: 0,
    attachmentsFailed: 0,
  };
}

/** The bytes written to manifest.json (and signed): 2-space JSON, files sorted by path, a final newline. */
export function manifestBytes(manifest: ExportManifest): Buffer {
  const files: ManifestFile[] = [...manifest.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return Buffer.from(`${JSON.stringify({ ...manifest, files }, null, 2)}\n`, 'utf8');
}

/** manifest.sig's content: the 64-byte Ed25519 signature in standard base64, and a newline. */
export function signManifest(bytes: Uint8Array, signingSecretKey: Uint8Array): string {
  return `${Buffer.from(ed25519Sign(signingSecretKey, bytes)).toString('base64')}\n`;
}

export function verifyManifestSignature(bytes: Uint8Array, signatureFile: string, signingKey: Uint8Array): boolean {
  const text = signatureFile.trim();
  if (!/^[A-Za-z0-9+/]{86}==$/.test(text)) return false;
  return ed25519Verify(signingKey, bytes, new Uint8Array(Buffer.from(text, 'base64')));
}
