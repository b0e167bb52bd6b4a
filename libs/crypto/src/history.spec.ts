import { decryptSessionBackup, encryptSessionBackup, generateHistoryKey } from './history.js';
import { DevicePairing } from './pairing.js';
import {
  recoveryKeyFromWords,
  recoveryKeyToWords,
  generateRecoveryKey,
  unwrapHistoryKey,
  wrapHistoryKey,
} from './recovery.js';
import { createOutboundSenderKey, exportOutboundSenderKey } from './sender-keys.js';
import { ready } from './sodium.js';
import { RECOVERY_WORDS } from './wordlist.js';
import { expectCryptoError } from '../test/helpers.js';

beforeAll(async () => {
  await ready();
});

// Tiny Argon2id limits keep the suite fast; production defaults are documented in docs/protocol.md.
const FAST_ARGON = { opsLimit: 1, memLimit: 8 * 1024 };

describe('history backup', () => {
  it('round-trips a session and binds it to its id and key', () => {
    const hk = generateHistoryKey();
    const session = exportOutboundSenderKey(
      createOutboundSenderKey({ conversationId: 'c', senderUserId: 'u', senderDeviceId: 'd', epoch: 3 }),
    );
    const item = encryptSessionBackup(hk, session);
    expect(decryptSessionBackup(hk, item.blob, session.sessionId)).toEqual(session);
    expectCryptoError(() => decryptSessionBackup(generateHistoryKey(), item.blob), 'INVALID_KEY');
    expectCryptoError(() => decryptSessionBackup(hk, item.blob, new Uint8Array(16)), 'SESSION_MISMATCH');
    for (let i = 0; i < item.blob.length; i += 1) {
      const flipped = item.blob.slice();
      flipped[i]! ^= 0x10;
      expectCryptoError(() => decryptSessionBackup(hk, flipped));
    }
    expectCryptoError(() => decryptSessionBackup(hk, item.blob.slice(0, -1)), 'DECRYPT_FAILED');
    expectCryptoError(() => decryptSessionBackup(hk, item.blob.slice(0, 10)), 'MALFORMED');
  });
});

describe('recovery key', () => {
  it('has 256 distinct words with distinct 4-letter prefixes', () => {
    expect(new Set(RECOVERY_WORDS).size).toBe(256);
    expect(new Set(RECOVERY_WORDS.map((w) => w.slice(0, 4))).size).toBe(256);
  });

  it('round-trips through words, tolerates case and prefixes, rejects typos', () => {
    const key = generateRecoveryKey();
    const words = recoveryKeyToWords(key);
    expect(words.split(' ')).toHaveLength(34);
    expect(recoveryKeyFromWords(words)).toEqual(key);
    expect(recoveryKeyFromWords(`  ${words.toUpperCase().replace(/ /g, '\n')} `)).toEqual(key);
    const list = words.split(' ');
    const swapped = [list[1], list[0], ...list.slice(2)].join(' ');
    if (list[0] !== list[1]) expectCryptoError(() => recoveryKeyFromWords(swapped), 'BAD_RECOVERY_KEY');
    expectCryptoError(() => recoveryKeyFromWords(list.slice(1).join(' ')), 'BAD_RECOVERY_KEY');
    expectCryptoError(() => recoveryKeyFromWords(['xyzzy', ...list.slice(1)].join(' ')), 'BAD_RECOVERY_KEY');
  });

  it('wraps the history key under a recovery key or an Argon2id passphrase', () => {
    const hk = generateHistoryKey();
    const rk = generateRecoveryKey();
    const byKey = wrapHistoryKey(hk, { recoveryKey: rk });
    expect(unwrapHistoryKey(byKey, { recoveryKey: rk })).toEqual(hk);
    expectCryptoError(() => unwrapHistoryKey(byKey, { recoveryKey: generateRecoveryKey() }), 'DECRYPT_FAILED');
    const byPass = wrapHistoryKey(hk, { passphrase: '正确 horse battery' }, { argon2id: FAST_ARGON });
    expect(unwrapHistoryKey(byPass, { passphrase: '正确 horse battery' })).toEqual(hk);
    expectCryptoError(() => unwrapHistoryKey(byPass, { passphrase: 'wrong' }), 'DECRYPT_FAILED');
    // A hostile blob cannot demand absurd Argon2id memory.
    const hostile = byPass.slice();
    hostile[6] = 0xff;
    expectCryptoError(() => unwrapHistoryKey(hostile, { passphrase: 'x' }), 'MALFORMED');
    for (let i = 0; i < byKey.length; i += 1) {
      const flipped = byKey.slice();
      flipped[i]! ^= 1;
      expectCryptoError(() => unwrapHistoryKey(flipped, { recoveryKey: rk }));
    }
  });
});

