import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ActiveComplianceKey {
  id: string;
  encryptionKey: Buffer;
}

export interface RetentionState {
  retained: boolean;
  /** The earliest start among the scopes that apply. */
  since: Date | null;
  key: ActiveComplianceKey | null;
}

interface ScopeSnapshot {
  key: ActiveComplianceKey | null;
  scopes: Array<{ kind: 'org' | 'department' | 'user'; targetId: string | null; startsAt: Date }>;
}

/** Scopes and key change rarely: re-read at most once a second (and at once on this process after a change). */
const SNAPSHOT_TTL_MS = 1_000;
/** Membership changes are picked up within this time (clients also check before they send). */
const CONVERSATION_TTL_MS = 2_000;
const MAX_CACHED_CONVERSATIONS = 10_000;

/** Department and person scopes that apply to a conversation: a current member in the department's subtree, or held. */
const SCOPES_OF_CONVERSATION_SQL = `
  SELECT min(s.starts_at) AS since
  FROM retention_scopes s
  WHERE s.ended_at IS NULL AND s.starts_at <= now() AND s.kind <> 'org'
    AND EXISTS (
      SELECT 1 FROM conversation_members m
      WHERE m.conversation_id = $1 AND m.left_at IS NULL
        AND ((s.kind = 'user' AND m.user_id = s.target_id)
          OR (s.kind = 'department' AND EXISTS (
                SELECT 1 FROM department_members dm, departments d
                WHERE d.id = s.target_id AND dm.user_id = m.user_id
                  AND (dm.department_path = d.path OR dm.department_path LIKE d.path || '.%')))))`;

/**
 * Whether a conversation is under compliance retention (ARCHITECTURE §6): it is when anyone in it is in an active
 * scope — the whole org, a department (with its subdepartments) or a person under legal hold — whose start time has
 * passed. The send path asks on every message, so answers are cached briefly.
 */
@Injectable()
export class RetentionResolver {
  private snapshot: { at: number; value: Promise<ScopeSnapshot> } | null = null;
  private readonly conversations = new Map<string, { at: number; value: Promise<RetentionState> }>();

  constructor(private readonly dataSource: DataSource) {}

  /** Forget cached answers (after a change of keys or scopes on this process). */
  invalidate(): void {
    this.snapshot = null;
    this.conversations.clear();
  }

  async activeKey(): Promise<ActiveComplianceKey | null> {
    return (await this.load()).key;
  }

  forConversation(conversationId: string): Promise<RetentionState> {
    const now = Date.now();
    const cached = this.conversations.get(conversationId);
    if (cached && now - cached.at < CONVERSATION_TTL_MS) return cached.value;
    const value = this.resolve(conversationId, now);
    if (this.conversations.size >= MAX_CACHED_CONVERSATIONS) this.conversations.clear();
    this.conversations.set(conversationId, { at: now, value });
    value.catch(() => this.conversations.delete(conversationId));
    return value;
  }

  private async resolve(conversationId: string, now: number): Promise<RetentionState> {
    const { key, scopes } = await this.load();
    const started = scopes.filter((s) => s.startsAt.getTime() <= now);
    if (!key || started.length === 0) return { retained: false, since: null, key };
    const org = started.find((s) => s.kind === 'org');
    if (org) return { retained: true, since: org.startsAt, key };
    const [row] = (await this.dataSource.query(SCOPES_OF_CONVERSATION_SQL, [conversationId])) as Array<{
      since: Date | null;
    }>;
    const since = row?.since ?? null;
    return { retained: since !== null, since, key };
  }

  private load(): Promise<ScopeSnapshot> {
    const now = Date.now();
    if (this.snapshot && now - this.snapshot.at < SNAPSHOT_TTL_MS) return this.snapshot.value;
    const value = this.read();
    this.snapshot = { at: now, value };
    value.catch(() => (this.snapshot = null));
    return value;
  }

  private async read(): Promise<ScopeSnapshot> {
    const [keys, scopes] = (await Promise.all([
      this.dataSource.query(`SELECT id, encryption_key FROM compliance_keys WHERE retired_at IS NULL`),
      this.dataSource.query(
        `SELECT kind, target_id, starts_at FROM retention_scopes WHERE ended_at IS NULL ORDER BY starts_at`,
      ),
    ])) as [
      Array<{ id: string; encryption_key: Buffer }>,
      Array<{ kind: 'org' | 'department' | 'user'; target_id: string | null; starts_at: Date }>,
    ];
    const key = keys[0] ? { id: keys[0].id, encryptionKey: keys[0].encryption_key } : null;
    return { key, scopes: scopes.map((s) => ({ kind: s.kind, targetId: s.target_id, startsAt: s.starts_at })) };
  }
}
