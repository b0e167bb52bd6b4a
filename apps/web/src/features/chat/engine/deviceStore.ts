import type { CryptoStore, DecodedContent, EscrowStatus } from '@miyu/crypto';
import type { TimelineMessage } from '@miyu/protocol';

/**
 * One timeline entry as this device keeps it: the server's metadata plus, for messages, the content this device
 * decrypted (or why it could not). Decrypted history lives only here, in the browser profile of the user's own
 * device; the server has ciphertext only.
 */
export interface StoredMessage extends Omit<TimelineMessage, 'envelope'> {
  /** Null for system events and for messages not decrypted (yet). */
  content: DecodedContent | null;
  /** Why a message is not readable: `waiting-for-key` resolves by itself when the key arrives. */
  problem: MessageProblem | null;
  /** The libs/crypto error code behind `problem` (shown as the reason when it does not resolve). */
  problemCode?: string | null;
  /**
   * The recipient's check of the compliance escrow wrap (libs/crypto): `mismatch` and `missing` show a red warning.
   * Absent on messages stored before the check existed, and on the user's own sends.
   */
  escrow?: EscrowStatus;
}

export type MessageProblem = 'waiting-for-key' | 'malformed' | 'undecryptable';

/** Everything a device keeps locally: its crypto state (libs/crypto CryptoStore), small settings and messages. */
export interface DeviceStore extends CryptoStore {
  getMeta<T>(key: string): Promise<T | null>;
  setMeta(key: string, value: unknown): Promise<void>;
  putMessages(messages: readonly StoredMessage[]): Promise<void>;
  /** Up to `limit` messages of a conversation with seq < `beforeSeq` (all when omitted), oldest first. */
  messages(conversationId: string, beforeSeq?: number, limit?: number): Promise<StoredMessage[]>;
  /** Every stored message (search scans them). */
  allMessages(): Promise<StoredMessage[]>;
  /** Deletes everything this device holds (signing out with "delete local keys"). */
  wipe(): Promise<void>;
}

export type DeviceStoreFactory = (userId: string) => Promise<DeviceStore>;
