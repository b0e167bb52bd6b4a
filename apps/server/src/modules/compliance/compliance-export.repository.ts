import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ExportConversationRow {
  id: string;
  kind: 'direct' | 'group' | 'department';
  name: string | null;
  created_at: Date;
  last_seq: string;
  members: string[];
}

export interface ExportMessageRow {
  seq: string;
  server_ts: Date;
  sender_user_id: string | null;
  sender_device_id: string | null;
  envelope: Buffer | null;
  system: Record<string, unknown> | null;
  recalled_at: Date | null;
  recalled_by: string | null;
}

/** Most conversations one export lists (narrow with --users or --conversations beyond that). */
export const MAX_EXPORT_CONVERSATIONS = 10_000;

/** Reads for the compliance export: only conversations that hold escrowed sessions, i.e. that were retained. */
@Injectable()
export class ComplianceExportRepository {
  constructor(private readonly dataSource: DataSource) {}

  conversations(filter: {
    userIds: string[] | null;
    conversationIds: string[] | null;
  }): Promise<ExportConversationRow[]> {
    return this.dataSource.query(
      `SELECT c.id, c.kind, c.name, c.created_at, c.last_seq,
              ARRAY(SELECT m.user_id FROM conversation_members m WHERE m.conversation_id = c.id ORDER BY m.joined_at)
                AS members
       FROM conversations c
       WHERE EXISTS (SELECT 1 FROM escrow_sessions e WHERE e.conversation_id = c.id)
         AND ($1::uuid[] IS NULL OR c.id = ANY($1::uuid[]))
         AND ($2::uuid[] IS NULL OR EXISTS (
               SELECT 1 FROM conversation_members m WHERE m.conversation_id = c.id AND m.user_id = ANY($2::uuid[])))
       ORDER BY c.created_at, c.id
       LIMIT ${MAX_EXPORT_CONVERSATIONS}`,
      [filter.conversationIds, filter.userIds],
    );
  }

  people(
    userIds: string[],
  ): Promise<
    Array<{ id: string; display_name: string; login: string; employee_no: string | null; email: string | null }>
  > {
    return this.dataSource.query(
      `SELECT id, display_name, login, employee_no, email FROM users WHERE id = ANY($1::uuid[]) ORDER BY id`,
      [userIds],
    );
  }

  async isRetained(conversationId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM escrow_sessions WHERE conversation_id = $1 LIMIT 1`, [
      conversationId,
    ])) as unknown[];
    return rows.length > 0;
  }

  /** One page in seq order (the primary key), recalled messages included with their envelope. */
  messages(q: {
    conversationId: string;
    afterSeq: number;
    limit: number;
    from: Date | null;
    to: Date | null;
  }): Promise<ExportMessageRow[]> {
    return this.dataSource.query(
      `SELECT seq, server_ts, sender_user_id, sender_device_id, envelope, system, recalled_at, recalled_by
       FROM messages
       WHERE conversation_id = $1 AND seq > $2
         AND ($3::timestamptz IS NULL OR server_ts >= $3) AND ($4::timestamptz IS NULL OR server_ts < $4)
       ORDER BY seq LIMIT $5`,
      [q.conversationId, q.afterSeq, q.from, q.to, q.limit],
    );
  }

  sessions(conversationId: string): Promise<
    Array<{
      session_id: Buffer;
      sender_user_id: string;
      sender_device_id: string;
      key_id: string;
      wrap: Buffer;
      first_seq: string;
    }>
  > {
    return this.dataSource.query(
      `SELECT session_id, sender_user_id, sender_device_id, key_id, wrap, first_seq
       FROM escrow_sessions WHERE conversation_id = $1 ORDER BY first_seq`,
      [conversationId],
    );
  }

  async attachment(id: string): Promise<{ conversation_id: string; size: string; completed_at: Date | null } | null> {
    const rows = (await this.dataSource.query(
      `SELECT conversation_id, size, completed_at FROM attachments WHERE id = $1`,
      [id],
    )) as Array<{ conversation_id: string; size: string; completed_at: Date | null }>;
    return rows[0] ?? null;
  }
}
