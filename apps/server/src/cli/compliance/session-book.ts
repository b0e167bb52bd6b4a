import {
  type Envelope,
  type InboundSenderKey,
  type X25519KeyPair,
  escrowedSessionExport,
  escrowUnwrap,
  fromBase64Url,
  importSenderKey,
  isCryptoError,
  toBase64Url,
} from '@miyu/crypto';
import type { ExportEscrowSession } from '@miyu/protocol';

/**
 * The sender-key sessions of one conversation, rebuilt at index 0 from their escrow wraps with the compliance
 * private key (docs/protocol.md §11). Wraps come from the sessions endpoint and, for any session it did not list,
 * from the envelope itself (every envelope of a retained session carries the wrap). This map is all the exporter
 * keeps in memory while messages stream past; a wrap that does not open is remembered as such, not retried.
 */

export type SessionLookup = { ok: true; session: InboundSenderKey } | { ok: false; code: string; message: string };

export interface SessionMeta {
  conversationId: string;
  senderUserId: string;
  senderDeviceId: string;
}

export class SessionBook {
  private readonly sessions = new Map<string, SessionLookup>();
  /** Listed sessions wrapped to a key other than ours (an earlier or later compliance key). */
  private readonly otherKey = new Set<string>();

  constructor(
    private readonly compliance: X25519KeyPair,
    /** The server's id of our key, to tell "wrapped to another key" from "wrap does not open". */
    private readonly keyId: string | null = null,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Adds the sessions the server lists for a conversation. */
  addListed(conversationId: string, listed: readonly ExportEscrowSession[]): void {
    for (const s of listed) {
      if (this.keyId !== null && s.keyId !== this.keyId) {
        this.otherKey.add(s.sessionId);
        continue;
      }
      let wrap: Uint8Array;
      try {
        wrap = fromBase64Url(s.wrap, 'escrow wrap');
      } catch {
        this.sessions.set(s.sessionId, {
          ok: false,
          code: 'ESCROW_MALFORMED',
          message: 'the listed wrap is not base64url',
        });
        continue;
      }
      this.sessions.set(
        s.sessionId,
        this.open(wrap, { conversationId, senderUserId: s.senderUserId, senderDeviceId: s.senderDeviceId }),
      );
    }
  }

  /**
   * The session for an envelope: the listed one, else one rebuilt from the envelope's own wrap (whose
   * metadata is covered by the envelope's signature, checked when decrypting).
   */
  lookup(envelope: Envelope): SessionLookup {
    const id = toBase64Url(envelope.sessionId);
    const known = this.sessions.get(id);
    if (known && (known.ok || envelope.escrow === null)) return known;
    if (envelope.escrow === null) {
      return this.otherKey.has(id)
        ? { ok: false, code: 'ESCROW_OTHER_KEY', message: 'the session is wrapped to another compliance key' }
        : { ok: false, code: 'NO_ESCROW', message: 'the message carries no escrow wrap and none is listed' };
    }
    const fromEnvelope = this.open(envelope.escrow, envelope);
    if (!fromEnvelope.ok && this.otherKey.has(id))
      return { ok: false, code: 'ESCROW_OTHER_KEY', message: 'the session is wrapped to another compliance key' };
    if (!known || fromEnvelope.ok) this.sessions.set(id, fromEnvelope);
    return fromEnvelope;
  }

  private open(wrap: Uint8Array, meta: SessionMeta): SessionLookup {
    try {
      const escrowed = escrowUnwrap(wrap, this.compliance);
      return {
        ok: true,
        session: importSenderKey(
          escrowedSessionExport(escrowed, {
            conversationId: meta.conversationId,
            senderUserId: meta.senderUserId,
            senderDeviceId: meta.senderDeviceId,
          }),
        ),
      };
    } catch (error) {
      if (!isCryptoError(error)) throw error;
      return {
        ok: false,
        code: 'ESCROW_UNREADABLE',
        message: `the escrow wrap does not open with this compliance key (${error.code})`,
      };
    }
  }
}
