import { fromBase64Url, safetyNumber, type SafetyNumber } from '@miyu/crypto';
import type { ChatApi } from './chatApi';
import type { DeviceStore } from './deviceStore';

/**
 * Safety numbers and "verified" contacts (docs/protocol.md §11). The number covers every device identity key of
 * both users, so it changes when either adds or removes a device. A contact marked verified is remembered with
 * the number as it was; a different number now means their (or your) keys changed since: shown as a warning
 * until the user compares again.
 */
export type Verification = 'unverified' | 'verified' | 'changed';

const VERIFIED = 'verifiedContacts';

export async function safetyNumberWith(api: ChatApi, selfUserId: string, peerUserId: string): Promise<SafetyNumber> {
  const [mine, theirs] = await Promise.all([api.devicesOf(selfUserId), api.devicesOf(peerUserId)]);
  return safetyNumber(
    { userId: selfUserId, deviceKeys: mine.map((d) => fromBase64Url(d.signingKey)) },
    { userId: peerUserId, deviceKeys: theirs.map((d) => fromBase64Url(d.signingKey)) },
  );
}

export async function verificationOf(
  store: DeviceStore,
  peerUserId: string,
  current: SafetyNumber,
): Promise<Verification> {
  const saved = (await store.getMeta<Record<string, string>>(VERIFIED))?.[peerUserId];
  if (!saved) return 'unverified';
  return saved === current.digits ? 'verified' : 'changed';
}

/** Marks the contact verified at `digits` (null: not verified any more). */
export async function setVerified(store: DeviceStore, peerUserId: string, digits: string | null): Promise<void> {
  const all = { ...((await store.getMeta<Record<string, string>>(VERIFIED)) ?? {}) };
  if (digits) all[peerUserId] = digits;
  else delete all[peerUserId];
  await store.setMeta(VERIFIED, all);
}
