import type { MessageContent } from './content.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { DevicePairing } from './pairing.js';
import { x25519GenerateKeyPair } from './primitives.js';
import { ready } from './sodium.js';
import { StoreNamespace } from './store.js';
import { type ToDeviceMessage, type GroupSendResult } from './api.js';
import { expectCryptoErrorAsync } from '../test/helpers.js';
import { FakeDirectory, type TestDevice, makeDevice } from '../test/harness.js';

beforeAll(async () => {
  await ready();
});

const text = (body: string): MessageContent => ({ type: 'text', body, mentions: [], replyTo: null });

async function deliverShares(shares: ToDeviceMessage[], devices: TestDevice[], from: TestDevice): Promise<void> {
  for (const share of shares) {
    const target = devices.find(
      (d) => d.address.userId === share.recipient.userId && d.address.deviceId === share.recipient.deviceId,
    );
    if (target) await target.crypto.decryptFromDevice(from.address, share.ciphertext);
  }
}

async function body(
  device: TestDevice,
  sent: GroupSendResult,
  mode: 'live' | 'history' = 'live',
): Promise<string | null> {
  const got = await device.crypto.decryptMessage(decodeEnvelope(encodeEnvelope(sent.envelope)), { mode });
  return got.content.type === 'text' ? got.content.body : null;
}

