import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/app-config.js';
import { SECRET_KEY_FILE, SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  let dir: string;
  const boxIn = (dataDir: string) => new SecretBox(loadConfig({ DATA_DIR: dataDir }));
  const secret = Buffer.from('bind-password-canary', 'utf8');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'miyu-secret-box-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('seals and opens, never in the clear, with a fresh nonce each time', async () => {
    const box = boxIn(dir);
    const a = await box.seal(secret, 'ldap_config:bind_password');
    const b = await box.seal(secret, 'ldap_config:bind_password');
    expect(a.toString('latin1')).not.toContain('canary');
    expect(a.equals(b)).toBe(false);
    expect(a.length).toBe(1 + 12 + 16 + secret.length);
    expect((await box.open(a, 'ldap_config:bind_password')).equals(secret)).toBe(true);
  });

  it('creates a 32-byte key file readable by its owner only, which another replica shares', async () => {
    const sealed = await boxIn(dir).seal(secret, 'oidc_settings:client_secret');
    expect((await stat(join(dir, SECRET_KEY_FILE))).mode & 0o077).toBe(0);
    expect(Buffer.from((await readFile(join(dir, SECRET_KEY_FILE), 'utf8')).trim(), 'base64')).toHaveLength(32);
    expect((await boxIn(dir).open(sealed, 'oidc_settings:client_secret')).equals(secret)).toBe(true);
  });

  it('refuses a box moved to another record, altered, of an unknown version, or sealed under another key', async () => {
    const box = boxIn(dir);
    const sealed = await box.seal(secret, 'ldap_config:bind_password');
    await expect(box.open(sealed, 'oidc_settings:client_secret')).rejects.toThrow('does not open');
    const altered = Buffer.from(sealed);
    altered[altered.length - 1]! ^= 1;
    await expect(box.open(altered, 'ldap_config:bind_password')).rejects.toThrow('does not open');
    const version = Buffer.from(sealed);
    version[0] = 2;
    await expect(box.open(version, 'ldap_config:bind_password')).rejects.toThrow('bad format');
    await expect(box.open(sealed.subarray(0, 20), 'ldap_config:bind_password')).rejects.toThrow('bad format');
    const other = await mkdtemp(join(tmpdir(), 'miyu-secret-box-'));
    try {
      await expect(boxIn(other).open(sealed, 'ldap_config:bind_password')).rejects.toThrow('does not open');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('refuses a key file that does not hold a 32-byte key, and retries once it is fixed', async () => {
    await writeFile(join(dir, SECRET_KEY_FILE), Buffer.alloc(16).toString('base64'));
    const box = boxIn(dir);
    await expect(box.seal(secret, 'x')).rejects.toThrow('32-byte key');
    await writeFile(join(dir, SECRET_KEY_FILE), Buffer.alloc(32, 7).toString('base64'));
    expect((await box.open(await box.seal(secret, 'x'), 'x')).equals(secret)).toBe(true);
  });
});
