import { type DecodedContent, type MessageContent, decodeContent, encodeContent } from './content.js';
import type { Envelope } from './envelope.js';
import { type EscrowStatus, checkEscrow, checkEscrowAgainst } from './escrow.js';
import { pad, unpad } from './padding.js';
import type { RandomSource } from './primitives.js';
import { systemRandom } from './primitives.js';
import {
  type InboundSenderKey,
  type OutboundSenderKey,
  senderKeyDecrypt,
  senderKeyDecryptHistory,
  senderKeyEncrypt,
} from './sender-keys.js';

/** Conversation messages end to end: content → padding → sender-key envelope, and back. */

export function encryptGroupMessage(
  session: OutboundSenderKey,
  message: { clientMsgId: string; policyVersion: number; content: MessageContent; nonce?: Uint8Array },
  random: RandomSource = systemRandom,
): { session: OutboundSenderKey; envelope: Envelope } {
  const plaintext = pad(encodeContent(message.content));
  const out: { clientMsgId: string; policyVersion: number; plaintext: Uint8Array; nonce?: Uint8Array } = {
    clientMsgId: message.clientMsgId,
    policyVersion: message.policyVersion,
    plaintext,
  };
  if (message.nonce) out.nonce = message.nonce;
  return senderKeyEncrypt(session, out, random);
}

export interface EscrowExpectation {
  /** Every compliance public key the org lists (active and retired). */
  keys: readonly Uint8Array[];
  /** The conversation was under retention when the message was sent: a missing wrap is reported. */
  expected: boolean;
}

export interface DecryptedGroupMessage {
  content: DecodedContent;
  escrow: EscrowStatus;
}

/**
 * Opens an envelope with the matching inbound session. `mode: 'live'` enforces single use and advances the
 * session; `mode: 'history'` re-reads stored ciphertext without touching state. Content is decoded only after
 * authentication, so a failure never yields partial plaintext.
 */
export function decryptGroupMessage(
  session: InboundSenderKey,
  envelope: Envelope,
  options: {
    compliancePublicKey: Uint8Array | null;
    mode?: 'live' | 'history';
    /** Check the wrap against these keys instead, expecting one when `expected` (the caller knows retention). */
    compliance?: EscrowExpectation;
  },
): { session: InboundSenderKey; message: DecryptedGroupMessage } {
  let next = session;
  let padded: Uint8Array;
  if (options.mode === 'history') {
    padded = senderKeyDecryptHistory(session, envelope);
  } else {
    const out = senderKeyDecrypt(session, envelope);
    next = out.session;
    padded = out.plaintext;
  }
  const content = decodeContent(unpad(padded));
  return {
    session: next,
    message: {
      content,
      escrow: options.compliance
        ? checkEscrowAgainst(session, envelope.escrow, options.compliance.keys, options.compliance.expected)
        : checkEscrow(session, envelope.escrow, options.compliancePublicKey),
    },
  };
}
