import { EventEmitter } from 'node:events';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ready } from '@miyu/crypto';
import type { CompliancePublicKeyFile } from '@miyu/protocol';
import { matchListedKeys, openExportKeys } from './export-keys.js';
import { createComplianceKey } from './keygen.js';
import { MIN_ARGON2ID_LIMITS, readPublicKeyFile } from './key-file.js';
import { PASSPHRASE_ENV, type TerminalInput } from './passphrase.js';

const OLD_PASS = 'the old key passphrase';
const NEW_PASS = 'the new key passphrase';

/** A terminal the test types into: one line per prompt, delivered once the prompt listens. */
class FakeTerminal extends EventEmitter implements TerminalInput {
  isTTY = true;
  constructor(private readonly lines: string[]) {
    super();
  }
  setRawMode() {}
  resume() {
    const next = this.lines.shift();
    if (next !== undefined) setImmediate(() => this.emit('data', Buffer.from(`${next}\r`)));
  }
  pause() {}
}

const noTerminal = {
  isTTY: false,
  on: () => undefined,
  off: () => undefined,
  resume: () => undefined,
  pause: () => undefined,
};

describe('opening the key files of an export', () => {
  let dir: string;
  let oldKey: string;
  let newKey: string;
  let oldPublic: CompliancePublicKeyFile;
  let newPublic: CompliancePublicKeyFile;

  beforeAll(async () => {
    await ready();
    dir = await mkdtemp(path.join(tmpdir(), 'miyu-export-keys-'));
    await createComplianceKey(path.join(dir, 'old'), OLD_PASS, { limits: MIN_ARGON2ID_LIMITS });
    await createComplianceKey(path.join(dir, 'new'), NEW_PASS, { limits: MIN_ARGON2ID_LIMITS });
    oldKey = path.join(dir, 'old', 'compliance-key.private.json');
    newKey = path.join(dir, 'new', 'compliance-key.private.json');
    oldPublic = await readPublicKeyFile(path.join(dir, 'old', 'compliance-key.public.json'));
    newPublic = await readPublicKeyFile(path.join(dir, 'new', 'compliance-key.public.json'));
    await writeFile(path.join(dir, 'old-pass'), `${OLD_PASS}\n`);
    await writeFile(path.join(dir, 'new-pass'), NEW_PASS);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens each key with its own --passphrase-file, in --key order', async () => {
    const stderr: string[] = [];
    const keys = await openExportKeys([oldKey, newKey], [path.join(dir, 'old-pass'), path.join(dir, 'new-pass')], {
      env: { [PASSPHRASE_ENV]: 'ignored when files are given' },
      stdin: noTerminal,
      stderr: { write: (t: string) => stderr.push(t) },
    });
    expect(keys.map((k) => [k.file, k.fingerprint, k.encryptionKey])).toEqual([
      [oldKey, oldPublic.fingerprint, oldPublic.encryptionKey],
      [newKey, newPublic.fingerprint, newPublic.encryptionKey],
    ]);
    expect(stderr.join('')).toBe(
      `Opening the compliance key ${oldPublic.fingerprint} in ${oldKey} (Argon2id)…\n` +
        `Opening the compliance key ${newPublic.fingerprint} in ${newKey} (Argon2id)…\n`,
    );
  });

  it('asks on a terminal once per key file, naming the file', async () => {
    const stderr: string[] = [];
    const keys = await openExportKeys([oldKey, newKey], [], {
      env: {},
      stdin: new FakeTerminal([OLD_PASS, NEW_PASS]),
      stderr: { write: (t: string) => stderr.push(t) },
    });
    expect(keys).toHaveLength(2);
    const prompts = stderr.filter((t) => t.startsWith('Passphrase'));
    expect(prompts).toEqual([`Passphrase for ${oldKey}: `, `Passphrase for ${newKey}: `]);
  });

  it('fails naming the key file: wrong or missing passphrase, invalid file, the same key twice', async () => {
    const io = { env: {}, stdin: noTerminal, stderr: { write: () => undefined } };
    await expect(openExportKeys([oldKey, newKey], [path.join(dir, 'old-pass')], io)).rejects.toMatchObject({
      code: 'WRONG_PASSPHRASE',
      message: expect.stringContaining(`${newKey}: Wrong passphrase`),
    });
    await expect(openExportKeys([oldKey], [], io)).rejects.toMatchObject({
      code: 'PASSPHRASE_MISSING',
      message: expect.stringContaining(oldKey),
    });
    await expect(openExportKeys([oldKey], [], { ...io, env: { [PASSPHRASE_ENV]: 'short' } })).rejects.toMatchObject({
      code: 'PASSPHRASE_TOO_SHORT',
      message: expect.stringContaining(oldKey),
    });

    const notAKey = path.join(dir, 'not-a-key.json');
    await writeFile(notAKey, '{"format":"something else"}');
    await expect(openExportKeys([oldKey, notAKey], [], io)).rejects.toMatchObject({
      code: 'KEY_FILE_INVALID',
      message: expect.stringContaining(`${notAKey}: Not a compliance private key file`),
    });
    await expect(openExportKeys([path.join(dir, 'missing.json')], [], io)).rejects.toMatchObject({
      code: 'FILE_UNREADABLE',
    });

    // A copy of the same key under another name: refused before any passphrase is asked.
    const copy = path.join(dir, 'copy.private.json');
    await copyFile(oldKey, copy);
    await expect(openExportKeys([oldKey, newKey, copy], [], io)).rejects.toMatchObject({
      code: 'USAGE',
      message: `--key ${oldKey} and --key ${copy} hold the same compliance key ${oldPublic.fingerprint}: give it once.`,
    });
    await expect(openExportKeys([oldKey, newKey], ['a', 'b', 'c'], io)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(openExportKeys([], [], io)).rejects.toMatchObject({ code: 'USAGE' });
  });

  it("pairs every key with the organisation's listing, and names the first file that is not listed", async () => {
    const keys = await openExportKeys([oldKey, newKey], [], {
      env: { [PASSPHRASE_ENV]: OLD_PASS },
      stdin: noTerminal,
      stderr: { write: () => undefined },
    }).catch((error: unknown) => error);
    // One passphrase for both keys: the new key is sealed under another one.
    expect(keys).toMatchObject({ code: 'WRONG_PASSPHRASE' });

    const opened = await openExportKeys([oldKey, newKey], [path.join(dir, 'old-pass'), path.join(dir, 'new-pass')], {
      env: {},
      stdin: noTerminal,
      stderr: { write: () => undefined },
    });
    const listing = (pub: CompliancePublicKeyFile, id: string, active: boolean) => ({
      id,
      fingerprint: pub.fingerprint,
      encryptionKey: pub.encryptionKey,
      active,
    });
    const both = [listing(oldPublic, 'k-old', false), listing(newPublic, 'k-new', true)];
    expect(matchListedKeys(opened, both).map((k) => k.listed.id)).toEqual(['k-old', 'k-new']);
    expect(() => matchListedKeys(opened, [both[1]!])).toThrow(
      expect.objectContaining({
        code: 'KEY_NOT_LISTED',
        message: expect.stringContaining(
          `The key ${oldPublic.fingerprint} in ${oldKey} is not one of the organisation's compliance keys ` +
            `(listed: ${newPublic.fingerprint} (active))`,
        ),
      }),
    );
    // Same fingerprint but another encryption key is not the listed key.
    expect(() => matchListedKeys(opened, [{ ...both[0]!, encryptionKey: newPublic.encryptionKey }, both[1]!])).toThrow(
      expect.objectContaining({ code: 'KEY_NOT_LISTED' }),
    );
  });
});
