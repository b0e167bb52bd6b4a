import { ByteWriter, toBase64Url, toHex } from './bytes.js';
import type { MessageContent } from './content.js';
import type { Envelope } from './envelope.js';
import { MiyuCrypto, type GroupSendResult, type KeyRequestEvent, type ToDeviceMessage } from './api.js';
import type { PublicBundle } from './keys.js';
import { decodeInboundSenderKey, exportInboundSenderKey } from './sender-keys.js';
import { ready } from './sodium.js';
import { MemoryCryptoStore, StoreNamespace } from './store.js';
import { type KeyRequest, decodeToDevicePayload, encodeToDevicePayload } from './to-device.js';
import { expectCryptoError, expectCryptoErrorAsync } from '../test/helpers.js';
import { FakeDirectory, type TestDevice, makeDevice } from '../test/harness.js';

beforeAll(async () => {
  await ready();
});

const text = (body: string): MessageContent => ({ type: 'text', body, mentions: [], replyTo: null });

// ------------------------------------------------------------------------------------------ wire format

describe('key request payload (to-device type 2)', () => {
  const request: KeyRequest = {
    conversationId: 'conv-1',
    sessionId: Uint8Array.from({ length: 16 }, (_, i) => 0xc0 + i),
    senderUserId: 'alice',
    senderDeviceId: 'a1',
    fromIndex: 0x01020304,
  };
  const encoded = () => encodeToDevicePayload({ type: 'key-request', request });

  it('has the documented layout and round-trips', () => {
    expect(toHex(encoded())).toBe(
      [
        '01', // to-device version
        '02', // key-request
        '01', // key request version
        '06636f6e762d31', // id("conv-1")
        'c0c1c2c3c4c5c6c7c8c9cacbcccdcecf', // sessionId
        '05616c696365', // id("alice")
        '026131', // id("a1")
        '01020304', // fromIndex
      ].join(''),
    );
    expect(decodeToDevicePayload(encoded())).toEqual({ type: 'key-request', request });
    const max = { ...request, fromIndex: 0xffffffff };
    expect(decodeToDevicePayload(encodeToDevicePayload({ type: 'key-request', request: max }))).toEqual({
      type: 'key-request',
      request: max,
    });
  });

  it('refuses malformed input when decoding', () => {
    const bytes = encoded();
    expectCryptoError(() => decodeToDevicePayload(new Uint8Array([...bytes, 0])), 'MALFORMED');
    expectCryptoError(() => decodeToDevicePayload(bytes.slice(0, bytes.length - 1)), 'MALFORMED');
    expectCryptoError(() => decodeToDevicePayload(bytes.slice(0, 2)), 'MALFORMED');
    for (const type of [0, 4, 0xff]) {
      const other = bytes.slice();
      other[1] = type;
      expectCryptoError(() => decodeToDevicePayload(other), 'UNSUPPORTED_VERSION');
    }
    const version = bytes.slice();
    version[2] = 2;
    expectCryptoError(() => decodeToDevicePayload(version), 'UNSUPPORTED_VERSION');
    const badId = bytes.slice();
    badId[4] = 0x20; // a space inside the conversation id
    expectCryptoError(() => decodeToDevicePayload(badId), 'MALFORMED');
    const emptyId = new ByteWriter().u8(1).u8(2).u8(1).u8(0).bytes(request.sessionId).finish();
    expectCryptoError(() => decodeToDevicePayload(emptyId), 'MALFORMED');
  });

  it('refuses invalid requests when encoding', () => {
    const bad: Partial<KeyRequest>[] = [
      { sessionId: new Uint8Array(15) },
      { fromIndex: -1 },
      { fromIndex: 2 ** 32 },
      { fromIndex: 1.5 },
      { conversationId: '' },
      { senderUserId: 'has space' },
      { senderDeviceId: 'x'.repeat(129) },
    ];
    for (const change of bad) {
      expectCryptoError(
        () => encodeToDevicePayload({ type: 'key-request', request: { ...request, ...change } }),
        'INVALID_ARGUMENT',
      );
    }
  });
});

// ------------------------------------------------------------------------------------------ the flow

let messageCount = 0;

async function send(from: TestDevice, conversationId: string, body: string): Promise<GroupSendResult> {
  messageCount += 1;
  return from.crypto.encryptMessage({
    conversationId,
    clientMsgId: `m${messageCount}`,
    policyVersion: 1,
    content: text(body),
  });
}

/** Delivers the to-device messages addressed to `to` (others are dropped: lost in transit). */
async function deliver(from: TestDevice, messages: ToDeviceMessage[], to: TestDevice) {
  const mine = messages.filter(
    (m) => m.recipient.userId === to.address.userId && m.recipient.deviceId === to.address.deviceId,
  );
  return Promise.all(mine.map((m) => to.crypto.decryptFromDevice(from.address, m.ciphertext)));
}

