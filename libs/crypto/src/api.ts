import { ByteReader, ByteWriter, bytesEqual, toBase64Url } from './bytes.js';
import { CryptoError, fail } from './errors.js';
import type { MessageContent, DecodedContent } from './content.js';
import type { Envelope } from './envelope.js';
import { type EscrowStatus, withEscrow } from './escrow.js';
import { type EscrowExpectation, decryptGroupMessage, encryptGroupMessage } from './group.js';
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
import { type KeyRequest, type ToDevicePayload, decodeToDevicePayload, encodeToDevicePayload } from './to-device.js';

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

/** A backup item with the first index it covers (see `backupsStored`). */
export interface PendingBackup {
  item: BackupItem;
  firstIndex: number;
}

export interface ToDeviceMessage {
  recipient: DeviceAddress;
  /** A pairwise message (ratchet.ts) for the server's per-device inbox. */
  ciphertext: Uint8Array;
}

export type UnreachableReason = 'no-bundle' | 'bad-bundle' | 'identity-changed';

/** A device that could not be sent a to-device message, and why. */
export interface UnreachableDevice {
  device: DeviceAddress;
  reason: UnreachableReason;
}

export interface GroupSendResult {
  envelope: Envelope;
  /** Deliver these to-device messages before (or together with) the envelope. */
  keyShares: ToDeviceMessage[];
  /** Devices that could not be given the session; they will not read this message (unless they request it). */
  unreachable: UnreachableDevice[];
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

/** A sender-key session was stored (or an earlier index of it learned). */
export interface SenderKeyEvent {
  type: 'sender-key';
  conversationId: string;
  sessionId: Uint8Array;
  /** The session's sending device. */
  sender: DeviceAddress;
  /**
   * The device that shared it when that is not `sender`: another device of the same user answering a key
   * request from this user's devices (docs/protocol.md §8.2). Null when the sending device shared it itself.
   */
  forwardedBy: DeviceAddress | null;
  firstIndex: number;
}

/** A device asks for a sender-key session; answer (or not) with `answerKeyRequest`. */
export interface KeyRequestEvent {
  type: 'key-request';
  /** The device asking (the authenticated pairwise peer). */
  requester: DeviceAddress;
  conversationId: string;
  sessionId: Uint8Array;
  /** The session's sending device, as named by the requester. */
  sender: DeviceAddress;
  fromIndex: number;
}

/** A device pairing message (pairing.ts) from another device of this user; feed it to its DevicePairing. */
export interface PairingEvent {
  type: 'pairing';
  from: DeviceAddress;
  message: Uint8Array;
}

export type ToDeviceEvent = SenderKeyEvent | KeyRequestEvent | PairingEvent;

export interface KeyRequestSendResult {
  /** Deliver these through the to-device inbox. */
  messages: ToDeviceMessage[];
  unreachable: UnreachableDevice[];
}

/** Why a key request was not answered (docs/protocol.md §8.2). */
export type KeyRequestRefusal = 'not-sender' | 'unknown-session' | 'not-a-member' | 'not-current' | 'not-entitled';

export type KeyRequestAnswer = { message: ToDeviceMessage } | { refused: KeyRequestRefusal };

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
   * Asks `targets` (devices of the envelope's sender user; this device is skipped) for the envelope's session
   * from its chain index, after `decryptMessage` failed with UNKNOWN_SESSION. Claims bundles where needed.
   */
  requestSenderKey(envelope: Envelope, targets: readonly DeviceAddress[]): Promise<KeyRequestSendResult>;
  /**
   * Answers a received key request with a sender-key share, or refuses it, by the policy of
   * docs/protocol.md §8.2: a device vouches only for its own user's sessions, shares with its own user's
   * devices what it can read, and with other users only its current session, from where they were given it.
   */
  answerKeyRequest(request: KeyRequestEvent): Promise<KeyRequestAnswer>;

  /**
   * Wraps a DevicePairing message (pairing.ts) for other devices of this user, claiming bundles where there is
   * no pairwise session yet. The pairing protocol authenticates the exchange itself (SAS or QR).
   */
  encryptPairingMessage(peers: readonly DeviceAddress[], message: Uint8Array): Promise<KeyRequestSendResult>;

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
  decryptMessage(
    envelope: Envelope,
    options?: { mode?: 'live' | 'history'; compliance?: EscrowExpectation },
  ): Promise<ReceivedGroupMessage>;

  createHistoryKey(): Promise<Uint8Array>;
  setHistoryKey(historyKey: Uint8Array): Promise<void>;
  getHistoryKey(): Promise<Uint8Array | null>;
  /** Backup items for sessions received since the last call (requires the History Key). */
  takePendingBackups(): Promise<BackupItem[]>;
  /**
   * Two-phase variant for unreliable uploads: the items to back up (markers stay), then `backupsStored` once
   * the server has them. A session that learned an earlier index in between stays pending.
   */
  pendingBackups(): Promise<PendingBackup[]>;
  backupsStored(stored: readonly PendingBackup[]): Promise<void>;
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
  /**
   * The chain index from which this device was given (or, when unreachable, offered) the current outbound
   * session; null if it never was. Reset on rotation. Bounds what a key request from it may obtain (§8.2): a
   * member added later never gets the messages sent before it joined.
   */
  entitledFrom: number | null;
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

/**
 * Conversation devices record, version 2:
 *   u8(2) || u32(n) || n × ( id(userId) || id(deviceId) || u8(status) || u8(flags) || [u32(entitledFrom)] )
 * flags bit 0: entitledFrom present. Version 1 lacked the last two fields; its devices decode as not entitled.
 */
const DEVICES_RECORD_VERSION = 2;

function encodeDevices(devices: readonly ConversationDevice[]): Uint8Array {
  const w = new ByteWriter().u8(DEVICES_RECORD_VERSION).u32(devices.length);
  for (const d of devices) {
    w.id(d.userId).id(d.deviceId).u8(d.status);
    if (d.entitledFrom === null) w.u8(0);
    else w.u8(1).u32(d.entitledFrom);
  }
  return w.finish();
}

function decodeDevices(bytes: Uint8Array | null): ConversationDevice[] {
  if (!bytes) return [];
  const r = new ByteReader(bytes, 'conversation devices record');
  const version = r.u8();
  if (version !== 1 && version !== DEVICES_RECORD_VERSION) {
    fail('UNSUPPORTED_VERSION', 'conversation devices record version');
  }
  const count = r.u32();
  const out: ConversationDevice[] = [];
  for (let i = 0; i < count; i += 1) {
    const device = { userId: r.id(), deviceId: r.id(), status: r.u8() };
    const entitledFrom = version === 1 ? null : r.flags(1) ? r.u32() : null;
    out.push({ ...device, entitledFrom });
  }
  r.end();
  return out;
}

const sameDevice = (a: DeviceAddress, b: DeviceAddress): boolean => a.userId === b.userId && a.deviceId === b.deviceId;

const address = (d: DeviceAddress): DeviceAddress => ({ userId: d.userId, deviceId: d.deviceId });

const sid = (sessionId: Uint8Array): string => toBase64Url(sessionId);

function keyRequestEvent(requester: DeviceAddress, request: KeyRequest): KeyRequestEvent {
  return {
    type: 'key-request',
    requester: address(requester),
    conversationId: request.conversationId,
    sessionId: request.sessionId,
    sender: { userId: request.senderUserId, deviceId: request.senderDeviceId },
    fromIndex: request.fromIndex,
  };
}

/** Whether a held session is the one a request describes (not merely one with the same id). */
function requestNamesSession(request: KeyRequestEvent, session: InboundSenderKey): boolean {
  return (
    bytesEqual(session.sessionId, request.sessionId) &&
    session.conversationId === request.conversationId &&
    session.senderUserId === request.sender.userId &&
    session.senderDeviceId === request.sender.deviceId
  );
}

/** What answering a key request may share: a session from an index, or a refusal. */
type KeyGrant = { session: InboundSenderKey; fromIndex: number } | { refused: KeyRequestRefusal };

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
      let event: ToDeviceEvent;
      if (payload.type === 'sender-key') event = await this.acceptSenderKey(sender, payload.session, writes);
      else if (payload.type === 'key-request') event = keyRequestEvent(sender, payload.request);
      else {
        // Pairing hands over the History Key: only ever between devices of one user.
        if (sender.userId !== this.device.userId) fail('PAIRING_FAILED', 'pairing message from another user');
        event = { type: 'pairing', from: address(sender), message: payload.message };
      }
      await this.store.write(writes);
      return event;
    });
  }

  /**
   * Stores (or merges) an inbound sender-key session shared by `sender`, which must be a device of the session's
   * user: its sending device (with anyone), or another device of that user answering a key request of its own
   * user's devices (§8.2) — so a device never vouches for another user's session, and only the sending device
   * itself vouches for its session to other users. Merging checks that a known session's chain is unchanged.
   */
  private async acceptSenderKey(
    sender: DeviceAddress,
    session: SenderKeyExport,
    writes: StoreWrite[],
  ): Promise<SenderKeyEvent> {
    if (session.senderUserId !== sender.userId) {
      fail('SESSION_MISMATCH', "a device may only share sender keys of its own user's devices");
    }
    const forwarded = session.senderDeviceId !== sender.deviceId;
    if (forwarded && sender.userId !== this.device.userId) {
      fail('SESSION_MISMATCH', "only a session's sending device shares it with other users");
    }
    const inbound = await this.mergeInbound(session, writes);
    return {
      type: 'sender-key',
      conversationId: session.conversationId,
      sessionId: session.sessionId,
      sender: { userId: session.senderUserId, deviceId: session.senderDeviceId },
      forwardedBy: forwarded ? address(sender) : null,
      firstIndex: inbound.firstIndex,
    };
  }

  // ------------------------------------------------------------------------------------------ key requests

  requestSenderKey(envelope: Envelope, targets: readonly DeviceAddress[]): Promise<KeyRequestSendResult> {
    return this.exclusive(async () => {
      const request: KeyRequest = {
        conversationId: envelope.conversationId,
        sessionId: envelope.sessionId,
        senderUserId: envelope.senderUserId,
        senderDeviceId: envelope.senderDeviceId,
        fromIndex: envelope.chainIndex,
      };
      const payload = encodeToDevicePayload({ type: 'key-request', request });
      const writes: StoreWrite[] = [];
      const result = await this.encryptToDevices(this.keyRequestTargets(envelope, targets), payload, writes);
      await this.store.write(writes);
      return result;
    });
  }

  /**
   * Only devices of the sender's user can answer (§8.2), so asking anyone else would only tell them which
   * session this device lacks: refused. This device itself is skipped, duplicates are dropped.
   */
  private keyRequestTargets(envelope: Envelope, targets: readonly DeviceAddress[]): DeviceAddress[] {
    const unique = new Map<string, DeviceAddress>();
    for (const target of targets) {
      if (target.userId !== envelope.senderUserId) {
        fail('INVALID_ARGUMENT', "key requests go to devices of the envelope sender's user only");
      }
      if (!sameDevice(target, this.device)) unique.set(deviceKey(target), address(target));
    }
    return [...unique.values()];
  }

  answerKeyRequest(request: KeyRequestEvent): Promise<KeyRequestAnswer> {
    return this.exclusive(async () => {
      if (sameDevice(request.requester, this.device)) fail('INVALID_ARGUMENT', 'a key request from this device');
      if (request.sender.userId !== this.device.userId) return { refused: 'not-sender' };
      const grant =
        request.requester.userId === this.device.userId
          ? await this.grantToOwnDevice(request)
          : await this.grantToMember(request);
      if ('refused' in grant) return grant;
      const share = encodeToDevicePayload({
        type: 'sender-key',
        session: exportInboundSenderKey(grant.session, grant.fromIndex),
      });
      const writes: StoreWrite[] = [];
      const { messages, unreachable } = await this.encryptToDevices([request.requester], share, writes);
      const message = messages[0];
      if (!message) fail('UNKNOWN_SESSION', `requester unreachable: ${unreachable[0]?.reason ?? 'no-bundle'}`);
      await this.store.write(writes);
      return { message };
    });
  }

  /**
   * Another device of this user may read whatever this device can (the same trust as the History Key backup,
   * which hands it all of them anyway): any session held, from the requested index or the first one held.
   */
  private async grantToOwnDevice(request: KeyRequestEvent): Promise<KeyGrant> {
    const session = await this.loadInbound(request.sessionId);
    if (!session || !requestNamesSession(request, session)) return { refused: 'unknown-session' };
    return { session, fromIndex: Math.max(request.fromIndex, session.firstIndex) };
  }

  /**
   * Another user's device gets only what the original distribution gave it: the sending device's current session
   * of the conversation, if the device is a member that was given (or offered) it, from that index on. A member
   * added later therefore never reads messages sent before it joined, and a removed one nothing new.
   */
  private async grantToMember(request: KeyRequestEvent): Promise<KeyGrant> {
    if (request.sender.deviceId !== this.device.deviceId) return { refused: 'not-sender' };
    const devices = decodeDevices(await this.store.get(NS.CONVERSATION_DEVICES, request.conversationId));
    const member = devices.find((d) => sameDevice(d, request.requester));
    if (!member) return { refused: 'not-a-member' };
    const outbound = await this.loadOutbound(request.conversationId);
    if (!outbound || !bytesEqual(outbound.sessionId, request.sessionId)) return { refused: 'not-current' };
    if (member.entitledFrom === null) return { refused: 'not-entitled' };
    // Our own inbound copy (from index 0) can export earlier indexes; the outbound chain only moves forward.
    const session = await this.loadInbound(request.sessionId);
    if (!session || !requestNamesSession(request, session)) return { refused: 'unknown-session' };
    // Never beyond the next index to send: an unverifiable fromIndex must not make us derive far ahead.
    const fromIndex = Math.min(Math.max(request.fromIndex, member.entitledFrom), outbound.chainIndex);
    return { session, fromIndex };
  }

  private async loadInbound(sessionId: Uint8Array): Promise<InboundSenderKey | null> {
    const stored = await this.store.get(NS.INBOUND_SENDER_KEY, sid(sessionId));
    return stored ? decodeInboundSenderKey(stored) : null;
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
      const known = new Map(previous.map((d) => [deviceKey(d), d]));
      const list: ConversationDevice[] = [...unique.values()].map((d) => ({
        ...d,
        status: known.get(deviceKey(d))?.status ?? DEVICE_PENDING,
        entitledFrom: known.get(deviceKey(d))?.entitledFrom ?? null,
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
        for (const d of devices) {
          d.status = DEVICE_PENDING;
          d.entitledFrom = null;
        }
        conversation.pendingShares = devices.length;
      }
      const session = outbound as OutboundSenderKey;

      let keyShares: ToDeviceMessage[] = [];
      let unreachable: UnreachableDevice[] = [];
      if (conversation.pendingShares > 0) {
        devices ??= decodeDevices(await this.store.get(NS.CONVERSATION_DEVICES, conversationId));
        ({ messages: keyShares, unreachable } = await this.shareWith(devices, session, writes));
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

  /**
   * Shares the session at its current index with every pending device, recording each one as shared or
   * unreachable and, either way, as entitled from that index (what a later key request from it may obtain).
   */
  private async shareWith(
    devices: ConversationDevice[],
    session: OutboundSenderKey,
    writes: StoreWrite[],
  ): Promise<KeyRequestSendResult> {
    const pending = devices.filter((d) => d.status === DEVICE_PENDING);
    const share = encodeToDevicePayload({ type: 'sender-key', session: exportOutboundSenderKey(session) });
    const result = await this.encryptToDevices(pending, share, writes);
    const unreachable = new Set(result.unreachable.map((u) => deviceKey(u.device)));
    for (const device of pending) {
      device.status = unreachable.has(deviceKey(device)) ? DEVICE_UNREACHABLE : DEVICE_SHARED;
      device.entitledFrom = session.chainIndex;
    }
    return result;
  }

  /**
   * Encrypts one to-device payload to each device, over its active pairwise session or, for devices without one,
   * a new session from a bundle claimed in one directory call. Devices without a usable bundle are reported.
   */
  encryptPairingMessage(peers: readonly DeviceAddress[], message: Uint8Array): Promise<KeyRequestSendResult> {
    return this.exclusive(async () => {
      const own = peers.filter((p) => p.userId === this.device.userId && !sameDevice(p, this.device));
      if (own.length !== peers.length) fail('INVALID_ARGUMENT', "pairing is only with this user's other devices");
      const writes: StoreWrite[] = [];
      const result = await this.encryptToDevices(own, encodeToDevicePayload({ type: 'pairing', message }), writes);
      await this.store.write(writes);
      return result;
    });
  }

  private async encryptToDevices(
    devices: readonly DeviceAddress[],
    plaintext: Uint8Array,
    writes: StoreWrite[],
  ): Promise<KeyRequestSendResult> {
    const messages: ToDeviceMessage[] = [];
    const unreachable: UnreachableDevice[] = [];
    const withoutSession: DeviceAddress[] = [];
    for (const device of devices) {
      const session = await this.activeSession(device);
      if (!session) {
        withoutSession.push(address(device));
        continue;
      }
      messages.push({
        recipient: address(device),
        ciphertext: await this.encryptPairwise(device, plaintext, null, writes, session),
      });
    }
    if (withoutSession.length === 0) return { messages, unreachable };
    const bundles = await this.options.directory.claimBundles(withoutSession);
    const byDevice = new Map(bundles.map((b) => [deviceKey(b.identity), b]));
    for (const device of withoutSession) {
      const bundle = byDevice.get(deviceKey(device));
      if (!bundle) {
        unreachable.push({ device, reason: 'no-bundle' });
        continue;
      }
      const local: StoreWrite[] = [];
      try {
        messages.push({
          recipient: device,
          ciphertext: await this.encryptPairwise(device, plaintext, bundle, local, null),
        });
        writes.push(...local);
      } catch (error) {
        if (!(error instanceof CryptoError)) throw error;
        unreachable.push({ device, reason: error.code === 'IDENTITY_CHANGED' ? 'identity-changed' : 'bad-bundle' });
      }
    }
    return { messages, unreachable };
  }

  decryptMessage(
    envelope: Envelope,
    options: { mode?: 'live' | 'history'; compliance?: EscrowExpectation } = {},
  ): Promise<ReceivedGroupMessage> {
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
        ...(options.compliance ? { compliance: options.compliance } : {}),
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

  pendingBackups(): Promise<PendingBackup[]> {
    return this.exclusive(async () => {
      const historyKey = await this.store.get(NS.HISTORY_KEY, SELF);
      if (!historyKey) fail('INVALID_STATE', 'no history key on this device');
      const out: PendingBackup[] = [];
      for (const key of await this.store.list(NS.PENDING_BACKUP)) {
        const stored = await this.store.get(NS.INBOUND_SENDER_KEY, key);
        if (!stored) continue;
        const inbound = decodeInboundSenderKey(stored);
        out.push({
          item: encryptSessionBackup(historyKey, exportInboundSenderKey(inbound), this.random),
          firstIndex: inbound.firstIndex,
        });
      }
      return out;
    });
  }

  backupsStored(stored: readonly PendingBackup[]): Promise<void> {
    return this.exclusive(async () => {
      const writes: StoreWrite[] = [];
      for (const { item, firstIndex } of stored) {
        const key = sid(item.sessionId);
        const current = await this.store.get(NS.INBOUND_SENDER_KEY, key);
        // Still the backed-up state (no earlier index learned since): the marker can go.
        if (!current || decodeInboundSenderKey(current).firstIndex >= firstIndex)
          writes.push({ namespace: NS.PENDING_BACKUP, key, value: null });
      }
      await this.store.write(writes);
    });
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
