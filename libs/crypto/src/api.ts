import { ByteReader, ByteWriter, bytesEqual, toBase64Url } from './bytes.js';
import { CryptoError, fail } from './errors.js';
import type { MessageContent, DecodedContent } from './content.js';
import type { Envelope } from './envelope.js';
import { type EscrowStatus, withEscrow } from './escrow.js';
import { decryptGroupMessage, encryptGroupMessage } from './group.js';
import {
  type BackupItem,
  decryptSessionBackup,
  encryptSessionBackup,
  generateHistoryKey,
  HISTORY_KEY_BYTES,
} from './history.js';
import {
  type DeviceIdentity,
  type DeviceKeys,
  type PublicBundle,
  decodeDeviceIdentity,
  decodeDeviceKeys,
  decodeOneTimePrekey,
  encodeDeviceIdentity,
  encodeDeviceKeys,
  encodeOneTimePrekey,
  generateDeviceKeys,
  generateOneTimePrekeys,
  needsSignedPrekeyRotation,
  publicBundle,
  rotateSignedPrekey,
  sameIdentity,
} from './keys.js';
import { createInboundPairwiseSession, createOutboundPairwiseSession } from './pairwise.js';
import { type RandomSource, assertX25519PublicKey, systemRandom } from './primitives.js';
import {
  type RatchetSession,
  decodePairwiseMessage,
  decodeRatchetSession,
  encodeRatchetSession,
  ratchetDecrypt,
  ratchetEncrypt,
} from './ratchet.js';
import {
  type DeviceAddress,
  type InboundSenderKey,
  type OutboundSenderKey,
  type RotationDecision,
  type RotationPolicy,
  type RotationReason,
  type SenderKeyExport,
  DEFAULT_ROTATION_POLICY,
  createOutboundSenderKey,
  decodeInboundSenderKey,
  decodeOutboundSenderKey,
  deviceKey,
  encodeInboundSenderKey,
  encodeOutboundSenderKey,
  exportInboundSenderKey,
  exportOutboundSenderKey,
  importSenderKey,
  mergeInboundSenderKey,
  senderKeyRotation,
} from './sender-keys.js';
import { type CryptoStore, type StoreWrite, StoreNamespace as NS } from './store.js';
import { type ToDevicePayload, decodeToDevicePayload, encodeToDevicePayload } from './to-device.js';

/**
 * The crypto API the web client (and tests) use: one object per device over a caller-provided `CryptoStore`
 * and `KeyDirectory`. In the spirit of matrix-js-sdk's `CryptoApi`: a small interface, the protocol behind it.
 * Calls are serialised per instance; each call reads what it needs and commits one atomic batch, or nothing.
 */

/** The server's key directory, as seen by the crypto layer. */
export interface KeyDirectory {
  /**
   * Claims a bundle for each device (one one-time prekey each, when the device has any left). Devices the
   * directory does not know are left out.
   */
  claimBundles(devices: readonly DeviceAddress[]): Promise<PublicBundle[]>;
}

export interface ToDeviceMessage {
  recipient: DeviceAddress;
  /** A pairwise message (ratchet.ts) for the server's per-device inbox. */
  ciphertext: Uint8Array;
}

export type UnreachableReason = 'no-bundle' | 'bad-bundle' | 'identity-changed';

export interface GroupSendResult {
  envelope: Envelope;
  /** Deliver these to-device messages before (or together with) the envelope. */
  keyShares: ToDeviceMessage[];
  /** Devices that could not be given the session; they will not read this message. */
  unreachable: { device: DeviceAddress; reason: UnreachableReason }[];
  /** Set when this send started a new epoch. */
  rotated: RotationReason | null;
}

export interface ReceivedGroupMessage {
  conversationId: string;
  clientMsgId: string;
  sender: DeviceAddress;
  chainIndex: number;
  content: DecodedContent;
  escrow: EscrowStatus;
}

export type ToDeviceEvent = {
  type: 'sender-key';
  conversationId: string;
  sessionId: Uint8Array;
  sender: DeviceAddress;
  firstIndex: number;
};

export interface CryptoApi {
  readonly device: DeviceAddress;
  identity(): DeviceIdentity;

