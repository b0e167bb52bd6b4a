// Setup shortcuts by SQL in a bench's throwaway database, for scales where the API would only measure Argon2
// (one hash per account, one per sign-in). Column lists follow apps/server/src/database/migrations.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { SESSION_COOKIE } from '@miyu/protocol';
import { inBatches } from './batches.js';
import { type Client, clientUuid, connectSocket, type HttpSession } from './clients.js';

/** Accounts that cannot sign in (password hash '!'), as the directory bench and the 5,000-member test make them. */
export async function insertUsers(db: pg.Pool, n: number, prefix: string): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  for (let i = 0; i < n; i += 5000) {
    await db.query(
      `INSERT INTO users (id, login, display_name, password_hash)
       SELECT id, $2 || '-' || (n + $3), $2 || ' ' || lpad((n + $3)::text, 5, '0'), '!'
         FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n)`,
      [ids.slice(i, i + 5000), prefix, i],
    );
  }
  return ids;
}

/**
 * A signed-in session per user, as AuthService would create it (sessions.token_hash = SHA-256 of the cookie
 * token): returns the Cookie header value and CSRF token of each.
 */
export async function insertSessions(db: pg.Pool, userIds: readonly string[]): Promise<HttpSession[]> {
  const tokens = userIds.map(() => randomBytes(32).toString('base64url'));
  const csrf = randomBytes(24).toString('base64url');
  await db.query(
    `INSERT INTO sessions (id, user_id, token_hash, csrf_token, expires_at)
     SELECT gen_random_uuid(), u, h, $3, now() + interval '1 day' FROM unnest($1::uuid[], $2::bytea[]) AS x(u, h)`,
    [userIds, tokens.map((t) => createHash('sha256').update(t, 'utf8').digest()), csrf],
  );
  return tokens.map((t) => ({ cookie: `${SESSION_COOKIE}=${t}`, csrf }));
}

/**
 * One active device per user, carrying the public keys of a device registered through the API (`template`):
 * enough for the socket handshake and for anything that does not decrypt. Returns the device ids.
 */
export async function insertDevices(db: pg.Pool, template: string, userIds: readonly string[]): Promise<string[]> {
  const ids = userIds.map(() => clientUuid());
  const res = await db.query(
    `INSERT INTO devices (id, user_id, name, identity, signing_key, signed_prekey_id, signed_prekey,
                          signed_prekey_created_at, signed_prekey_signature)
     SELECT x.id, x.u, 'bench', d.identity, d.signing_key, d.signed_prekey_id, d.signed_prekey,
            d.signed_prekey_created_at, d.signed_prekey_signature
       FROM unnest($1::uuid[], $2::uuid[]) AS x(id, u) CROSS JOIN devices d WHERE d.id = $3`,
    [ids, userIds, template],
  );
  if (res.rowCount !== ids.length) throw new Error(`template device ${template} not found`);
  return ids;
}

/**
 * Appends `n` messages from one sender to each conversation (seqs last_seq+1 .. last_seq+n, opaque 300-byte
 * envelopes) and moves last_seq, in one transaction: history to read without paying for `message:send`.
 * Returns each conversation's last_seq before the insert.
 */
export async function insertMessages(
  db: pg.Pool,
  rows: ReadonlyArray<{ conversationId: string; senderUserId: string; senderDeviceId: string }>,
  n: number,
): Promise<Map<string, number>> {
  const c = await db.connect();
  try {
    await c.query('BEGIN');
    const before = await c.query<{ id: string; last_seq: string }>(
      `SELECT id, last_seq FROM conversations WHERE id = ANY($1::uuid[]) FOR UPDATE`,
      [rows.map((r) => r.conversationId)],
    );
    await c.query(
      `INSERT INTO messages (conversation_id, seq, client_msg_id, sender_user_id, sender_device_id, envelope)
       SELECT x.conv, c.last_seq + g, gen_random_uuid(), x.sender, x.device, $4::bytea
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS x(conv, sender, device)
         JOIN conversations c ON c.id = x.conv CROSS JOIN generate_series(1, $5::int) AS g`,
      [
        rows.map((r) => r.conversationId),
        rows.map((r) => r.senderUserId),
        rows.map((r) => r.senderDeviceId),
        randomBytes(300),
        n,
      ],
    );
    await c.query(`UPDATE conversations SET last_seq = last_seq + $2 WHERE id = ANY($1::uuid[])`, [
      rows.map((r) => r.conversationId),
      n,
    ]);
    await c.query('COMMIT');
    return new Map(before.rows.map((r) => [r.id, Number(r.last_seq)]));
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  } finally {
    c.release();
  }
}

/**
 * `n` signed-in clients made by SQL (accounts, sessions, devices carrying `templateDevice`'s public keys), each
 * connected over socket.io through the real handshake, `concurrency` at a time.
 */
export async function insertClients(
  db: pg.Pool,
  url: string,
  templateDevice: string,
  n: number,
  prefix: string,
  concurrency = 50,
): Promise<Client[]> {
  const userIds = await insertUsers(db, n, prefix);
  const sessions = await insertSessions(db, userIds);
  const devices = await insertDevices(db, templateDevice, userIds);
  return inBatches(
    userIds.map((_, i) => i),
    concurrency,
    async (i): Promise<Client> => {
      const { cookie, csrf } = sessions[i]!;
      const deviceId = devices[i]!;
      return { userId: userIds[i]!, deviceId, cookie, csrf, socket: await connectSocket(url, cookie, deviceId) };
    },
  );
}
