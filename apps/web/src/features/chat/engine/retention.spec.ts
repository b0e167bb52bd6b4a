import {
  type DeviceAddress,
  type KeyDirectory,
  MemoryCryptoStore,
  MiyuCrypto,
  type PublicBundle,
  ready,
  toBase64Url,
  x25519GenerateKeyPair,
} from '@miyu/crypto';
import type { ComplianceNotice, ConversationRetention } from '@miyu/protocol';
import {
  EscrowRequiredError,
  escrowExpectation,
  escrowKeyOf,
  isEscrowProblem,
  isEscrowRefusal,
  listedKeys,
  RetentionKeeper,
  type RetentionView,
} from './retention';

const CONV = '0190a0a0-0000-7000-8000-0000000000c1';
const OTHER = '0190a0a0-0000-7000-8000-0000000000c2';
const KEY_ID = '0190a0a0-0000-7000-8000-0000000000e1';
const OLD_KEY_ID = '0190a0a0-0000-7000-8000-0000000000e2';
const HELD = '0190a0a0-0000-7000-8000-000000000009';

function retention(partial: Partial<ConversationRetention> = {}): ConversationRetention {
  return {
    conversationId: CONV,
    retained: false,
    since: null,
    keyId: null,
    encryptionKey: null,
    organisationName: '示例集团',
    heldUserIds: [],
    ...partial,
  };
}

function notice(keys: Array<{ id: string; key: Uint8Array; active: boolean }>): ComplianceNotice {
  return {
    organisationName: '示例集团',
    keys: keys.map((k) => ({
      id: k.id,
      encryptionKey: toBase64Url(k.key),
      fingerprint: '0000 0000 0000 0000 0000 0000 0000 0000',
      active: k.active,
    })),
    heldUserIds: [HELD],
  };
}

/** A promise settled from outside (an HTTP call in flight). */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('the retention cache', () => {
  it('asks once per conversation, publishes what it learns, and asks again after an invalidation', async () => {
    const asked: string[] = [];
    const views: RetentionView[] = [];
    let retained = false;
    const keeper = new RetentionKeeper(
      {
        notice: async () => {
          asked.push('notice');
          return notice([]);
        },
        retention: async (id) => {
          asked.push(id);
          return retention({ conversationId: id, retained });
        },
      },
      (view) => views.push(view),
    );
    expect(keeper.current()).toEqual({ notice: null, conversations: {} });
    await Promise.all([keeper.of(CONV), keeper.of(CONV), keeper.notice(), keeper.notice()]);
    await keeper.of(OTHER);
    expect(asked).toEqual([CONV, 'notice', OTHER]);
    expect(keeper.current().notice?.heldUserIds).toEqual([HELD]);
    expect(keeper.current().conversations[CONV]?.retained).toBe(false);
    expect(keeper.known().sort()).toEqual([CONV, OTHER].sort());

    // Members changed in one conversation: only that one is asked again; the view keeps it until then.
    retained = true;
    keeper.invalidate(CONV);
    expect(keeper.current().conversations[CONV]?.retained).toBe(false);
    expect((await keeper.of(CONV)).retained).toBe(true);
    await keeper.of(OTHER);
    expect(asked).toEqual([CONV, 'notice', OTHER, CONV]);
    expect(views[views.length - 1]!.conversations[CONV]?.retained).toBe(true);

    // compliance:changed: everything is asked again.
    keeper.invalidateAll();
    await Promise.all([keeper.notice(), keeper.of(CONV), keeper.of(OTHER)]);
    expect(asked.slice(4).sort()).toEqual([CONV, OTHER, 'notice'].sort());

    keeper.forget(OTHER);
    expect(keeper.known()).toEqual([CONV]);
  });

  it('never lets an answer overtaken by an invalidation overwrite the newer one', async () => {
    const answers = [deferred<ConversationRetention>(), deferred<ConversationRetention>()];
    let call = 0;
    const keeper = new RetentionKeeper({
      notice: async () => notice([]),
      retention: () => answers[call++]!.promise,
    });
    const stale = keeper.of(CONV);
    keeper.invalidate(CONV);
    const fresh = keeper.of(CONV);
    answers[1]!.resolve(retention({ retained: true, since: '2026-01-01T00:00:00.000Z' }));
    await fresh;
    answers[0]!.resolve(retention({ retained: false }));
    await stale;
    expect(keeper.current().conversations[CONV]?.retained).toBe(true);
    expect(await keeper.of(CONV)).toMatchObject({ retained: true });
  });

  it('does not cache a failed fetch', async () => {
    let fail = true;
    const keeper = new RetentionKeeper({
      notice: async () => {
        if (fail) throw Object.assign(new Error('offline'), { code: 'NETWORK' });
        return notice([]);
      },
      retention: async () => {
        if (fail) throw Object.assign(new Error('offline'), { code: 'NETWORK' });
        return retention();
      },
    });
    await expect(keeper.notice()).rejects.toMatchObject({ code: 'NETWORK' });
    await expect(keeper.of(CONV)).rejects.toMatchObject({ code: 'NETWORK' });
    expect(keeper.current()).toEqual({ notice: null, conversations: {} });
    fail = false;
    expect((await keeper.notice()).organisationName).toBe('示例集团');
    expect((await keeper.of(CONV)).conversationId).toBe(CONV);
  });
});

