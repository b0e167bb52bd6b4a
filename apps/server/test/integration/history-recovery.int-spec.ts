import {
  generateHistoryKey,
  generateRecoveryKey,
  historyKeyId,
  ready,
  toBase64Url,
  unwrapHistoryKey,
  wrapHistoryKey,
} from '@miyu/crypto';
import type { HistoryRecoveryState } from '@miyu/protocol';
import { TestClient } from '../support/http-client.js';
import { createUser, passwordOf } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { error: { code: string } };

/** The History Key's recovery wrap: only its owner reads it, and the first History Key stays the only one. */
describe('history recovery wrap (real PostgreSQL)', () => {
  let t: TestServer;
  let alice: TestClient;
  let bob: TestClient;

  beforeAll(async () => {
    await ready();
    t = await startTestServer();
    const admin = new TestClient(t.url);
    await admin.setupAdmin();
    await createUser(admin, 'alice');
    await createUser(admin, 'bob');
    alice = new TestClient(t.url);
    await alice.login('alice', passwordOf('alice'));
    bob = new TestClient(t.url);
    await bob.login('bob', passwordOf('bob'));
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores the wrap of the first History Key, lets it be re-wrapped, and refuses a different key', async () => {
    expect((await alice.request<HistoryRecoveryState>('GET', '/api/history/recovery')).body).toEqual({
      recovery: null,
    });
    const historyKey = generateHistoryKey();
    const recoveryKey = generateRecoveryKey();
    const keyId = toBase64Url(historyKeyId(historyKey));
    const put = await alice.request<HistoryRecoveryState>('PUT', '/api/history/recovery', {
      keyId,
      wrap: toBase64Url(wrapHistoryKey(historyKey, { recoveryKey })),
    });
    expect(put.status).toBe(200);
    expect(put.body.recovery?.keyId).toBe(keyId);

    // Another device of Alice reads it back and opens it with the recovery key alone.
    const got = await alice.request<HistoryRecoveryState>('GET', '/api/history/recovery');
    const opened = unwrapHistoryKey(Buffer.from(got.body.recovery!.wrap, 'base64url'), { recoveryKey });
    expect(Buffer.from(opened).equals(Buffer.from(historyKey))).toBe(true);

    // A new recovery key for the same History Key replaces the wrap.
    const newer = generateRecoveryKey();
    const rewrap = await alice.request('PUT', '/api/history/recovery', {
      keyId,
      wrap: toBase64Url(wrapHistoryKey(historyKey, { recoveryKey: newer })),
    });
    expect(rewrap.status).toBe(200);

    // A second History Key would split the history: refused, nothing changes.
    const other = generateHistoryKey();
    const race = await alice.request<ErrorBody>('PUT', '/api/history/recovery', {
      keyId: toBase64Url(historyKeyId(other)),
      wrap: toBase64Url(wrapHistoryKey(other, { recoveryKey })),
    });
    expect([race.status, race.body.error.code]).toEqual([409, 'HISTORY_KEY_MISMATCH']);
    expect((await alice.request<HistoryRecoveryState>('GET', '/api/history/recovery')).body.recovery?.keyId).toBe(
      keyId,
    );

    // Bob never sees Alice's wrap; anonymous callers see nothing.
    expect((await bob.request<HistoryRecoveryState>('GET', '/api/history/recovery')).body).toEqual({ recovery: null });
    expect((await new TestClient(t.url).request('GET', '/api/history/recovery')).status).toBe(401);
  });

  it('validates the wrap request', async () => {
    for (const bad of [
      {},
      { keyId: 'short', wrap: 'AAAA' },
      { keyId: 'AAAAAAAAAAA', wrap: 'not base64!' },
      { keyId: 'AAAAAAAAAAA', wrap: 'A'.repeat(401) },
    ]) {
      const res = await bob.request<ErrorBody>('PUT', '/api/history/recovery', bad);
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });
});
