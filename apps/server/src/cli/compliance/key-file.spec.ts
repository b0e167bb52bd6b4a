import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ready, toBase64Url } from '@miyu/crypto';
import { compliancePublicKeyFileSchema } from '@miyu/protocol';
import {
  type ComplianceKeys,
  generateComplianceKeys,
  MIN_ARGON2ID_LIMITS,
  openPrivateKeyFile,
  parsePrivateKeyFile,
  parsePublicKeyFile,
  PRIVATE_KEY_FILE_NAME,
  PUBLIC_KEY_FILE_NAME,
  publicKeyFile,
  readPublicKeyFile,
  sealPrivateKeyFile,
  writeKeyFiles,
} from './key-file.js';
import { complianceKeyFingerprint } from '../../common/security/compliance-fingerprint.js';

const PASS = 'correct horse battery staple';
const CREATED = '2026-03-01T08:00:00.000Z';

describe('compliance key files', () => {
  let keys: ComplianceKeys;
  let dir: string;

  beforeAll(async () => {
    await ready();
    keys = await generateComplianceKeys();
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'miyu-keyfile-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fingerprints SHA-256(encryptionKey || signingKey): first 16 bytes, 8 groups of 4 lowercase hex digits', () => {
    // Independently computed: python3 -c "hashlib.sha256(bytes([1]*32)+bytes([2]*32)).hexdigest()[:32]"
    expect(complianceKeyFingerprint(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2))).toBe(
      'f818 afd3 7a6d c3bc 92fb 4473 1011 2770',
    );
    expect(() => complianceKeyFingerprint(new Uint8Array(31), new Uint8Array(32))).toThrow(/32 bytes/);
  });

  it('writes a public file the protocol schema accepts, with the keys and their fingerprint', () => {
    const pub = publicKeyFile(keys, CREATED);
    expect(compliancePublicKeyFileSchema.parse(pub)).toEqual(pub);
    expect(pub).toMatchObject({
      encryptionKey: toBase64Url(keys.encryption.publicKey),
      signingKey: toBase64Url(keys.signing.publicKey),
      fingerprint: complianceKeyFingerprint(keys.encryption.publicKey, keys.signing.publicKey),
      createdAt: CREATED,
    });
  });

  it('reads back a public file, checking its fingerprint', async () => {
    const pub = publicKeyFile(keys, CREATED);
    await expect(parsePublicKeyFile(JSON.parse(JSON.stringify(pub)))).resolves.toEqual(pub);
  });

  it('round-trips both secret keys through the passphrase-sealed private file', async () => {
    const sealed = await sealPrivateKeyFile(keys, PASS, CREATED, MIN_ARGON2ID_LIMITS);
    expect(sealed.kdf).toMatchObject({ algorithm: 'argon2id13', opsLimit: 2, memLimit: 64 * 1024 * 1024 });
    expect(JSON.stringify(sealed)).not.toContain(toBase64Url(keys.encryption.secretKey));
    const opened = await openPrivateKeyFile(JSON.parse(JSON.stringify(sealed)), PASS);
    expect(opened.encryption.secretKey).toEqual(keys.encryption.secretKey);
    expect(opened.encryption.publicKey).toEqual(keys.encryption.publicKey);
    expect(opened.signing.secretKey).toEqual(keys.signing.secretKey);
  });

  it('refuses a wrong passphrase, and any altered field, with WRONG_PASSPHRASE', async () => {
    const sealed = await sealPrivateKeyFile(keys, PASS, CREATED, MIN_ARGON2ID_LIMITS);
    await expect(openPrivateKeyFile(sealed, 'correct horse battery stapler')).rejects.toMatchObject({
      code: 'WRONG_PASSPHRASE',
    });
    const other = publicKeyFile(await generateComplianceKeys(), CREATED);
    for (const altered of [
      { ...sealed, createdAt: '2027-01-01T00:00:00.000Z' },
      { ...sealed, kdf: { ...sealed.kdf, opsLimit: 3 } },
      { ...sealed, encryptionKey: other.encryptionKey, fingerprint: other.fingerprint },
    ]) {
      await expect(openPrivateKeyFile(altered, PASS)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    }
  });

  it('refuses short passphrases and Argon2id limits below INTERACTIVE when sealing', async () => {
    await expect(sealPrivateKeyFile(keys, 'eleven char', CREATED, MIN_ARGON2ID_LIMITS)).rejects.toMatchObject({
      code: 'PASSPHRASE_TOO_SHORT',
    });
    // Counted in characters, not bytes: six CJK characters (18 bytes) are not enough.
    await expect(sealPrivateKeyFile(keys, '合规密钥口令', CREATED, MIN_ARGON2ID_LIMITS)).rejects.toMatchObject({
      code: 'PASSPHRASE_TOO_SHORT',
    });
    await expect(sealPrivateKeyFile(keys, PASS, CREATED, { opsLimit: 1, memLimit: 64 << 20 })).rejects.toMatchObject({
      code: 'USAGE',
    });
  });

  it('rejects files that are not private key files, and weak or absurd recorded limits', async () => {
    const sealed = await sealPrivateKeyFile(keys, PASS, CREATED, MIN_ARGON2ID_LIMITS);
    for (const bad of [
      null,
      [],
      { ...sealed, format: 'miyu-compliance-public-key-v1' },
      { ...sealed, extra: 1 },
      { ...sealed, kdf: { ...sealed.kdf, memLimit: 8 * 1024 * 1024 } },
      { ...sealed, kdf: { ...sealed.kdf, memLimit: 4 * 1024 * 1024 * 1024 } },
      { ...sealed, cipher: { ...sealed.cipher, nonce: 'short' } },
      { ...sealed, fingerprint: 'F818 AFD3 7A6D C3BC 92FB 4473 1011 2770' },
    ]) {
      expect(() => parsePrivateKeyFile(bad)).toThrow(expect.objectContaining({ code: 'KEY_FILE_INVALID' }));
    }
  });

  it('rejects a public file whose fingerprint does not match its keys, or whose key is unusable', async () => {
    const pub = publicKeyFile(keys, CREATED);
    const other = publicKeyFile(keys, CREATED);
    other.fingerprint = 'f818 afd3 7a6d c3bc 92fb 4473 1011 2770';
    await expect(parsePublicKeyFile(other)).rejects.toMatchObject({ code: 'KEY_FILE_INVALID' });
    const zero = new Uint8Array(32);
    const lowOrder = {
      ...pub,
      encryptionKey: toBase64Url(zero),
      fingerprint: complianceKeyFingerprint(zero, keys.signing.publicKey),
    };
    await expect(parsePublicKeyFile(lowOrder)).rejects.toMatchObject({
      code: 'KEY_FILE_INVALID',
      message: expect.stringContaining('unusable encryption key'),
    });
    await expect(parsePublicKeyFile({ ...pub, format: 'x' })).rejects.toMatchObject({ code: 'KEY_FILE_INVALID' });
  });

  it('writes the private file with mode 0600 and refuses to overwrite either file', async () => {
    const out = path.join(dir, 'keys');
    const sealed = await sealPrivateKeyFile(keys, PASS, CREATED, MIN_ARGON2ID_LIMITS);
    const written = await writeKeyFiles(out, sealed, publicKeyFile(keys, CREATED));
    expect(written.privatePath).toBe(path.join(out, PRIVATE_KEY_FILE_NAME));
    expect((await stat(written.privatePath)).mode & 0o777).toBe(0o600);
    expect((await readPublicKeyFile(written.publicPath)).fingerprint).toBe(written.fingerprint);
    await expect(writeKeyFiles(out, sealed, publicKeyFile(keys, CREATED))).rejects.toMatchObject({
      code: 'KEY_FILE_EXISTS',
    });
    // Only the public file there: still refused, and nothing is written.
    const other = path.join(dir, 'other');
    await writeKeyFiles(other, sealed, publicKeyFile(keys, CREATED));
    await rm(path.join(other, PRIVATE_KEY_FILE_NAME));
    await writeFile(path.join(other, PUBLIC_KEY_FILE_NAME), 'keep me');
    await expect(writeKeyFiles(other, sealed, publicKeyFile(keys, CREATED))).rejects.toMatchObject({
      code: 'KEY_FILE_EXISTS',
    });
    expect(await readFile(path.join(other, PUBLIC_KEY_FILE_NAME), 'utf8')).toBe('keep me');
    await expect(stat(path.join(other, PRIVATE_KEY_FILE_NAME))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports unreadable and non-JSON public files', async () => {
    await expect(readPublicKeyFile(path.join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
    await writeFile(path.join(dir, 'bad.json'), 'not json');
    await expect(readPublicKeyFile(path.join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'KEY_FILE_INVALID' });
  });
});