describe('escrow decisions', () => {
  beforeAll(() => ready());

  it('wraps to the conversation key when retained, to nothing when not, and refuses without a usable key', () => {
    const key = x25519GenerateKeyPair().publicKey;
    expect(escrowKeyOf(retention())).toBeNull();
    // A key listed for a conversation that is not retained is not applied.
    expect(escrowKeyOf(retention({ encryptionKey: toBase64Url(key) }))).toBeNull();
    expect(escrowKeyOf(retention({ retained: true, keyId: KEY_ID, encryptionKey: toBase64Url(key) }))).toEqual(key);
    for (const bad of [null, 'not base64url!', toBase64Url(new Uint8Array(16)), toBase64Url(new Uint8Array(32))]) {
      const refused = (() => {
        try {
          escrowKeyOf(retention({ retained: true, encryptionKey: bad }));
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toBeInstanceOf(EscrowRequiredError);
      expect(refused).toMatchObject({ code: 'ESCROW_REQUIRED', conversationId: CONV });
    }
  });

  it('checks wraps against every listed key, and expects one only from the retention start on', () => {
    const active = x25519GenerateKeyPair().publicKey;
    const retired = x25519GenerateKeyPair().publicKey;
    const listed = notice([
      { id: KEY_ID, key: active, active: true },
      { id: OLD_KEY_ID, key: retired, active: false },
    ]);
    const malformed = { id: CONV, encryptionKey: '!!', fingerprint: '', active: false };
    const keys = listedKeys({ ...listed, keys: [...listed.keys, malformed] });
    expect(keys).toEqual([active, retired]);
    const since = '2026-03-01T08:00:00.000Z';
    const retained = retention({ retained: true, since, keyId: KEY_ID, encryptionKey: toBase64Url(active) });
    expect(escrowExpectation(keys, retained, '2026-03-01T08:00:00.000Z')).toEqual({ keys, expected: true });
    expect(escrowExpectation(keys, retained, '2026-03-02T00:00:00.000Z').expected).toBe(true);
    expect(escrowExpectation(keys, retained, '2026-02-28T23:59:59.999Z').expected).toBe(false);
    expect(escrowExpectation(keys, retention(), '2026-03-02T00:00:00.000Z').expected).toBe(false);
    expect(escrowExpectation(keys, retention({ retained: true }), '2026-03-02T00:00:00.000Z').expected).toBe(false);
  });

  it('names the refusals that call for a fresh look and the statuses that warn', () => {
    expect(isEscrowRefusal('ESCROW_REQUIRED')).toBe(true);
    expect(isEscrowRefusal('ESCROW_NOT_EXPECTED')).toBe(true);
    expect(isEscrowRefusal('WORD_POLICY_STALE')).toBe(false);
    expect(isEscrowRefusal(undefined)).toBe(false);
    expect(isEscrowProblem('mismatch')).toBe(true);
    expect(isEscrowProblem('missing')).toBe(true);
    for (const fine of ['none', 'valid', 'unverifiable', undefined] as const) expect(isEscrowProblem(fine)).toBe(false);
  });
});

/** Two devices over a directory in memory: the sender applies the decisions, the recipient checks with them. */
describe('escrow between two devices', () => {
  class Directory implements KeyDirectory {
    readonly bundles = new Map<string, PublicBundle>();
    async claimBundles(devices: readonly DeviceAddress[]): Promise<PublicBundle[]> {
      return devices.flatMap((d) => {
        const bundle = this.bundles.get(d.deviceId);
        return bundle ? [{ ...bundle, oneTimePrekeys: bundle.oneTimePrekeys.slice(0, 1) }] : [];
      });
    }
  }

  async function device(directory: Directory, userId: string, deviceId: string) {
    const crypto = await MiyuCrypto.create({ store: new MemoryCryptoStore(), directory, userId, deviceId });
    directory.bundles.set(deviceId, await crypto.createPrekeyBundle(1));
    return { crypto, address: { userId, deviceId } };
  }

  it('a retained conversation carries a wrap every recipient verifies; a wrong or missing one is flagged', async () => {
    await ready();
    const directory = new Directory();
    const alice = await device(directory, 'alice', 'a1');
    const bob = await device(directory, 'bob', 'b1');
    const compliance = x25519GenerateKeyPair().publicKey;
    const since = '2026-03-01T08:00:00.000Z';
    const on = retention({ retained: true, since, keyId: KEY_ID, encryptionKey: toBase64Url(compliance) });

    const send = async (policy: ConversationRetention, clientMsgId: string) => {
      await alice.crypto.setConversationDevices(CONV, [bob.address], { compliancePublicKey: escrowKeyOf(policy) });
      const sent = await alice.crypto.encryptMessage({
        conversationId: CONV,
        clientMsgId,
        policyVersion: 0,
        content: { type: 'text', body: clientMsgId, mentions: [], replyTo: null },
      });
      for (const share of sent.keyShares) await bob.crypto.decryptFromDevice(alice.address, share.ciphertext);
      return sent.envelope;
    };
    const check = async (envelope: Awaited<ReturnType<typeof send>>, keys: Uint8Array[], serverTs: string) =>
      (
        await bob.crypto.decryptMessage(envelope, {
          mode: 'history',
          compliance: escrowExpectation(keys, on, serverTs),
        })
      ).escrow;

    const wrapped = await send(on, 'm1');
    expect(wrapped.escrow).not.toBeNull();
    const listed = listedKeys(notice([{ id: KEY_ID, key: compliance, active: true }]));
    expect(await check(wrapped, listed, '2026-03-02T00:00:00.000Z')).toBe('valid');
    // The org rotated: the old key stays listed, so the old session still verifies.
    const rotated = [x25519GenerateKeyPair().publicKey, compliance];
    expect(await check(wrapped, rotated, '2026-03-02T00:00:00.000Z')).toBe('valid');
    // A wrap to a key the org does not list (a modified client escrowing elsewhere).
    expect(await check(wrapped, [x25519GenerateKeyPair().publicKey], '2026-03-02T00:00:00.000Z')).toBe('mismatch');

    const bare = await send(retention(), 'm2');
    expect(bare.escrow).toBeNull();
    expect(await check(bare, listed, '2026-03-02T00:00:00.000Z')).toBe('missing');
    expect(await check(bare, listed, '2026-02-01T00:00:00.000Z')).toBe('none');
  });
});
