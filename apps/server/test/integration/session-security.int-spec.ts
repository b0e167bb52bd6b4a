import type { AuthState, SessionRevokedEvent, UserDto } from '@miyu/protocol';
import { randomBytes } from 'node:crypto';
import { TestClient } from '../support/http-client.js';
import { createUser, passwordOf } from '../support/people.js';
import { type ClientSocket, connected, connectError, connectSocket, nextDisconnect } from '../support/socket-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface ErrorBody {
  error: { code: string };
}

/** The token in a response's `miyu_session` Set-Cookie, or null when it sets none. */
function sessionTokenOf(res: Response): string | null {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('miyu_session='));
  return cookie ? cookie.slice('miyu_session='.length).split(';')[0]! : null;
}

/**
 * Password resets end sessions and sockets; sign-in never adopts a session token the browser already carried
 * (session fixation), and the CSRF token belongs to the session it came with.
 */
describe('password reset, session fixation and CSRF rotation (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;
  const sockets: ClientSocket[] = [];

  async function signIn(login: string, password = passwordOf(login)): Promise<TestClient> {
    const client = new TestClient(t.url);
    const res = await client.login(login, password);
    if (res.status !== 200) throw new Error(`sign-in of ${login}: ${res.status} ${JSON.stringify(res.body)}`);
    return client;
  }

  /** A connected socket of the client's session, with the session:revoked events it receives. */
  async function socketOf(client: TestClient) {
    const socket = connectSocket(t.url, client.cookie);
    sockets.push(socket);
    const revoked: SessionRevokedEvent[] = [];
    socket.on('session:revoked', (e) => revoked.push(e));
    await connected(socket);
    return { socket, revoked };
  }

  /** Signs in with a raw request that carries `cookie`, as a browser holding a planted cookie would. */
  function loginCarrying(cookie: string, login: string) {
    return fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ login, password: passwordOf(login) }),
    });
  }

  async function whoIs(token: string): Promise<{ status: number; login: string | null }> {
    const res = await fetch(`${t.url}/api/auth/session`, { headers: { cookie: `miyu_session=${token}` } });
    const body = (await res.json()) as AuthState | ErrorBody;
    return { status: res.status, login: 'user' in body ? body.user.login : null };
  }

  beforeAll(async () => {
    t = await startTestServer({ LOGIN_IP_LIMIT_PER_MINUTE: '1000' });
    admin = new TestClient(t.url);
    await admin.setupAdmin();
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  describe('password reset', () => {
    it("an admin's reset ends every session and socket of the user; only the new password works", async () => {
      const user = await createUser(admin, 'rita');
      const [laptop, phone] = [await signIn('rita'), await signIn('rita')];
      const live = await socketOf(phone);
      const dropped = nextDisconnect(live.socket);

      const reset = await admin.request('POST', `/api/admin/users/${user.id}/password`, {
        password: 'rita-password-2',
      });
      expect(reset.status).toBe(204);

      expect(await dropped).toBe('io server disconnect');
      expect(live.revoked).toEqual([expect.objectContaining({ reason: 'password_changed' })]);
      for (const client of [laptop, phone]) {
        expect((await client.request<ErrorBody>('GET', '/api/auth/session')).body.error.code).toBe('SESSION_EXPIRED');
      }
      const reconnect = connectSocket(t.url, phone.cookie);
      sockets.push(reconnect);
      expect((await connectError(reconnect)).message).toBe('SESSION_EXPIRED');
      const active = (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`,
        [user.id],
      )) as [{ n: number }];
      expect(active[0].n).toBe(0);

      expect((await new TestClient(t.url).login('rita', passwordOf('rita'))).status).toBe(401);
      expect((await new TestClient(t.url).login('rita', 'rita-password-2')).status).toBe(200);
    });

    it("a user's own change ends their other sessions and sockets, keeps this one; only the new password works", async () => {
      await createUser(admin, 'sam');
      const [here, elsewhere] = [await signIn('sam'), await signIn('sam')];
      const kept = await socketOf(here);
      const other = await socketOf(elsewhere);
      const dropped = nextDisconnect(other.socket);

      const change = await here.request('POST', '/api/auth/password', {
        currentPassword: passwordOf('sam'),
        newPassword: 'sam-password-2',
      });
      expect(change.status).toBe(204);

      expect(await dropped).toBe('io server disconnect');
      expect(other.revoked).toEqual([expect.objectContaining({ reason: 'password_changed' })]);
      expect((await elsewhere.request('GET', '/api/auth/session')).status).toBe(401);
      expect((await here.request('GET', '/api/auth/session')).status).toBe(200);
      const pong = await kept.socket.timeout(5000).emitWithAck('system:ping', {});
      expect(pong).toMatchObject({ ok: true });
      expect(kept.revoked).toEqual([]);

      expect((await new TestClient(t.url).login('sam', passwordOf('sam'))).status).toBe(401);
      expect((await new TestClient(t.url).login('sam', 'sam-password-2')).status).toBe(200);
    });

    it('an admin resetting their own password through the admin API ends their other sessions too', async () => {
      const second = await createUser(admin, 'ada');
      await admin.request('PATCH', `/api/admin/users/${second.id}`, { role: 'admin' });
      const [console1, console2] = [await signIn('ada'), await signIn('ada')];
      const res = await console1.request('POST', `/api/admin/users/${second.id}/password`, {
        password: 'ada-password-2',
      });
      expect(res.status).toBe(204);
      expect((await console2.request('GET', '/api/auth/session')).status).toBe(401);
      expect((await console1.request('GET', '/api/auth/session')).status).toBe(200);
      expect((await new TestClient(t.url).login('ada', passwordOf('ada'))).status).toBe(401);
    });
  });

  describe('session fixation', () => {
    let victim: UserDto;
    let attacker: TestClient;

    beforeAll(async () => {
      victim = await createUser(admin, 'victor');
      await createUser(admin, 'mallory');
      attacker = await signIn('mallory');
    });

    it('does not adopt a planted valid session of another account: the victim gets a fresh token and CSRF token', async () => {
      const planted = attacker.cookie!.slice('miyu_session='.length);
      const res = await loginCarrying(`miyu_session=${planted}`, 'victor');
      expect(res.status).toBe(200);
      const fresh = sessionTokenOf(res);
      expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(fresh).not.toBe(planted);
      const state = (await res.json()) as AuthState;
      expect(state.user.id).toBe(victim.id);
      expect(state.csrfToken).not.toBe(attacker.csrfToken);

      // The planted token is still the attacker's own session, not the victim's.
      expect(await whoIs(planted)).toEqual({ status: 200, login: 'mallory' });
      expect(await whoIs(fresh!)).toEqual({ status: 200, login: 'victor' });
      // The attacker's CSRF token does not work with the victim's session.
      const forged = await fetch(`${t.url}/api/auth/sessions/revoke-others`, {
        method: 'POST',
        headers: { cookie: `miyu_session=${fresh}`, 'x-csrf-token': attacker.csrfToken! },
      });
      expect(forged.status).toBe(403);
      expect(((await forged.json()) as ErrorBody).error.code).toBe('CSRF_INVALID');
    });

    it('does not adopt a made-up token either, and never makes it valid', async () => {
      const madeUp = randomBytes(32).toString('base64url');
      const res = await loginCarrying(`miyu_session=${madeUp}`, 'victor');
      expect(res.status).toBe(200);
      const fresh = sessionTokenOf(res);
      expect(fresh).not.toBe(madeUp);
      expect(await whoIs(madeUp)).toEqual({ status: 401, login: null });
      expect(await whoIs(fresh!)).toEqual({ status: 200, login: 'victor' });
    });

    it('rotates the CSRF token with every new session; a previous session’s token is refused', async () => {
      const first = await signIn('victor');
      const second = await signIn('victor');
      expect(second.csrfToken).not.toBe(first.csrfToken);
      expect(second.cookie).not.toBe(first.cookie);
      const withOld = await second.request<ErrorBody>('POST', '/api/auth/sessions/revoke-others', undefined, {
        'x-csrf-token': first.csrfToken!,
      });
      expect(withOld.status).toBe(403);
      expect(withOld.body.error.code).toBe('CSRF_INVALID');
      // Signing out and in again: a new session and a new CSRF token; the old session is dead.
      const oldToken = first.cookie!.slice('miyu_session='.length);
      const oldCsrf = first.csrfToken!;
      expect((await first.request('POST', '/api/auth/logout')).status).toBe(204);
      const again = await signIn('victor');
      expect(again.csrfToken).not.toBe(oldCsrf);
      expect((await whoIs(oldToken)).status).toBe(401);
    });
  });
});
