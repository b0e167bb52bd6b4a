import { assertX25519PublicKey, type EscrowExpectation, type EscrowStatus, fromBase64Url } from '@miyu/crypto';
import type { ComplianceNotice, ConversationRetention } from '@miyu/protocol';

/**
 * Compliance retention as this device sees it (ARCHITECTURE §6, docs/compliance.md): the org's notice (its name,
 * every listed compliance key, who is under legal hold) and each conversation's retention. The engine wraps new
 * sessions of a retained conversation to the org's key, checks the wraps others send, and shows the banner.
 */
export interface RetentionView {
  /** Null until fetched (or when the server could not be asked). */
  notice: ComplianceNotice | null;
  /** The retention of the conversations asked about so far (the ones opened or sent to). */
  conversations: Readonly<Record<string, ConversationRetention>>;
}

export const EMPTY_RETENTION: RetentionView = { notice: null, conversations: {} };

/** A retained conversation whose compliance key this device cannot apply: nothing is sent (docs/compliance.md). */
export class EscrowRequiredError extends Error {
  readonly code = 'ESCROW_REQUIRED';
  constructor(readonly conversationId: string) {
    super('This conversation is retained, but no compliance key can be applied to the message.');
  }
}

/** The server's refusals that mean this device's idea of a conversation's retention is out of date. */
export function isEscrowRefusal(code: string | undefined): boolean {
  return code === 'ESCROW_REQUIRED' || code === 'ESCROW_NOT_EXPECTED';
}

/** Escrow statuses that put a red warning on the message. */
export function isEscrowProblem(status: EscrowStatus | undefined): status is 'mismatch' | 'missing' {
  return status === 'mismatch' || status === 'missing';
}

/**
 * The key new sessions of a conversation are wrapped to: the conversation's compliance key when it is retained
 * (refused with EscrowRequiredError when there is none, or it is not a usable X25519 key), null when it is not.
 */
export function escrowKeyOf(retention: ConversationRetention): Uint8Array | null {
  if (!retention.retained) return null;
  if (!retention.encryptionKey) throw new EscrowRequiredError(retention.conversationId);
  try {
    return assertX25519PublicKey(fromBase64Url(retention.encryptionKey, 'compliance key'), 'compliance key');
  } catch {
    throw new EscrowRequiredError(retention.conversationId);
  }
}

/** Every usable key the org lists (active and retired): a wrap made under any of them verifies. */
export function listedKeys(notice: ComplianceNotice): Uint8Array[] {
  const keys: Uint8Array[] = [];
  for (const k of notice.keys) {
    try {
      const key = fromBase64Url(k.encryptionKey, 'compliance key');
      if (key.length === 32) keys.push(key);
    } catch {
      // A malformed entry cannot have wrapped anything this device could check.
    }
  }
  return keys;
}

/**
 * What a recipient checks a message's wrap against: every listed key, and whether a wrap was required — the
 * conversation is retained and the message was stored at or after the retention's start.
 */
export function escrowExpectation(
  keys: readonly Uint8Array[],
  retention: ConversationRetention,
  serverTs: string,
): EscrowExpectation {
  const since = retention.since === null ? Number.NaN : Date.parse(retention.since);
  return { keys, expected: retention.retained && Date.parse(serverTs) >= since };
}

export interface RetentionSource {
  notice: () => Promise<ComplianceNotice>;
  retention: (conversationId: string) => Promise<ConversationRetention>;
}

/**
 * Fetches and caches the notice and the conversations' retention. Entries are dropped when the server says
 * something changed (`compliance:changed`), or when a conversation's members or devices change; the view keeps
 * the last known values until the fresh ones arrive (the banner does not flicker). A fetch that was overtaken by
 * an invalidation never overwrites what came after it; a failed fetch is not cached.
 */
export class RetentionKeeper {
  private noticeLoad: Promise<ComplianceNotice> | null = null;
  private readonly loads = new Map<string, Promise<ConversationRetention>>();
  private view: RetentionView = EMPTY_RETENTION;

  constructor(
    private readonly source: RetentionSource,
    private readonly onChange: (view: RetentionView) => void = () => undefined,
  ) {}

  current(): RetentionView {
    return this.view;
  }

  notice(): Promise<ComplianceNotice> {
    if (this.noticeLoad) return this.noticeLoad;
    const load = this.source.notice();
    this.noticeLoad = load;
    load.then(
      (notice) => {
        if (this.noticeLoad === load) this.publish({ ...this.view, notice });
      },
      () => {
        if (this.noticeLoad === load) this.noticeLoad = null;
      },
    );
    return load;
  }

  of(conversationId: string): Promise<ConversationRetention> {
    const cached = this.loads.get(conversationId);
    if (cached) return cached;
    const load = this.source.retention(conversationId);
    this.loads.set(conversationId, load);
    load.then(
      (retention) => {
        if (this.loads.get(conversationId) === load)
          this.publish({ ...this.view, conversations: { ...this.view.conversations, [conversationId]: retention } });
      },
      () => {
        if (this.loads.get(conversationId) === load) this.loads.delete(conversationId);
      },
    );
    return load;
  }

  /** Members or devices of a conversation changed: its retention is asked again next time. */
  invalidate(conversationId: string): void {
    this.loads.delete(conversationId);
  }

  /** Keys, scopes or the organisation's name changed: everything is asked again next time. */
  invalidateAll(): void {
    this.noticeLoad = null;
    this.loads.clear();
  }

  /** The conversations whose retention is shown (to fetch again after an invalidation). */
  known(): string[] {
    return Object.keys(this.view.conversations);
  }

  /** Forgets a conversation the user is no longer in. */
  forget(conversationId: string): void {
    this.loads.delete(conversationId);
    if (!(conversationId in this.view.conversations)) return;
    const { [conversationId]: _gone, ...rest } = this.view.conversations;
    this.publish({ ...this.view, conversations: rest });
  }

  private publish(view: RetentionView): void {
    this.view = view;
    this.onChange(view);
  }
}
