import {
  fromBase64Url,
  generateRecoveryKey,
  historyKeyId,
  type MiyuCrypto,
  recoveryKeyFromWords,
  recoveryKeyToWords,
  toBase64Url,
  unwrapHistoryKey,
  wrapHistoryKey,
} from '@miyu/crypto';
import { isApiError } from '../../../lib/apiClient';
import type { ChatApi } from './chatApi';
import type { DeviceStore } from './deviceStore';

/**
 * The History Key on this device (ARCHITECTURE §5, docs/protocol.md §12): what lets any of the user's devices read
 * all their history. The first device creates it and a recovery key (shown once as words); later devices get it
 * from the recovery key (or by pairing) and restore the backups.
 */
export type HistorySetup =
  /** The History Key is on this device. */
  | { kind: 'ready' }
  /** First device: the recovery key to show once, until the user confirms they saved it. */
  | { kind: 'show-recovery-key'; words: string }
  /** Another device set history up: restore with the recovery key (or skip: older messages stay unreadable). */
  | { kind: 'restore' };

const PENDING_WORDS = 'pendingRecoveryWords';

export async function prepareHistory(api: ChatApi, crypto: MiyuCrypto, store: DeviceStore): Promise<HistorySetup> {
  const pendingWords = await store.getMeta<string>(PENDING_WORDS);
  if (await crypto.getHistoryKey()) {
    return pendingWords ? { kind: 'show-recovery-key', words: pendingWords } : { kind: 'ready' };
  }
  const { recovery } = await api.recovery();
  if (recovery) return { kind: 'restore' };
  const historyKey = await crypto.createHistoryKey();
  const recoveryKey = generateRecoveryKey();
  try {
    await api.putRecovery(
      toBase64Url(historyKeyId(historyKey)),
      toBase64Url(wrapHistoryKey(historyKey, { recoveryKey })),
    );
  } catch (error) {
    // Another first device won the race: its History Key is the account's; restore it instead.
    if (isApiError(error) && error.code === 'HISTORY_KEY_MISMATCH') return { kind: 'restore' };
    throw error;
  }
  const words = recoveryKeyToWords(recoveryKey);
  // Kept until the user confirms, so a reload before that shows the same words again.
  await store.setMeta(PENDING_WORDS, words);
  return { kind: 'show-recovery-key', words };
}

/** The user saved the recovery key: forget the words on this device. */
export async function recoveryKeySaved(store: DeviceStore): Promise<void> {
  await store.setMeta(PENDING_WORDS, null);
}

/**
 * Opens the History Key with the recovery key words and restores every backed-up session. Throws CryptoError
 * `BAD_RECOVERY_KEY` (typo, checksum) or `DECRYPT_FAILED` (a recovery key of another account or an old one).
 */
export async function restoreWithRecoveryKey(
  api: ChatApi,
  crypto: MiyuCrypto,
  words: string,
): Promise<{ restored: number; failed: number }> {
  const recoveryKey = recoveryKeyFromWords(words);
  const { recovery } = await api.recovery();
  if (!recovery) throw new Error('no recovery wrap on the server');
  const historyKey = unwrapHistoryKey(fromBase64Url(recovery.wrap), { recoveryKey });
  await crypto.setHistoryKey(historyKey);
  return restoreBackups(api, crypto, recovery.keyId);
}

export async function restoreBackups(
  api: ChatApi,
  crypto: MiyuCrypto,
  keyId: string,
): Promise<{ restored: number; failed: number }> {
  const blobs: Uint8Array[] = [];
  let after: string | null = null;
  do {
    const page = await api.backups(keyId, after);
    blobs.push(...page.items.map((i) => fromBase64Url(i.blob)));
    after = page.next;
  } while (after);
  return crypto.restoreBackup(blobs);
}

/** Uploads the sessions this device has not backed up yet (no-op without a History Key). */
export async function uploadPendingBackups(api: ChatApi, crypto: MiyuCrypto, deviceId: string): Promise<number> {
  if (!(await crypto.getHistoryKey())) return 0;
  // Two-phase: markers are cleared only for what the server stored, so a failed upload is retried later.
  const pending = await crypto.pendingBackups();
  for (let i = 0; i < pending.length; i += 500) {
    const chunk = pending.slice(i, i + 500);
    await api.putBackups(
      deviceId,
      chunk.map(({ item }) => ({
        keyId: toBase64Url(item.keyId),
        sessionId: toBase64Url(item.sessionId),
        blob: toBase64Url(item.blob),
      })),
    );
    await crypto.backupsStored(chunk);
  }
  return pending.length;
}
