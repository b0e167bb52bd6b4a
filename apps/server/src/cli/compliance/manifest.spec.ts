import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ready } from '@miyu/crypto';
import type { CompliancePublicKeyFile } from '@miyu/protocol';
import { type ComplianceKeys, generateComplianceKeys, publicKeyFile } from './key-file.js';
import {
  emptyCounts,
  EXPORT_MANIFEST_FORMAT,
  EXPORT_TOOL,
  type ExportManifest,
  manifestBytes,
  signManifest,
  verifyManifestSignature,
} from './manifest.js';
import { OutputFile } from './output-file.js';
import { isSafeExportPath, verifyExport } from './verify-export.js';

const CHECKPOINT = {
  checkpoint: { v: 1 as const, size: 42, root: 'ab'.repeat(32), time: '2026-03-02T00:00:00.000Z' },
  signature: 'sig',
  publicKey: 'key',
};

describe('export manifest and its verification', () => {
  let keys: ComplianceKeys;
  let pub: CompliancePublicKeyFile;
  let dir: string;

  beforeAll(async () => {
    await ready();
    keys = await generateComplianceKeys();
    pub = publicKeyFile(keys, '2026-03-01T00:00:00.000Z');
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'miyu-manifest-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const manifestKey = (k: CompliancePublicKeyFile, keyId: string | null = null) => ({
    fingerprint: k.fingerprint,
    keyId,
    encryptionKey: k.encryptionKey,
    signingKey: k.signingKey,
  });

  /** Writes two files through OutputFile, then the manifest, signed with `signer` (the last of `used`). */
  async function writeExport(
    used: CompliancePublicKeyFile[] = [pub],
    signer: ComplianceKeys = keys,
    signerInManifest: CompliancePublicKeyFile = used.at(-1)!,
  ): Promise<ExportManifest> {
    await mkdir(path.join(dir, 'eml'));
    const a = new OutputFile(dir, 'messages.jsonl');
    await a.write('{"seq":1}\n');
    await a.write(new Uint8Array([0xe4, 0xbd, 0xa0, 0x0a]));
    const b = new OutputFile(dir, 'eml/c.eml');
    await b.write('x'.repeat(100_000));
    const manifest: ExportManifest = {
      format: EXPORT_MANIFEST_FORMAT,
      tool: { ...EXPORT_TOOL },
      createdAt: '2026-03-02T00:00:00.000Z',
      server: 'https://miyu.example.com',
      filters: { from: null, to: null, users: null, conversations: null },
      complianceKey: manifestKey(signerInManifest),
      complianceKeys: used.map((k) => manifestKey(k)),
      auditCheckpoint: CHECKPOINT,
      counts: { ...emptyCounts(), messages: 1 },
      files: [await b.close(), await a.close()],
    };
    const bytes = manifestBytes(manifest);
    await writeFile(path.join(dir, 'manifest.json'), bytes);
    await writeFile(path.join(dir, 'manifest.sig'), signManifest(bytes, signer.signing.secretKey));
    return manifest;
  }

  it('hashes files as they are written and lists them sorted by path', async () => {
    const m = await writeExport();
    const listed = JSON.parse(manifestBytes(m).toString('utf8')) as ExportManifest;
    expect(listed.files.map((f) => f.path)).toEqual(['eml/c.eml', 'messages.jsonl']);
    expect(listed.files[1]).toEqual({
      path: 'messages.jsonl',
      bytes: 14,
      // python3: hashlib.sha256('{"seq":1}\n你\n'.encode()).hexdigest()
      sha256: 'b713c92a0ca165346d12b7303f9e05892928909ab2d34d2b3082d6c41d5ebd13',
    });
  });

  it('signs the exact manifest bytes with the compliance signing key', () => {
    const bytes = Buffer.from('{"a":1}\n');
    const sig = signManifest(bytes, keys.signing.secretKey);
    expect(sig).toMatch(/^[A-Za-z0-9+/]{86}==\n$/);
    expect(verifyManifestSignature(bytes, sig, keys.signing.publicKey)).toBe(true);
    expect(verifyManifestSignature(Buffer.from('{"a":2}\n'), sig, keys.signing.publicKey)).toBe(false);
    expect(verifyManifestSignature(bytes, 'garbage', keys.signing.publicKey)).toBe(false);
  });

  it('verifies an intact export', async () => {
    await writeExport();
    await expect(verifyExport(dir, pub)).resolves.toMatchObject({
      fingerprint: pub.fingerprint,
      files: 2,
      bytes: 100_014,
      checkpoint: { size: 42 },
    });
  });

  it('fails on a changed, missing or extra file, an edited manifest and another key', async () => {
    await writeExport();
    await writeFile(path.join(dir, 'eml/c.eml'), 'y'.repeat(100_000));
    await expect(verifyExport(dir, pub)).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: 'eml/c.eml does not match its SHA-256 in the manifest',
    });

    await rm(dir, { recursive: true });
    await mkdir(dir);
    await writeExport();
    await writeFile(path.join(dir, 'eml/extra.eml'), 'added');
    await expect(verifyExport(dir, pub)).rejects.toMatchObject({
      message: 'eml/extra.eml is not listed in the manifest',
    });
    await rm(path.join(dir, 'eml/extra.eml'));
    await rm(path.join(dir, 'messages.jsonl'));
    await expect(verifyExport(dir, pub)).rejects.toMatchObject({ message: 'messages.jsonl is missing' });

    await rm(dir, { recursive: true });
    await mkdir(dir);
    const m = await writeExport();
    await writeFile(path.join(dir, 'manifest.json'), manifestBytes({ ...m, counts: { ...m.counts, messages: 2 } }));
    await expect(verifyExport(dir, pub)).rejects.toMatchObject({ message: /manifest\.sig is not a valid signature/ });

    await rm(dir, { recursive: true });
    await mkdir(dir);
    await writeExport();
    const other = publicKeyFile(await generateComplianceKeys(), '2026-03-01T00:00:00.000Z');
    await expect(verifyExport(dir, other)).rejects.toMatchObject({ code: 'VERIFY_FAILED' });
  });

  it('verifies an export made with several keys against the last one, which signed it', async () => {
    const older = publicKeyFile(await generateComplianceKeys(), '2025-03-01T00:00:00.000Z');
    await writeExport([older, pub]);
    await expect(verifyExport(dir, pub)).resolves.toMatchObject({
      fingerprint: pub.fingerprint,
      keys: [older.fingerprint, pub.fingerprint],
    });
    await expect(verifyExport(dir, older)).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: `manifest.sig is not a valid signature of manifest.json by key ${older.fingerprint}`,
    });
  });

  it('fails when the signing key is not the last key listed, or a key is listed twice', async () => {
    const older = publicKeyFile(await generateComplianceKeys(), '2025-03-01T00:00:00.000Z');
    await writeExport([pub, older], keys, pub);
    await expect(verifyExport(dir, pub)).rejects.toMatchObject({
      message: `the manifest's signing key ${pub.fingerprint} is not the last of its compliance keys`,
    });
    await rm(dir, { recursive: true });
    await mkdir(dir);
    await writeExport([pub, pub]);
    await expect(verifyExport(dir, pub)).rejects.toMatchObject({
      message: 'the manifest lists a compliance key twice',
    });
    await rm(dir, { recursive: true });
    await mkdir(dir);
    await writeExport([pub], keys, older);
    await expect(verifyExport(dir, pub)).rejects.toMatchObject({
      message: `the manifest names key ${older.fingerprint} as its signer, not ${pub.fingerprint}`,
    });
  });

  it('refuses manifest paths that leave the export', () => {
    expect(isSafeExportPath('attachments/c/1-1-a.pdf')).toBe(true);
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a//b', './a', 'a\\b', 'manifest.json', 'manifest.sig', ''])
      expect(isSafeExportPath(bad)).toBe(false);
  });
});
