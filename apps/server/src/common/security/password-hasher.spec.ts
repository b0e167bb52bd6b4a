import { PasswordHasher } from './password-hasher.js';

describe('PasswordHasher (Argon2id on a worker thread)', () => {
  const hasher = new PasswordHasher({ memoryMiB: 19, iterations: 1 });
  afterAll(() => hasher.close());

  it('produces Argon2id PHC strings with the configured cost and verifies them', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=1,p=1\$/);
    expect(await hasher.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse battery stapler')).toBe(false);
  });

  it('salts every hash and treats a malformed hash as a mismatch, not a crash', async () => {
    expect(await hasher.hash('same')).not.toBe(await hasher.hash('same'));
    expect(await hasher.verify('not-a-hash', 'x')).toBe(false);
    expect(await hasher.verifyAgainstDummy('anything')).toBe(false);
  });

  it('handles non-ASCII passwords', async () => {
    const hash = await hasher.hash('密语-密码-🔐');
    expect(await hasher.verify(hash, '密语-密码-🔐')).toBe(true);
  });
});
