import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface WebhookRow {
  id: string;
  conversationId: string;
  name: string;
  avatarUrl: string | null;
  botUserId: string;
  botDeviceId: string;
  secretBox: Buffer;
  createdBy: string | null;
  createdAt: Date;
  lastPostedAt: Date | null;
}

const COLUMNS = `id, conversation_id AS "conversationId", name, avatar_url AS "avatarUrl", bot_user_id AS "botUserId",
  bot_device_id AS "botDeviceId", secret_box AS "secretBox", created_by AS "createdBy", created_at AS "createdAt",
  last_posted_at AS "lastPostedAt"`;

/** Webhooks, their bot users and the per-hook rate window (plain SQL: the tables have no entity). */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async find(id: string): Promise<WebhookRow | null> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM webhooks WHERE id = $1`, [id])) as WebhookRow[];
    return rows[0] ?? null;
  }

  async listFor(conversationId: string): Promise<WebhookRow[]> {
    return (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhooks WHERE conversation_id = $1 ORDER BY created_at, id`,
      [conversationId],
    )) as WebhookRow[];
  }

  async insertBotUser(
    user: { id: string; login: string; displayName: string; passwordHash: string },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO users (id, login, display_name, password_hash, role, status, bot, locale)
       VALUES ($1, $2, $3, $4, 'member', 'active', true, 'zh-CN')`,
      [user.id, user.login, user.displayName, user.passwordHash],
    );
  }

  async insert(row: Omit<WebhookRow, 'createdAt' | 'lastPostedAt'>, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO webhooks (id, conversation_id, name, avatar_url, bot_user_id, bot_device_id, secret_box, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        row.id,
        row.conversationId,
        row.name,
        row.avatarUrl,
        row.botUserId,
        row.botDeviceId,
        row.secretBox,
        row.createdBy,
      ],
    );
  }

  async setSecret(id: string, secretBox: Buffer): Promise<void> {
    await this.dataSource.query(`UPDATE webhooks SET secret_box = $2 WHERE id = $1`, [id, secretBox]);
  }

  /** Deletes the hook and its bot's crypto state; the bot user stays (disabled) so old messages keep a name. */
  async delete(row: WebhookRow): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM webhooks WHERE id = $1`, [row.id]);
      await manager.query(`DELETE FROM webhook_bot_store WHERE device_id = $1`, [row.botDeviceId]);
      await manager.query(
        `UPDATE users SET status = 'disabled', disabled_at = now(), updated_at = now() WHERE id = $1`,
        [row.botUserId],
      );
    });
  }

  /** Removes a bot user that never got its hook (creation failed half-way). */
  async deleteBotUser(userId: string, deviceId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM webhook_bot_store WHERE device_id = $1`, [deviceId]);
    await this.dataSource.query(`DELETE FROM users WHERE id = $1 AND bot`, [userId]);
  }

  /**
   * Counts one post in the hook's fixed one-minute window (a new window starts when the last one is over).
   * Returns the count including this post and when the window ends.
   */
  async countPost(id: string): Promise<{ count: number; windowEndsAt: Date }> {
    const rows = (await this.dataSource.query(
      `UPDATE webhooks SET
         rate_count = CASE WHEN rate_window_start IS NULL OR rate_window_start <= now() - interval '1 minute'
                           THEN 1 ELSE rate_count + 1 END,
         rate_window_start = CASE WHEN rate_window_start IS NULL OR rate_window_start <= now() - interval '1 minute'
                                  THEN now() ELSE rate_window_start END
       WHERE id = $1
       RETURNING rate_count AS count, rate_window_start + interval '1 minute' AS "windowEndsAt"`,
      [id],
    )) as [Array<{ count: number; windowEndsAt: Date }>, number];
    const row = rows[0][0]!;
    return { count: Number(row.count), windowEndsAt: new Date(row.windowEndsAt) };
  }

  async markPosted(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE webhooks SET last_posted_at = now() WHERE id = $1`, [id]);
  }

  /** Every active device of the conversation's active members, but `exceptDeviceId`. */
  async memberDevices(
    conversationId: string,
    exceptDeviceId: string,
  ): Promise<Array<{ userId: string; deviceId: string }>> {
    return (await this.dataSource.query(
      `SELECT d.user_id AS "userId", d.id AS "deviceId"
         FROM conversation_members m JOIN devices d ON d.user_id = m.user_id AND d.revoked_at IS NULL
        WHERE m.conversation_id = $1 AND m.left_at IS NULL AND d.id <> $2
        ORDER BY d.user_id, d.id`,
      [conversationId, exceptDeviceId],
    )) as Array<{ userId: string; deviceId: string }>;
  }

  /** Display names of the given users who are active members of the conversation. */
  async memberNames(conversationId: string, userIds: string[]): Promise<Map<string, string>> {
    if (userIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT u.id, u.display_name AS "displayName"
         FROM conversation_members m JOIN users u ON u.id = m.user_id
        WHERE m.conversation_id = $1 AND m.left_at IS NULL AND u.id = ANY($2::uuid[])`,
      [conversationId, userIds],
    )) as Array<{ id: string; displayName: string }>;
    return new Map(rows.map((r) => [r.id, r.displayName]));
  }

  /** Bot users who are or were members of the conversation, with their hook's avatar while it exists. */
  async botsOf(conversationId: string): Promise<Array<{ userId: string; name: string; avatarUrl: string | null }>> {
    return (await this.dataSource.query(
      `SELECT u.id AS "userId", u.display_name AS name, w.avatar_url AS "avatarUrl"
         FROM conversation_members m JOIN users u ON u.id = m.user_id AND u.bot
         LEFT JOIN webhooks w ON w.bot_user_id = u.id
        WHERE m.conversation_id = $1
        ORDER BY u.id`,
      [conversationId],
    )) as Array<{ userId: string; name: string; avatarUrl: string | null }>;
  }
}
