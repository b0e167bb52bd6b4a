import { ed25519GenerateKeyPair, ed25519Sign, ready, toBase64Url, utf8Encode } from '@miyu/crypto';
import { type SignedWordPolicy, WORD_POLICY_SIGNING_CONTEXT, type WordPolicyDocument } from '@miyu/protocol';
import { MemoryDeviceStore } from './memoryDeviceStore';
import { ContentRefusedError, enforce, shiftMentions, verifySignedPolicy, WordPolicyKeeper } from './wordPolicy';

const RULE = (id: string, pattern: string, action: 'block' | 'warn' | 'mask' | 'flag') => ({
  id,
  type: 'word' as const,
  pattern,
  validator: 'none' as const,
  category: '测试',
  action,
});

function sign(version: number, keys = ed25519GenerateKeyPair()): { signed: SignedWordPolicy; keys: typeof keys } {
  const document: WordPolicyDocument = {
    v: 1,
    version,
    issuedAt: '2026-11-26T00:00:00.000Z',
    options: { foldTraditional: true, skipSeparators: true },
    rules: [
      RULE('r-block', '机密文件', 'block'),
      RULE('r-mask', '笨蛋', 'mask'),
      RULE('r-astral', '𠮷哥', 'mask'),
      RULE('r-warn', '裁员', 'warn'),
    ],
    whitelist: [],
  };
  const payload = JSON.stringify(document);
  const signature = ed25519Sign(keys.secretKey, utf8Encode(WORD_POLICY_SIGNING_CONTEXT + payload));
  return {
    signed: { version, payload, signature: toBase64Url(signature), publicKey: toBase64Url(keys.publicKey) },
    keys,
  };
}

describe('the word policy on this device (verified before it is enforced)', () => {
  beforeAll(() => ready());

  it('accepts a policy signed by the pinned key, and refuses a tampered one or another key', () => {
    const { signed } = sign(3);
    expect(verifySignedPolicy(signed, null).version).toBe(3);
    expect(verifySignedPolicy(signed, signed.publicKey).rules).toHaveLength(4);
    const tampered = { ...signed, payload: signed.payload.replace('"block"', '"flag"') };
    expect(() => verifySignedPolicy(tampered, signed.publicKey)).toThrow(/signature does not verify/);
    const other = sign(3).signed;
    expect(() => verifySignedPolicy(other, signed.publicKey)).toThrow(/different key/);
    expect(() => verifySignedPolicy({ ...signed, version: 4 }, null)).toThrow(/version does not match/);
  });

  it('pins the first key, caches the policy, never rolls back, and screens texts with it', async () => {
    const store = new MemoryDeviceStore();
    const first = sign(2);
    let served: SignedWordPolicy | null = first.signed;
    const keeper = new WordPolicyKeeper(async () => served, store);
    expect((await keeper.current()).version).toBe(2);
    expect(await store.getMeta('word-policy-key')).toBe(first.signed.publicKey);

    const screening = await keeper.screen('别给笨蛋看机密文件');
    expect(screening).toMatchObject({ version: 2, action: 'block' });
    expect(screening.text).toBe('别给**看机密文件');

    served = sign(3).signed; // a different key: refused, the cached policy stays in force
    await expect(keeper.refresh()).rejects.toMatchObject({ code: 'WORD_POLICY_UNTRUSTED' });
    expect((await keeper.current()).version).toBe(2);
    served = sign(1, first.keys).signed; // older than what this device has
    await expect(keeper.refresh()).rejects.toThrow(/older/);
    served = sign(5, first.keys).signed;
    expect((await keeper.refresh()).version).toBe(5);

    // A new keeper over the same store reads the cached copy back (verified again).
    const again = new WordPolicyKeeper(async () => {
      throw new Error('offline');
    }, store);
    expect((await again.current()).version).toBe(5);
  });

  it('blocks, asks before a warning, and moves mentions after masked words', async () => {
    const keeper = new WordPolicyKeeper(async () => sign(1).signed, new MemoryDeviceStore());
    const blocked = await keeper.screen('机密文件在这');
    expect(() => enforce(blocked, true)).toThrow(ContentRefusedError);
    const warned = await keeper.screen('听说要裁员');
    expect(() => enforce(warned, false)).toThrow(expect.objectContaining({ action: 'warn', words: ['裁员'] }));
    expect(() => enforce(warned, true)).not.toThrow();
    const clean = await keeper.screen('你好');
    expect(() => enforce(clean, false)).not.toThrow();

    // 𠮷 is two UTF-16 units but one star: the mention after it moves back by one.
    const original = '𠮷哥 @张三';
    const masked = await keeper.screen(original);
    expect(masked.text).toBe('** @张三');
    const [mention] = shiftMentions([{ userId: 'u', start: original.indexOf('@'), length: 3 }], masked.hits, original);
    expect(masked.text.slice(mention!.start, mention!.start + 3)).toBe('@张三');
  });
});