async function read(device: TestDevice, sent: GroupSendResult | Envelope): Promise<string | null> {
  const envelope = 'envelope' in sent ? sent.envelope : sent;
  const got = await device.crypto.decryptMessage(envelope, { mode: 'history' });
  return got.content.type === 'text' ? got.content.body : null;
}

/** `requester` asks `target` for the envelope's session; returns the key-request event `target` sees. */
async function ask(requester: TestDevice, sent: GroupSendResult | Envelope, target: TestDevice) {
  const envelope = 'envelope' in sent ? sent.envelope : sent;
  const { messages, unreachable } = await requester.crypto.requestSenderKey(envelope, [target.address]);
  expect(unreachable).toEqual([]);
  const [event] = await deliver(requester, messages, target);
  expect(event?.type).toBe('key-request');
  return event as KeyRequestEvent;
}

/** Full round: ask, answer, deliver the answer. Returns the refusal, or null when the answer was accepted. */
async function askAndApply(requester: TestDevice, sent: GroupSendResult | Envelope, target: TestDevice) {
  const answer = await target.crypto.answerKeyRequest(await ask(requester, sent, target));
  if ('refused' in answer) return { refused: answer.refused, event: null };
  expect(answer.message.recipient).toEqual(requester.address);
  const [event] = await deliver(target, [answer.message], requester);
  return { refused: null, event };
}

async function bundleOf(directory: FakeDirectory, device: TestDevice): Promise<PublicBundle> {
  const [bundle] = await directory.claimBundles([device.address]);
  return bundle!;
}

async function makeUnpublishedDevice(directory: FakeDirectory, userId: string, deviceId: string): Promise<TestDevice> {
  const store = new MemoryCryptoStore();
  const crypto = await MiyuCrypto.create({ store, directory, userId, deviceId });
  return { crypto, store, address: { userId, deviceId } };
}

