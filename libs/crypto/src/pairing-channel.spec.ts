import { DevicePairing } from './pairing.js';
import { ready } from './sodium.js';
import { decodeToDevicePayload, encodeToDevicePayload } from './to-device.js';
import type { ToDeviceMessage } from './api.js';
import { expectCryptoErrorAsync } from '../test/helpers.js';
import { FakeDirectory, type TestDevice, makeDevice } from '../test/harness.js';

beforeAll(async () => {
  await ready();
});

/** Delivers to-device messages and returns the pairing message each recipient got. */
async function deliver(messages: ToDeviceMessage[], from: TestDevice, to: TestDevice): Promise<Uint8Array> {
  const mine = messages.filter((m) => m.recipient.deviceId === to.address.deviceId);
  expect(mine).toHaveLength(1);
  const event = await to.crypto.decryptFromDevice(from.address, mine[0]!.ciphertext);
  if (event.type !== 'pairing') throw new Error(`expected a pairing event, got ${event.type}`);
  expect(event.from).toEqual(from.address);
  return event.message;
}

describe('device pairing over the pairwise channel (SAS)', () => {
  it('carries a whole SAS pairing between two devices of one user and hands over the History Key', async () => {
    const dir = new FakeDirectory();
    const laptop = await makeDevice(dir, 'bob', 'b1');
    const phone = await makeDevice(dir, 'bob', 'b2');
    const historyKey = await laptop.crypto.createHistoryKey();

    // The new device offers to pair (to every other device of the user).
    const offer = DevicePairing.initiate({ mode: 'sas', self: phone.address });
    const commit = await phone.crypto.encryptPairingMessage([laptop.address], offer.message);
    expect(commit.unreachable).toEqual([]);
    const answer = DevicePairing.respond({
      self: laptop.address,
      first: await deliver(commit.messages, phone, laptop),
    });

    const response = await laptop.crypto.encryptPairingMessage([phone.address], answer.message);
    const reveal = offer.pairing.receive(await deliver(response.messages, laptop, phone))!;
    const revealed = await phone.crypto.encryptPairingMessage([laptop.address], reveal);
    expect(answer.pairing.receive(await deliver(revealed.messages, phone, laptop))).toBeNull();

    // Both screens show the same code; both users confirm.
    expect(offer.pairing.sas).toMatch(/^\d{3} \d{3}$/);
    expect(answer.pairing.sas).toBe(offer.pairing.sas);
    const phoneConfirm = await phone.crypto.encryptPairingMessage([laptop.address], offer.pairing.confirmSas());
    const laptopConfirm = await laptop.crypto.encryptPairingMessage([phone.address], answer.pairing.confirmSas());
    answer.pairing.receive(await deliver(phoneConfirm.messages, phone, laptop));
    offer.pairing.receive(await deliver(laptopConfirm.messages, laptop, phone));
    expect([offer.pairing.status, answer.pairing.status]).toEqual(['verified', 'verified']);

    const secret = await laptop.crypto.encryptPairingMessage([phone.address], answer.pairing.sealSecret(historyKey));
    await phone.crypto.setHistoryKey(offer.pairing.openSecret(await deliver(secret.messages, laptop, phone)));
    expect(await phone.crypto.getHistoryKey()).toEqual(historyKey);
  });

  it('never pairs across users, in either direction', async () => {
    const dir = new FakeDirectory();
    const alice = await makeDevice(dir, 'alice', 'a1');
    const bob = await makeDevice(dir, 'bob', 'b1');
    await expectCryptoErrorAsync(
      () => alice.crypto.encryptPairingMessage([bob.address], new Uint8Array([1, 2, 3])),
      'INVALID_ARGUMENT',
    );
    // A pairing payload another user's device managed to send (bypassing the check above) is refused.
    const forged = await alice.crypto.encryptToDevice(
      bob.address,
      { type: 'pairing', message: new Uint8Array([1, 2, 3]) },
      (await dir.claimBundles([bob.address]))[0],
    );
    await expectCryptoErrorAsync(() => bob.crypto.decryptFromDevice(alice.address, forged), 'PAIRING_FAILED');
  });

  it('encodes pairing payloads with a length limit', () => {
    const message = new Uint8Array([9, 8, 7]);
    expect(decodeToDevicePayload(encodeToDevicePayload({ type: 'pairing', message }))).toEqual({
      type: 'pairing',
      message,
    });
    expect(() => encodeToDevicePayload({ type: 'pairing', message: new Uint8Array(0) })).toThrow(
      /pairing message size/,
    );
    expect(() => encodeToDevicePayload({ type: 'pairing', message: new Uint8Array(2049) })).toThrow(
      /pairing message size/,
    );
  });
});