describe('device pairing', () => {
  const existing = { userId: 'u1', deviceId: 'laptop' };
  const fresh = { userId: 'u1', deviceId: 'phone' };

  it('QR mode: the scanner is authenticated by the QR secret; the history key transfers', () => {
    const start = DevicePairing.initiate({ mode: 'qr', self: fresh });
    const first = DevicePairing.parseQrText(start.qrText!);
    const responder = DevicePairing.respond({ self: existing, first });
    const confirm = start.pairing.receive(responder.message)!;
    expect(start.pairing.status).toBe('verified');
    expect(responder.pairing.receive(confirm)).toBeNull();
    expect(responder.pairing.status).toBe('verified');
    expect(start.pairing.sas).toBe(responder.pairing.sas);
    const hk = generateHistoryKey();
    expect(start.pairing.openSecret(responder.pairing.sealSecret(hk))).toEqual(hk);
  });

  it('QR mode: a responder that never saw the QR secret is refused', () => {
    const start = DevicePairing.initiate({ mode: 'qr', self: fresh });
    const guessed = DevicePairing.parseQrText(start.qrText!);
    guessed[guessed.length - 1]! ^= 1; // wrong secret
    const attacker = DevicePairing.respond({ self: existing, first: guessed });
    expectCryptoError(() => start.pairing.receive(attacker.message), 'PAIRING_FAILED');
    expect(start.pairing.status).toBe('failed');
    expectCryptoError(() => start.pairing.sealSecret(new Uint8Array(32)), 'PAIRING_FAILED');
  });

  it('SAS mode: commit, respond, reveal, compare, confirm', () => {
    const start = DevicePairing.initiate({ mode: 'sas', self: existing });
    const responder = DevicePairing.respond({ self: fresh, first: start.message });
    const reveal = start.pairing.receive(responder.message)!;
    expect(responder.pairing.receive(reveal)).toBeNull();
    expect(start.pairing.status).toBe('awaiting-user');
    expect(responder.pairing.sas).toMatch(/^\d{3} \d{3}$/);
    expect(responder.pairing.sas).toBe(start.pairing.sas);
    const c2 = responder.pairing.confirmSas();
    expect(start.pairing.receive(c2)).toBeNull(); // held until our user confirms
    const c1 = start.pairing.confirmSas();
    expect(start.pairing.status).toBe('verified');
    responder.pairing.receive(c1);
    expect(responder.pairing.status).toBe('verified');
    const hk = generateHistoryKey();
    expect(responder.pairing.openSecret(start.pairing.sealSecret(hk))).toEqual(hk);
  });

  it('SAS mode: a reveal that does not match the commitment ends the pairing', () => {
    const start = DevicePairing.initiate({ mode: 'sas', self: existing });
    const responder = DevicePairing.respond({ self: fresh, first: start.message });
    const reveal = start.pairing.receive(responder.message)!;
    const forged = reveal.slice();
    forged[20]! ^= 1;
    expectCryptoError(() => responder.pairing.receive(forged), 'PAIRING_FAILED');
    expectCryptoError(() => responder.pairing.receive(reveal), 'PAIRING_FAILED');
  });

  it('refuses pairing across users and out-of-order messages', () => {
    const start = DevicePairing.initiate({ mode: 'sas', self: existing });
    expectCryptoError(
      () => DevicePairing.respond({ self: { userId: 'u2', deviceId: 'x' }, first: start.message }),
      'PAIRING_FAILED',
    );
    const responder = DevicePairing.respond({ self: fresh, first: start.message });
    expectCryptoError(() => responder.pairing.confirmSas(), 'PAIRING_FAILED');
  });
});