  /** Identity, current signed prekey and `oneTimePrekeys` fresh one-time prekeys (kept privately) to publish. */
  createPrekeyBundle(oneTimePrekeys: number): Promise<PublicBundle>;
  /** Rotates the signed prekey when a week old; true if it did (publish `createPrekeyBundle(0)` then). */
  rotateSignedPrekeyIfDue(): Promise<boolean>;
  oneTimePrekeyCount(): Promise<number>;

  /** The identity first seen for a peer device (trust on first use), or null. */
  getPeerIdentity(peer: DeviceAddress): Promise<DeviceIdentity | null>;
  /** Accepts a peer's new identity on the next contact (after the user acknowledged the change). */
  forgetPeerIdentity(peer: DeviceAddress): Promise<void>;

  encryptToDevice(peer: DeviceAddress, payload: ToDevicePayload, bundle?: PublicBundle): Promise<Uint8Array>;
  decryptFromDevice(sender: DeviceAddress, message: Uint8Array): Promise<ToDeviceEvent>;

  /**
   * Records the member devices of a conversation (all devices of all members, this user's other devices
   * included). O(devices); call on membership or device-list changes, never per message.
   */
  setConversationDevices(
    conversationId: string,
    devices: readonly DeviceAddress[],
    options?: { compliancePublicKey?: Uint8Array | null },
  ): Promise<RotationDecision>;
  /** O(1) in group size, except when an epoch starts or devices were added (then it shares the session). */
  encryptMessage(input: {
    conversationId: string;
    clientMsgId: string;
    policyVersion: number;
    content: MessageContent;
  }): Promise<GroupSendResult>;
  decryptMessage(envelope: Envelope, options?: { mode?: 'live' | 'history' }): Promise<ReceivedGroupMessage>;

  createHistoryKey(): Promise<Uint8Array>;
  setHistoryKey(historyKey: Uint8Array): Promise<void>;
  getHistoryKey(): Promise<Uint8Array | null>;
  /** Backup items for sessions received since the last call (requires the History Key). */
  takePendingBackups(): Promise<BackupItem[]>;
  /** Imports backup items; returns how many opened and how many did not. */
  restoreBackup(blobs: readonly Uint8Array[]): Promise<{ restored: number; failed: number }>;
}

export interface MiyuCryptoOptions {
  store: CryptoStore;
  directory: KeyDirectory;
  userId: string;
  deviceId: string;
  now?: () => number;
  random?: RandomSource;
  rotationPolicy?: RotationPolicy;
}

// ------------------------------------------------------------------------------------------- local records

const SELF = 'self';
const DEVICE_PENDING = 0;
const DEVICE_SHARED = 1;
const DEVICE_UNREACHABLE = 2;

interface ConversationRecord {
  epoch: number;
  /** Why the next send must start a new epoch (set by membership or escrow changes), or null. */
  rotationPending: 'device-removed' | 'escrow-changed' | null;
  compliancePublicKey: Uint8Array | null;
  /** Devices still waiting for the current session. */
  pendingShares: number;
}

interface ConversationDevice extends DeviceAddress {
  status: number;
}

function encodeConversation(c: ConversationRecord): Uint8Array {
  const pending = c.rotationPending === 'device-removed' ? 1 : c.rotationPending === 'escrow-changed' ? 4 : 0;
  const w = new ByteWriter()
    .u8(1)
    .u32(c.epoch)
    .u8(pending | (c.compliancePublicKey ? 2 : 0));
  if (c.compliancePublicKey) w.bytes(c.compliancePublicKey);
  return w.u32(c.pendingShares).finish();
}

function decodeConversation(bytes: Uint8Array | null): ConversationRecord {
  if (!bytes) return { epoch: 0, rotationPending: null, compliancePublicKey: null, pendingShares: 0 };
  const r = new ByteReader(bytes, 'conversation record');
  if (r.u8() !== 1) fail('UNSUPPORTED_VERSION', 'conversation record version');
  const epoch = r.u32();
  const flags = r.flags(7);
  const compliancePublicKey = flags & 2 ? r.bytes(32) : null;
  const pendingShares = r.u32();
  r.end();
  const rotationPending = flags & 1 ? 'device-removed' : flags & 4 ? 'escrow-changed' : null;
  return { epoch, rotationPending, compliancePublicKey, pendingShares };
}