describe('key requests (MiyuCrypto)', () => {
  let dir: FakeDirectory;
  let a1: TestDevice;
  let a2: TestDevice;
  let bob: TestDevice;

  beforeEach(async () => {
    dir = new FakeDirectory();
    a1 = await makeDevice(dir, 'alice', 'a1', { prekeys: 10 });
    a2 = await makeDevice(dir, 'alice', 'a2', { prekeys: 10 });
    bob = await makeDevice(dir, 'bob', 'b1', { prekeys: 10 });
    await a1.crypto.setConversationDevices('c1', [a2.address, bob.address]);
  });

  it('a lost share is recovered: request → sending device answers → the message decrypts', async () => {
    const first = await send(a1, 'c1', 'hello');
    await deliver(a1, first.keyShares, a2); // bob's share is lost
    await expectCryptoErrorAsync(() => read(bob, first), 'UNKNOWN_SESSION');

    const { messages, unreachable } = await bob.crypto.requestSenderKey(first.envelope, [a1.address, a2.address]);
    expect(unreachable).toEqual([]);
    expect(messages.map((m) => m.recipient)).toEqual([a1.address, a2.address]);

    const [request] = await deliver(bob, messages, a1);
    expect(request).toEqual({
      type: 'key-request',
      requester: bob.address,
      conversationId: 'c1',
      sessionId: first.envelope.sessionId,
      sender: a1.address,
      fromIndex: 0,
    });
    // alice's other device does not vouch for a1's session to another user: only the sending device answers.
    const [sibling] = await deliver(bob, messages, a2);
    expect(await a2.crypto.answerKeyRequest(sibling as KeyRequestEvent)).toEqual({ refused: 'not-sender' });

    const answer = await a1.crypto.answerKeyRequest(request as KeyRequestEvent);
    if (!('message' in answer)) throw new Error(`refused: ${answer.refused}`);
    const [shared] = await deliver(a1, [answer.message], bob);
    expect(shared).toMatchObject({ type: 'sender-key', sender: a1.address, forwardedBy: null, firstIndex: 0 });
    expect(await read(bob, first)).toBe('hello');
    // Later messages of the session decrypt without another request.
    expect(await read(bob, await send(a1, 'c1', 'again'))).toBe('again');
  });

  it('shares from the requested index, never beyond the next index to send', async () => {
    const m0 = await send(a1, 'c1', 'zero');
    const m1 = await send(a1, 'c1', 'one');
    // An index the sender never reached (the envelope is unauthenticated until the key is held) is clamped to
    // the next index it will send.
    const far = await askAndApply(bob, { ...m1.envelope, chainIndex: 0xfffffff0 }, a1);
    expect(far.event).toMatchObject({ type: 'sender-key', firstIndex: 2 });
    const got = await askAndApply(bob, m1, a1);
    expect(got.event).toMatchObject({ type: 'sender-key', firstIndex: 1 });
    expect(await read(bob, m1)).toBe('one');
    await expectCryptoErrorAsync(() => read(bob, m0), 'UNKNOWN_SESSION');
  });

  it('a member added later cannot obtain messages sent before it was given the session', async () => {
    const carol = await makeDevice(dir, 'carol', 'c1', { prekeys: 10 });
    const early = await send(a1, 'c1', 'before carol');
    await a1.crypto.setConversationDevices('c1', [a2.address, bob.address, carol.address]);
    // Added, but not yet given the session (no send since): nothing.
    expect((await askAndApply(carol, early, a1)).refused).toBe('not-entitled');

    const late = await send(a1, 'c1', 'with carol');
    expect(late.keyShares.map((s) => s.recipient)).toEqual([carol.address]);
    // carol's share is lost; asking for the early message yields the session from where she was added.
    const got = await askAndApply(carol, early, a1);
    expect(got.event).toMatchObject({ type: 'sender-key', firstIndex: late.envelope.chainIndex });
    await expectCryptoErrorAsync(() => read(carol, early), 'UNKNOWN_SESSION');
    expect(await read(carol, late)).toBe('with carol');
  });

  it('refuses non-members, removed members and sessions that are no longer current', async () => {
    const mallory = await makeDevice(dir, 'mallory', 'm1');
    const sent = await send(a1, 'c1', 'members only');
    expect((await askAndApply(mallory, sent, a1)).refused).toBe('not-a-member');

    await a1.crypto.setConversationDevices('c1', [a2.address]);
    expect((await askAndApply(bob, sent, a1)).refused).toBe('not-a-member');

    // Re-added before the next send: still the old session, and bob was not given it since (re)joining.
    await a1.crypto.setConversationDevices('c1', [a2.address, bob.address]);
    expect((await askAndApply(bob, sent, a1)).refused).toBe('not-entitled');

    // The next send rotates (bob was removed meanwhile): the old session is no longer answered.
    const rotated = await send(a1, 'c1', 'new epoch');
    expect(rotated.rotated).toBe('device-removed');
    expect((await askAndApply(bob, sent, a1)).refused).toBe('not-current');
    expect((await askAndApply(bob, rotated, a1)).refused).toBeNull();
    expect(await read(bob, rotated)).toBe('new epoch');
    await expectCryptoErrorAsync(() => read(bob, sent), 'UNKNOWN_SESSION');
  });

  it("refuses to answer for another user's session, and to ask other users", async () => {
    const sent = await send(a1, 'c1', 'from alice');
    await deliver(a1, sent.keyShares, bob);
    const request = {
      type: 'key-request',
      request: {
        conversationId: 'c1',
        sessionId: sent.envelope.sessionId,
        senderUserId: 'alice',
        senderDeviceId: 'a1',
        fromIndex: 0,
      },
    } as const;
    // bob holds alice's session but vouches only for bob's own sessions: not to carol (a client that asks bob
    // anyway, bypassing requestSenderKey), not even to bob's own other device.
    for (const asker of [await makeDevice(dir, 'carol', 'c1'), await makeDevice(dir, 'bob', 'b2')]) {
      const message = await asker.crypto.encryptToDevice(bob.address, request, await bundleOf(dir, bob));
      const event = await bob.crypto.decryptFromDevice(asker.address, message);
      expect(event).toMatchObject({ type: 'key-request', requester: asker.address, sender: a1.address });
      expect(await bob.crypto.answerKeyRequest(event as KeyRequestEvent)).toEqual({ refused: 'not-sender' });
    }
    const carol = await makeDevice(dir, 'carol', 'c2');
    await expectCryptoErrorAsync(
      () => carol.crypto.requestSenderKey(sent.envelope, [a1.address, bob.address]),
      'INVALID_ARGUMENT',
    );
  });

  it("refuses forged shares: another user's device, or a sibling forwarding to another user", async () => {
    const sent = await send(a1, 'c1', 'authentic');
    await deliver(a1, sent.keyShares, a2); // bob's share is lost
    const stored = await a2.store.get(StoreNamespace.INBOUND_SENDER_KEY, sessionKey(sent.envelope));
    const session = exportInboundSenderKey(decodeInboundSenderKey(stored!));

    const mallory = await makeDevice(dir, 'mallory', 'm1');
    const forged = await mallory.crypto.encryptToDevice(
      bob.address,
      { type: 'sender-key', session },
      await bundleOf(dir, bob),
    );
    await expectCryptoErrorAsync(() => bob.crypto.decryptFromDevice(mallory.address, forged), 'SESSION_MISMATCH');
    // Only a1 itself vouches for a1's session to another user; alice's other devices do not.
    const forwarded = await a2.crypto.encryptToDevice(
      bob.address,
      { type: 'sender-key', session },
      await bundleOf(dir, bob),
    );
    await expectCryptoErrorAsync(() => bob.crypto.decryptFromDevice(a2.address, forwarded), 'SESSION_MISMATCH');
    expect(await bob.store.list(StoreNamespace.INBOUND_SENDER_KEY)).toEqual([]);
    await expectCryptoErrorAsync(() => read(bob, sent), 'UNKNOWN_SESSION');
  });

  it("an own device shares a sibling's session with another own device, from the first index it holds", async () => {
    const m0 = await send(a1, 'c1', 'zero');
    const m1 = await send(a1, 'c1', 'one');
    await deliver(a1, m0.keyShares, a2);
    // a3 is alice's new device, unknown to a1's conversation list: a1 never shared with it.
    const a3 = await makeDevice(dir, 'alice', 'a3', { prekeys: 10 });
    const got = await askAndApply(a3, m1, a2);
    expect(got.event).toEqual({
      type: 'sender-key',
      conversationId: 'c1',
      sessionId: m1.envelope.sessionId,
      sender: a1.address,
      forwardedBy: a2.address,
      firstIndex: 1,
    });
    expect(await read(a3, m1)).toBe('one');
    // Asking for the earlier index gets it too: own devices may read what the answering device can.
    expect((await askAndApply(a3, m0, a2)).event).toMatchObject({ firstIndex: 0 });
    expect(await read(a3, m0)).toBe('zero');

    // A sibling cannot substitute another chain for a session a3 already holds.
    const stored = await a2.store.get(StoreNamespace.INBOUND_SENDER_KEY, sessionKey(m0.envelope));
    const session = exportInboundSenderKey(decodeInboundSenderKey(stored!));
    const tampered = await a2.crypto.encryptToDevice(a3.address, {
      type: 'sender-key',
      session: { ...session, chainKey: session.chainKey.map((b) => b ^ 1) },
    });
    await expectCryptoErrorAsync(() => a3.crypto.decryptFromDevice(a2.address, tampered), 'SESSION_MISMATCH');

    // Sessions a2 does not hold, or a request naming a held session under another conversation: unknown.
    const other = await send(bob, 'c2', 'elsewhere');
    expect(
      (await askAndApply(a3, { ...other.envelope, senderUserId: 'alice', senderDeviceId: 'a1' }, a2)).refused,
    ).toBe('unknown-session');
    expect((await askAndApply(a3, { ...m0.envelope, conversationId: 'c9' }, a2)).refused).toBe('unknown-session');
  });

  it('a device unreachable at the share is entitled from that index once it can be reached', async () => {
    const late = await makeUnpublishedDevice(dir, 'dave', 'd1');
    await a1.crypto.setConversationDevices('c1', [a2.address, bob.address, late.address]);
    const sent = await send(a1, 'c1', 'while offline');
    expect(sent.unreachable).toEqual([{ device: late.address, reason: 'no-bundle' }]);
    dir.publish(await late.crypto.createPrekeyBundle(3));
    expect((await askAndApply(late, sent, a1)).event).toMatchObject({ firstIndex: 0 });
    expect(await read(late, sent)).toBe('while offline');
  });

  it('records from before entitlement tracking (version 1) count as not entitled', async () => {
    const sent = await send(a1, 'c1', 'old store');
    const v1 = new ByteWriter().u8(1).u32(2);
    for (const d of [a2.address, bob.address]) v1.id(d.userId).id(d.deviceId).u8(1);
    await a1.store.write([{ namespace: StoreNamespace.CONVERSATION_DEVICES, key: 'c1', value: v1.finish() }]);
    expect((await askAndApply(bob, sent, a1)).refused).toBe('not-entitled');
    // The record is still usable: sends carry on, and the next epoch entitles every device again.
    expect((await send(a1, 'c1', 'same epoch')).keyShares).toEqual([]);
    await a1.crypto.setConversationDevices('c1', [bob.address]);
    const rotated = await send(a1, 'c1', 'new epoch');
    expect((await askAndApply(bob, rotated, a1)).event).toMatchObject({ firstIndex: 0 });
  });

  it('a request from this device itself is an argument error; targets skip this device', async () => {
    const sent = await send(a1, 'c1', 'self');
    const result = await a2.crypto.requestSenderKey(sent.envelope, [a2.address, a1.address, a1.address]);
    expect(result.messages.map((m) => m.recipient)).toEqual([a1.address]);
    await expectCryptoErrorAsync(
      () =>
        a1.crypto.answerKeyRequest({
          type: 'key-request',
          requester: a1.address,
          conversationId: 'c1',
          sessionId: sent.envelope.sessionId,
          sender: a1.address,
          fromIndex: 0,
        }),
      'INVALID_ARGUMENT',
    );
  });
});

/** The store key of an inbound session. */
const sessionKey = (envelope: Envelope): string => toBase64Url(envelope.sessionId);
