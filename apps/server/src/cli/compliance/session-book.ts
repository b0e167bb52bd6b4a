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
 * private keys given (docs/protocol.md §11, docs/compliance-export.md). Wraps come from the sessions endpoint and,
 * for any session it did not list, from the envelope itself (every envelope of a retained session carries the
 * wrap). A wrap names no key: each key is tried in turn — the one the server says the wrap is for first — and a
 * wrong key fails at once in the AEAD. This map is all the exporter keeps in memory while messages stream past; a
 * wrap that does not open is remembered as such, not retried.
 */

export type SessionLookup = { ok: true; session: InboundSenderKey } | { ok: false; code: string; message: string };

export interface SessionMeta {
  conversationId: string;
  senderUserId: string;
  senderDeviceId: string;
}

/** One of the compliance keys the export was given. */
export interface BookKey {
  /** The server's id of the key (from the notice), to tell "wrapped to a key not given" from "does not open". */
  keyId: string | null;
  pair: X25519KeyPair;
}

const OTHER_KEY: SessionLookup = {
  ok: false,
  code: 'ESCROW_OTHER_KEY',
  message: 'the session is wrapped to a compliance key that was not given (add its file with another --key)',
};

export class SessionBook {
  private readonly sessions = new Map<string, SessionLookup>();
  /** Listed sessions wrapped to a key none of ours (an earlier or later compliance key) that no given key opens. */
  private readonly otherKey = new Set<string>();
  private readonly keys: readonly BookKey[];

  constructor(keys: readonly BookKey[]) {
    if (keys.length === 0) throw new Error('SessionBook needs at least one compliance key');
    this.keys = [...keys];
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Adds the sessions the server lists for a conversation. */
  addListed(conversationId: string, listed: readonly ExportEscrowSession[]): void {
    for (const s of listed) {
      const ours = this.keys.some((k) => k.keyId !== null && k.keyId === s.keyId);
      let wrap: Uint8Array;
      try {
        wrap = fromBase64Url(s.wrap, 'escrow wrap');
      } catch {
        if (!ours) this.otherKey.add(s.sessionId);
        else
          this.sessions.set(s.sessionId, {
            ok: false,
            code: 'ESCROW_MALFORMED',
            message: 'the listed wrap is not base64url',
          });
        continue;
      }
      const opened = this.open(
        wrap,
        { conversationId, senderUserId: s.senderUserId, senderDeviceId: s.senderDeviceId },
        s.keyId,
      );
      if (!opened.ok && !ours) this.otherKey.add(s.sessionId);
      else this.sessions.set(s.sessionId, opened);
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
        ? OTHER_KEY
        : { ok: false, code: 'NO_ESCROW', message: 'the message carries no escrow wrap and none is listed' };
    }
    const fromEnvelope = this.open(envelope.escrow, envelope, null);
    if (!fromEnvelope.ok && this.otherKey.has(id)) return OTHER_KEY;
    if (!known || fromEnvelope.ok) this.sessions.set(id, fromEnvelope);
    return fromEnvelope;
  }

  /** Tries the key the server named first, then the others; the first that opens the wrap wins. */
  private open(wrap: Uint8Array, meta: SessionMeta, keyId: string | null): SessionLookup {
    const order = keyId === null ? this.keys : [...this.keys].sort((a, b) => rank(a, keyId) - rank(b, keyId));
    let lastCode = '';
    for (const key of order) {
      try {
        const escrowed = escrowUnwrap(wrap, key.pair);
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
        lastCode = error.code;
      }
    }
    return {
      ok: false,
      code: 'ESCROW_UNREADABLE',
      message:
        this.keys.length === 1
          ? `the escrow wrap does not open with this compliance key (${lastCode})`
          : `the escrow wrap opens with none of the ${this.keys.length} compliance keys given (${lastCode})`,
    };
  }
}

function rank(key: BookKey, keyId: string): number {
  return key.keyId === keyId ? 0 : 1;
}