function encodeDevices(devices: readonly ConversationDevice[]): Uint8Array {
  const w = new ByteWriter().u8(1).u32(devices.length);
  for (const d of devices) w.id(d.userId).id(d.deviceId).u8(d.status);
  return w.finish();
}

function decodeDevices(bytes: Uint8Array | null): ConversationDevice[] {
  if (!bytes) return [];
  const r = new ByteReader(bytes, 'conversation devices record');
  if (r.u8() !== 1) fail('UNSUPPORTED_VERSION', 'conversation devices record version');
  const count = r.u32();
  const out: ConversationDevice[] = [];
  for (let i = 0; i < count; i += 1) out.push({ userId: r.id(), deviceId: r.id(), status: r.u8() });
  r.end();
  return out;
}

const sid = (sessionId: Uint8Array): string => toBase64Url(sessionId);

// ------------------------------------------------------------------------------------------ implementation

export class MiyuCrypto implements CryptoApi {
  readonly device: DeviceAddress;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly options: MiyuCryptoOptions,
    private keys: DeviceKeys,
  ) {
    this.device = { userId: options.userId, deviceId: options.deviceId };
  }

  /** Opens the device's crypto state, generating device keys on first use. Call `ready()` first. */
  static async create(options: MiyuCryptoOptions): Promise<MiyuCrypto> {
    const stored = await options.store.get(NS.DEVICE_KEYS, SELF);
    if (stored) {
      const keys = decodeDeviceKeys(stored);
      if (keys.identity.userId !== options.userId || keys.identity.deviceId !== options.deviceId) {
        fail('INVALID_STATE', 'store belongs to another device');
      }
      return new MiyuCrypto(options, keys);
    }
    const keys = generateDeviceKeys({
      userId: options.userId,
      deviceId: options.deviceId,
      now: (options.now ?? Date.now)(),
      random: options.random ?? systemRandom,
    });
    await options.store.write([{ namespace: NS.DEVICE_KEYS, key: SELF, value: encodeDeviceKeys(keys) }]);
    return new MiyuCrypto(options, keys);
  }

  private get store(): CryptoStore {
    return this.options.store;
  }

  private get random(): RandomSource {
    return this.options.random ?? systemRandom;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  identity(): DeviceIdentity {
    return this.keys.identity;
  }

  // ------------------------------------------------------------------------------------------------- keys

  createPrekeyBundle(oneTimePrekeys: number): Promise<PublicBundle> {
    return this.exclusive(async () => {
      if (oneTimePrekeys === 0) return publicBundle(this.keys);
      const { keys, prekeys } = generateOneTimePrekeys(this.keys, oneTimePrekeys, this.random);
      await this.store.write([
        { namespace: NS.DEVICE_KEYS, key: SELF, value: encodeDeviceKeys(keys) },
        ...prekeys.map((p) => ({ namespace: NS.ONE_TIME_PREKEY, key: String(p.id), value: encodeOneTimePrekey(p) })),
      ]);
      this.keys = keys;
      return publicBundle(keys, prekeys);
    });
  }

  rotateSignedPrekeyIfDue(): Promise<boolean> {
    return this.exclusive(async () => {
      const now = this.now();
      if (!needsSignedPrekeyRotation(this.keys, now)) return false;
      const keys = rotateSignedPrekey(this.keys, now, this.random);
      await this.store.write([{ namespace: NS.DEVICE_KEYS, key: SELF, value: encodeDeviceKeys(keys) }]);
      this.keys = keys;
      return true;
    });
  }

  async oneTimePrekeyCount(): Promise<number> {
    return (await this.store.list(NS.ONE_TIME_PREKEY)).length;
  }

  async getPeerIdentity(peer: DeviceAddress): Promise<DeviceIdentity | null> {
    const stored = await this.store.get(NS.PEER_IDENTITY, deviceKey(peer));
    return stored ? decodeDeviceIdentity(stored) : null;
  }

  forgetPeerIdentity(peer: DeviceAddress): Promise<void> {
    return this.exclusive(() => this.store.write([{ namespace: NS.PEER_IDENTITY, key: deviceKey(peer), value: null }]));
  }

  // --------------------------------------------------------------------------------------------- pairwise

  /** Checks a peer identity against the one on record; returns the write that records it if new. */
  private async checkPeerIdentity(peer: DeviceAddress, identity: DeviceIdentity): Promise<StoreWrite | null> {
    if (identity.userId !== peer.userId || identity.deviceId !== peer.deviceId) {
      fail('SESSION_MISMATCH', 'identity belongs to another device');
    }
    const known = await this.getPeerIdentity(peer);
    if (known) {
      if (!sameIdentity(known, identity)) fail('IDENTITY_CHANGED', `identity of ${deviceKey(peer)} changed`);
      return null;
    }
    return { namespace: NS.PEER_IDENTITY, key: deviceKey(peer), value: encodeDeviceIdentity(identity) };
  }

  private async activeSession(peer: DeviceAddress): Promise<RatchetSession | null> {
    const active = await this.store.get(NS.PAIRWISE_ACTIVE, deviceKey(peer));
    if (!active) return null;
    const record = await this.store.get(NS.PAIRWISE_SESSION, `${deviceKey(peer)} ${sid(active)}`);
    return record ? decodeRatchetSession(record) : null;
  }

  /** Encrypts to a device, appending the state changes to `writes` (committed by the caller). */
  private async encryptPairwise(
    peer: DeviceAddress,
    plaintext: Uint8Array,
    bundle: PublicBundle | null,
    writes: StoreWrite[],
    existing?: RatchetSession | null,
  ): Promise<Uint8Array> {
    let session = existing === undefined ? await this.activeSession(peer) : existing;
    if (!session) {
      if (!bundle) fail('UNKNOWN_SESSION', `no pairwise session with ${deviceKey(peer)} and no bundle`);
      const record = await this.checkPeerIdentity(peer, bundle.identity);
      if (record) writes.push(record);
      session = createOutboundPairwiseSession(this.keys, bundle, this.random);
      writes.push({ namespace: NS.PAIRWISE_ACTIVE, key: deviceKey(peer), value: session.sessionId });
    }
    const out = ratchetEncrypt(session, plaintext);
    writes.push({
      namespace: NS.PAIRWISE_SESSION,
      key: `${deviceKey(peer)} ${sid(session.sessionId)}`,
      value: encodeRatchetSession(out.session),
    });
    return out.message;
  }

  encryptToDevice(peer: DeviceAddress, payload: ToDevicePayload, bundle?: PublicBundle): Promise<Uint8Array> {
    return this.exclusive(async () => {
      const writes: StoreWrite[] = [];
      const message = await this.encryptPairwise(peer, encodeToDevicePayload(payload), bundle ?? null, writes);
      await this.store.write(writes);
      return message;
    });
  }

  decryptFromDevice(sender: DeviceAddress, bytes: Uint8Array): Promise<ToDeviceEvent> {
    return this.exclusive(async () => {
      const message = decodePairwiseMessage(bytes);
      const writes: StoreWrite[] = [];
      const sessionKey = `${deviceKey(sender)} ${sid(message.sessionId)}`;
      const record = await this.store.get(NS.PAIRWISE_SESSION, sessionKey);
      let session: RatchetSession;
      if (record) {
        session = decodeRatchetSession(record);
      } else {
        const preamble = message.preamble;
        if (!preamble) fail('UNKNOWN_SESSION', 'no pairwise session for this message');
        const identityWrite = await this.checkPeerIdentity(sender, preamble.initiator);
        if (identityWrite) writes.push(identityWrite);
        let oneTimePrekey = null;
        if (preamble.oneTimePrekeyId !== null) {
          const stored = await this.store.get(NS.ONE_TIME_PREKEY, String(preamble.oneTimePrekeyId));
          if (!stored)
            fail('UNKNOWN_PREKEY', `one-time prekey ${preamble.oneTimePrekeyId} is not held (used or never issued)`);
          oneTimePrekey = decodeOneTimePrekey(stored);
          // Deleted in the same batch as the new session: only if the message decrypts.
          writes.push({ namespace: NS.ONE_TIME_PREKEY, key: String(preamble.oneTimePrekeyId), value: null });
        }
        session = createInboundPairwiseSession(this.keys, preamble, oneTimePrekey);
        writes.push({ namespace: NS.PAIRWISE_ACTIVE, key: deviceKey(sender), value: session.sessionId });
      }
      const out = ratchetDecrypt(session, message, this.random);
      writes.push({ namespace: NS.PAIRWISE_SESSION, key: sessionKey, value: encodeRatchetSession(out.session) });
      const payload = decodeToDevicePayload(out.plaintext);
      const event = await this.acceptSenderKey(sender, payload.session, writes);
      await this.store.write(writes);
      return event;
    });
  }

  /** Stores (or merges) an inbound sender-key session shared by its own sending device. */
  private async acceptSenderKey(
    sender: DeviceAddress,
    session: SenderKeyExport,
    writes: StoreWrite[],
  ): Promise<ToDeviceEvent> {
    if (session.senderUserId !== sender.userId || session.senderDeviceId !== sender.deviceId) {
      fail('SESSION_MISMATCH', 'a device may only share its own sender keys');
    }
    const inbound = await this.mergeInbound(session, writes);
    return {
      type: 'sender-key',
      conversationId: session.conversationId,
      sessionId: session.sessionId,
      sender,
      firstIndex: inbound.firstIndex,
    };
  }

  private async mergeInbound(session: SenderKeyExport, writes: StoreWrite[]): Promise<InboundSenderKey> {
    const key = sid(session.sessionId);
    const pendingWrite = writes.findLast((w) => w.namespace === NS.INBOUND_SENDER_KEY && w.key === key);
    const stored = pendingWrite?.value ?? (await this.store.get(NS.INBOUND_SENDER_KEY, key));
    const existing = stored ? decodeInboundSenderKey(stored) : null;
    const merged = existing ? mergeInboundSenderKey(existing, session) : importSenderKey(session);
    if (!existing || merged.firstIndex !== existing.firstIndex) {
      writes.push({ namespace: NS.INBOUND_SENDER_KEY, key, value: encodeInboundSenderKey(merged) });
      writes.push({ namespace: NS.PENDING_BACKUP, key, value: new Uint8Array(0) });
    }
    return merged;
  }

  // ------------------------------------------------------------------------------------------------ groups

  setConversationDevices(
    conversationId: string,
    devices: readonly DeviceAddress[],
    options: { compliancePublicKey?: Uint8Array | null } = {},
  ): Promise<RotationDecision> {
    return this.exclusive(async () => {
      const self = deviceKey(this.device);
      const unique = new Map<string, DeviceAddress>();
      for (const d of devices)
        if (deviceKey(d) !== self) unique.set(deviceKey(d), { userId: d.userId, deviceId: d.deviceId });
      const conversation = decodeConversation(await this.store.get(NS.CONVERSATION, conversationId));
      const previous = decodeDevices(await this.store.get(NS.CONVERSATION_DEVICES, conversationId));
      const outbound = await this.loadOutbound(conversationId);
      const decision = senderKeyRotation({
        previousDevices: previous,
        currentDevices: [...unique.values()],
        session: outbound,
        now: this.now(),
        policy: this.options.rotationPolicy ?? DEFAULT_ROTATION_POLICY,
      });
      if (options.compliancePublicKey !== undefined) {
        const next = options.compliancePublicKey;
        if (next) assertX25519PublicKey(next, 'compliance public key');
        const prev = conversation.compliancePublicKey;
        if ((prev === null) !== (next === null) || (prev && next && !bytesEqual(prev, next))) {
          conversation.rotationPending ??= 'escrow-changed';
        }
        conversation.compliancePublicKey = next;
      }
      if (decision.reason === 'device-removed') conversation.rotationPending = 'device-removed';
      const status = new Map(previous.map((d) => [deviceKey(d), d.status]));
      const list: ConversationDevice[] = [...unique.values()].map((d) => ({
        ...d,
        status: status.get(deviceKey(d)) ?? DEVICE_PENDING,
      }));
      conversation.pendingShares = list.filter((d) => d.status === DEVICE_PENDING).length;
      await this.store.write([
        { namespace: NS.CONVERSATION, key: conversationId, value: encodeConversation(conversation) },
        { namespace: NS.CONVERSATION_DEVICES, key: conversationId, value: encodeDevices(list) },
      ]);
      return decision;
    });
  }

  private async loadOutbound(conversationId: string): Promise<OutboundSenderKey | null> {
    const stored = await this.store.get(NS.OUTBOUND_SENDER_KEY, conversationId);
    return stored ? decodeOutboundSenderKey(stored) : null;
  }

  encryptMessage(input: {
    conversationId: string;
    clientMsgId: string;
    policyVersion: number;
    content: MessageContent;
  }): Promise<GroupSendResult> {
    return this.exclusive(async () => {
      const { conversationId } = input;
      const now = this.now();
      const policy = this.options.rotationPolicy ?? DEFAULT_ROTATION_POLICY;
      const conversation = decodeConversation(await this.store.get(NS.CONVERSATION, conversationId));
      let outbound = await this.loadOutbound(conversationId);
      const writes: StoreWrite[] = [];
      let rotated: RotationReason | null = null;
      if (!outbound) rotated = 'no-session';
      else if (conversation.rotationPending) rotated = conversation.rotationPending;
      else if (outbound.chainIndex >= policy.maxMessages) rotated = 'message-limit';
      else if (now - outbound.createdAt >= policy.maxAgeMs) rotated = 'expired';

      let devices: ConversationDevice[] | null = null;
      if (rotated) {
        conversation.epoch += 1;
        conversation.rotationPending = null;
        outbound = withEscrow(
          createOutboundSenderKey(
            {
              conversationId,
              senderUserId: this.device.userId,
              senderDeviceId: this.device.deviceId,
              epoch: conversation.epoch,
              now,
            },
            this.random,
          ),
          conversation.compliancePublicKey,
        );
        // Our own inbound copy from index 0: this device re-reads its messages and backs the session up.
        await this.mergeInbound(exportOutboundSenderKey(outbound), writes);
        devices = decodeDevices(await this.store.get(NS.CONVERSATION_DEVICES, conversationId));
        for (const d of devices) d.status = DEVICE_PENDING;
        conversation.pendingShares = devices.length;
      }
      const session = outbound as OutboundSenderKey;

      const keyShares: ToDeviceMessage[] = [];
      const unreachable: GroupSendResult['unreachable'] = [];
      if (conversation.pendingShares > 0) {
        devices ??= decodeDevices(await this.store.get(NS.CONVERSATION_DEVICES, conversationId));
        const pending = devices.filter((d) => d.status === DEVICE_PENDING);
        const share = encodeToDevicePayload({ type: 'sender-key', session: exportOutboundSenderKey(session) });
        await this.shareWith(pending, share, writes, keyShares, unreachable);
        conversation.pendingShares = 0;
        writes.push({ namespace: NS.CONVERSATION_DEVICES, key: conversationId, value: encodeDevices(devices) });
      }

      const out = encryptGroupMessage(
        session,
        { clientMsgId: input.clientMsgId, policyVersion: input.policyVersion, content: input.content },
        this.random,
      );
      writes.push(
        { namespace: NS.OUTBOUND_SENDER_KEY, key: conversationId, value: encodeOutboundSenderKey(out.session) },
        { namespace: NS.CONVERSATION, key: conversationId, value: encodeConversation(conversation) },
      );
      await this.store.write(writes);
      return { envelope: out.envelope, keyShares, unreachable, rotated };
    });
  }

  /** Encrypts `share` to every pending device, claiming bundles for those without a session. */
  private async shareWith(
    pending: ConversationDevice[],
    share: Uint8Array,
    writes: StoreWrite[],
    keyShares: ToDeviceMessage[],
    unreachable: GroupSendResult['unreachable'],
  ): Promise<void> {
    const withoutSession: { device: ConversationDevice }[] = [];
    for (const device of pending) {
      const session = await this.activeSession(device);
      if (!session) {
        withoutSession.push({ device });
        continue;
      }
      keyShares.push({
        recipient: { userId: device.userId, deviceId: device.deviceId },
        ciphertext: await this.encryptPairwise(device, share, null, writes, session),
      });
      device.status = DEVICE_SHARED;
    }
    if (withoutSession.length === 0) return;
    const bundles = await this.options.directory.claimBundles(
      withoutSession.map((w) => ({ userId: w.device.userId, deviceId: w.device.deviceId })),
    );
    const byDevice = new Map(bundles.map((b) => [deviceKey(b.identity), b]));
    for (const { device } of withoutSession) {
      const address = { userId: device.userId, deviceId: device.deviceId };
      const bundle = byDevice.get(deviceKey(device));
      if (!bundle) {
        unreachable.push({ device: address, reason: 'no-bundle' });
        device.status = DEVICE_UNREACHABLE;
        continue;
      }
      const local: StoreWrite[] = [];
      try {
        keyShares.push({
          recipient: address,
          ciphertext: await this.encryptPairwise(device, share, bundle, local, null),
        });
        writes.push(...local);
        device.status = DEVICE_SHARED;
      } catch (error) {
        if (!(error instanceof CryptoError)) throw error;
        unreachable.push({
          device: address,
          reason: error.code === 'IDENTITY_CHANGED' ? 'identity-changed' : 'bad-bundle',
        });
        device.status = DEVICE_UNREACHABLE;
      }
    }
  }

  decryptMessage(envelope: Envelope, options: { mode?: 'live' | 'history' } = {}): Promise<ReceivedGroupMessage> {
    return this.exclusive(async () => {
      const key = sid(envelope.sessionId);
      const stored = await this.store.get(NS.INBOUND_SENDER_KEY, key);
      if (!stored) fail('UNKNOWN_SESSION', 'no sender-key session for this envelope');
      const inbound = decodeInboundSenderKey(stored);
      const conversation = decodeConversation(await this.store.get(NS.CONVERSATION, envelope.conversationId));
      const mode = options.mode ?? 'live';
      const out = decryptGroupMessage(inbound, envelope, {
        compliancePublicKey: conversation.compliancePublicKey,
        mode,
      });
      if (mode === 'live') {
        await this.store.write([{ namespace: NS.INBOUND_SENDER_KEY, key, value: encodeInboundSenderKey(out.session) }]);
      }
      return {
        conversationId: envelope.conversationId,
        clientMsgId: envelope.clientMsgId,
        sender: { userId: envelope.senderUserId, deviceId: envelope.senderDeviceId },
        chainIndex: envelope.chainIndex,
        content: out.message.content,
        escrow: out.message.escrow,
      };
    });
  }

  // ----------------------------------------------------------------------------------------------- history

  createHistoryKey(): Promise<Uint8Array> {
    return this.exclusive(async () => {
      if (await this.store.get(NS.HISTORY_KEY, SELF)) fail('INVALID_STATE', 'a history key already exists');
      const key = generateHistoryKey(this.random);
      await this.store.write([{ namespace: NS.HISTORY_KEY, key: SELF, value: key }]);
      return key;
    });
  }

  setHistoryKey(historyKey: Uint8Array): Promise<void> {
    return this.exclusive(async () => {
      if (historyKey.length !== HISTORY_KEY_BYTES) fail('INVALID_ARGUMENT', 'history key must be 32 bytes');
      await this.store.write([{ namespace: NS.HISTORY_KEY, key: SELF, value: historyKey }]);
    });
  }

  getHistoryKey(): Promise<Uint8Array | null> {
    return this.store.get(NS.HISTORY_KEY, SELF);
  }

  takePendingBackups(): Promise<BackupItem[]> {
    return this.exclusive(async () => {
      const historyKey = await this.store.get(NS.HISTORY_KEY, SELF);
      if (!historyKey) fail('INVALID_STATE', 'no history key on this device');
      const items: BackupItem[] = [];
      const writes: StoreWrite[] = [];
      for (const key of await this.store.list(NS.PENDING_BACKUP)) {
        const stored = await this.store.get(NS.INBOUND_SENDER_KEY, key);
        if (stored)
          items.push(
            encryptSessionBackup(historyKey, exportInboundSenderKey(decodeInboundSenderKey(stored)), this.random),
          );
        writes.push({ namespace: NS.PENDING_BACKUP, key, value: null });
      }
      await this.store.write(writes);
      return items;
    });
  }

  restoreBackup(blobs: readonly Uint8Array[]): Promise<{ restored: number; failed: number }> {
    return this.exclusive(async () => {
      const historyKey = await this.store.get(NS.HISTORY_KEY, SELF);
      if (!historyKey) fail('INVALID_STATE', 'no history key on this device');
      let restored = 0;
      let failed = 0;
      const writes: StoreWrite[] = [];
      for (const blob of blobs) {
        try {
          await this.mergeInbound(decryptSessionBackup(historyKey, blob), writes);
          restored += 1;
        } catch (error) {
          if (!(error instanceof CryptoError)) throw error;
          failed += 1;
        }
      }
      // Restored sessions came from the backup: they need no new backup.
      await this.store.write(writes.filter((w) => w.namespace !== NS.PENDING_BACKUP));
      return { restored, failed };
    });
  }
}