describe('MiyuCrypto (API over a store)', () => {
  it('runs a group conversation: shares keys once, O(1) sends, rotation on removal', async () => {
    const dir = new FakeDirectory();
    const alice = await makeDevice(dir, 'alice', 'a1');
    const bob = await makeDevice(dir, 'bob', 'b1');
    const bob2 = await makeDevice(dir, 'bob', 'b2');
    const all = [alice, bob, bob2];
    await alice.crypto.setConversationDevices('c1', [alice.address, bob.address, bob2.address]);

    const first = await alice.crypto.encryptMessage({
      conversationId: 'c1',
      clientMsgId: 'm1',
      policyVersion: 1,
      content: text('hi'),
    });
    expect(first.rotated).toBe('no-session');
    expect(first.keyShares).toHaveLength(2);
    await deliverShares(first.keyShares, all, alice);
    expect(await body(bob, first)).toBe('hi');
    expect(await body(bob2, first)).toBe('hi');
    await expectCryptoErrorAsync(() => body(bob, first), 'REPLAY');
    expect(await body(bob, first, 'history')).toBe('hi');
    expect(await body(alice, first, 'history')).toBe('hi');

    const second = await alice.crypto.encryptMessage({
      conversationId: 'c1',
      clientMsgId: 'm2',
      policyVersion: 1,
      content: text('again'),
    });
    expect(second.keyShares).toHaveLength(0);
    expect(second.rotated).toBeNull();
    expect(await body(bob2, second)).toBe('again');

    // Removing bob's second device forces a new epoch; the removed device cannot read it.
    const decision = await alice.crypto.setConversationDevices('c1', [alice.address, bob.address]);
    expect(decision.reason).toBe('device-removed');
    const third = await alice.crypto.encryptMessage({
      conversationId: 'c1',
      clientMsgId: 'm3',
      policyVersion: 1,
      content: text('secret'),
    });
    expect(third.rotated).toBe('device-removed');
    expect(third.keyShares.map((s) => s.recipient)).toEqual([bob.address]);
    await deliverShares(third.keyShares, all, alice);
    expect(await body(bob, third)).toBe('secret');
    await expectCryptoErrorAsync(() => body(bob2, third), 'UNKNOWN_SESSION');
  });

  it('a failed prekey message keeps the one-time prekey; identity changes are refused', async () => {
    const dir = new FakeDirectory();
    const alice = await makeDevice(dir, 'alice', 'a1');
    const bob = await makeDevice(dir, 'bob', 'b1', { prekeys: 1 });
    await alice.crypto.setConversationDevices('c1', [bob.address]);
    const sent = await alice.crypto.encryptMessage({
      conversationId: 'c1',
      clientMsgId: 'm1',
      policyVersion: 1,
      content: text('x'),
    });
    const share = sent.keyShares[0]!.ciphertext;
    const tampered = share.slice();
    tampered[tampered.length - 1]! ^= 1;
    const before = await bob.crypto.oneTimePrekeyCount();
    await expectCryptoErrorAsync(() => bob.crypto.decryptFromDevice(alice.address, tampered), 'DECRYPT_FAILED');
    expect(await bob.crypto.oneTimePrekeyCount()).toBe(before);
    expect(await bob.store.list(StoreNamespace.PAIRWISE_SESSION)).toHaveLength(0);
    // Claimed from another sender address: refused.
    await expectCryptoErrorAsync(
      () => bob.crypto.decryptFromDevice({ userId: 'mallory', deviceId: 'a1' }, share),
      'SESSION_MISMATCH',
    );
    await bob.crypto.decryptFromDevice(alice.address, share);
    expect(await bob.crypto.oneTimePrekeyCount()).toBe(before - 1);
    await expectCryptoErrorAsync(() => bob.crypto.decryptFromDevice(alice.address, share), 'REPLAY');

    // Alice's device is reinstalled with new keys: bob refuses the new identity until told to forget the old one.
    const alice2 = await makeDevice(dir, 'alice', 'a1');
    await alice2.crypto.setConversationDevices('c1', [bob.address]);
    const again = await alice2.crypto.encryptMessage({
      conversationId: 'c1',
      clientMsgId: 'm2',
      policyVersion: 1,
      content: text('y'),
    });
    await expectCryptoErrorAsync(
      () => bob.crypto.decryptFromDevice(alice.address, again.keyShares[0]!.ciphertext),
      'IDENTITY_CHANGED',
    );
    await bob.crypto.forgetPeerIdentity(alice.address);
    await bob.crypto.decryptFromDevice(alice.address, again.keyShares[0]!.ciphertext);
  });

  it('reports devices without bundles as unreachable, and escrow status to recipients', async () => {
    const dir = new FakeDirectory();
    const alice = await makeDevice(dir, 'alice', 'a1');
    const bob = await makeDevice(dir, 'bob', 'b1');
    const compliance = x25519GenerateKeyPair();
    await alice.crypto.setConversationDevices('c1', [bob.address, { userId: 'ghost', deviceId: 'g1' }], {
      compliancePublicKey: compliance.publicKey,
    });
    await bob.crypto.setConversationDevices('c1', [alice.address], { compliancePublicKey: compliance.publicKey });
    const sent = await alice.crypto.encryptMessage({
      conversationId: 'c1',
      clientMsgId: 'm1',
      policyVersion: 1,
      content: text('kept'),
    });
    expect(sent.unreachable).toEqual([{ device: { userId: 'ghost', deviceId: 'g1' }, reason: 'no-bundle' }]);
    expect(sent.envelope.escrow).not.toBeNull();
    await deliverShares(sent.keyShares, [bob], alice);
    const got = await bob.crypto.decryptMessage(sent.envelope);
    expect(got.escrow).toBe('valid');

    // Retention switched off: the next send starts a new epoch without escrow.
    await alice.crypto.setConversationDevices('c1', [bob.address, { userId: 'ghost', deviceId: 'g1' }], {
      compliancePublicKey: null,
    });
    const after = await alice.crypto.encryptMessage({
      conversationId: 'c1',
      clientMsgId: 'm2',
      policyVersion: 1,
      content: text('free'),
    });
    expect(after.rotated).toBe('escrow-changed');
    expect(after.envelope.escrow).toBeNull();
    await deliverShares(after.keyShares, [bob], alice);
    // Bob still believes retention is on: the missing wrap is flagged.
    expect((await bob.crypto.decryptMessage(after.envelope)).escrow).toBe('missing');
  });

  it('roams history to a new device through pairing and the encrypted backup', async () => {
    const dir = new FakeDirectory();
    const alice = await makeDevice(dir, 'alice', 'a1');
    const bob = await makeDevice(dir, 'bob', 'b1');
    const hk = await bob.crypto.createHistoryKey();
    await alice.crypto.setConversationDevices('c1', [bob.address]);
    const old = await alice.crypto.encryptMessage({
      conversationId: 'c1',
      clientMsgId: 'm1',
      policyVersion: 1,
      content: text('old news'),
    });
    await deliverShares(old.keyShares, [bob], alice);
    expect(await body(bob, old)).toBe('old news');
    const backups = await bob.crypto.takePendingBackups();
    expect(backups).toHaveLength(1);
    expect(await bob.crypto.takePendingBackups()).toHaveLength(0);

    // Bob's new phone pairs with his laptop by QR and receives the History Key.
    const phone = await makeDevice(dir, 'bob', 'b2');
    const offer = DevicePairing.initiate({ mode: 'qr', self: phone.address });
    const answer = DevicePairing.respond({ self: bob.address, first: DevicePairing.parseQrText(offer.qrText!) });
    answer.pairing.receive(offer.pairing.receive(answer.message)!);
    await phone.crypto.setHistoryKey(offer.pairing.openSecret(answer.pairing.sealSecret(hk)));

    await expectCryptoErrorAsync(() => body(phone, old, 'history'), 'UNKNOWN_SESSION');
    const corrupt = backups[0]!.blob.slice();
    corrupt[corrupt.length - 1]! ^= 1;
    expect(await phone.crypto.restoreBackup([backups[0]!.blob, corrupt])).toEqual({ restored: 1, failed: 1 });
    expect(await body(phone, old, 'history')).toBe('old news');
  });

  it('keeps backup markers until the upload is confirmed (a failed upload is retried)', async () => {
    const dir = new FakeDirectory();
    const alice = await makeDevice(dir, 'alice', 'a1');
    const bob = await makeDevice(dir, 'bob', 'b1');
    await bob.crypto.createHistoryKey();
    await alice.crypto.setConversationDevices('c1', [bob.address]);
    const first = await alice.crypto.encryptMessage({
      conversationId: 'c1',
      clientMsgId: 'm1',
      policyVersion: 1,
      content: text('1'),
    });
    await deliverShares(first.keyShares, [bob], alice);

    // An upload that failed: nothing was confirmed, so the same session is still pending.
    const attempt = await bob.crypto.pendingBackups();
    expect(attempt).toHaveLength(1);
    expect(await bob.crypto.pendingBackups()).toHaveLength(1);
    await bob.crypto.backupsStored(attempt);
    expect(await bob.crypto.pendingBackups()).toHaveLength(0);
  });

  it('serialises concurrent calls on one device', async () => {
    const dir = new FakeDirectory();
    const alice = await makeDevice(dir, 'alice', 'a1');
    const bob = await makeDevice(dir, 'bob', 'b1');
    await alice.crypto.setConversationDevices('c1', [bob.address]);
    const sends = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        alice.crypto.encryptMessage({
          conversationId: 'c1',
          clientMsgId: `m${i}`,
          policyVersion: 1,
          content: text(`${i}`),
        }),
      ),
    );
    expect(sends.map((s) => s.envelope.chainIndex)).toEqual([0, 1, 2, 3]);
    await deliverShares(sends[0]!.keyShares, [bob], alice);
    const bodies = await Promise.all(sends.map((s) => body(bob, s)));
    expect(bodies).toEqual(['0', '1', '2', '3']);
  });
});
