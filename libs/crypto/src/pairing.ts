import { ByteReader, ByteWriter, bytesEqual, fromBase64Url, toBase64Url, utf8Encode } from './bytes.js';
import { CryptoError, fail } from './errors.js';
import { AdLabel, KdfLabel, frame, kdf } from './kdf.js';
import {
  type RandomSource,
  type X25519KeyPair,
  AEAD_NONCE_BYTES,
  aeadDecrypt,
  aeadEncrypt,
  randomBytes,
  systemRandom,
  x25519,
  x25519GenerateKeyPair,
} from './primitives.js';

/**
 * Device pairing (docs/protocol.md §9.3): an authenticated X25519 exchange through the server's to-device inbox
 * that hands the History Key to a new device. Two ways to authenticate it:
 *
 *  - `qr`: the initiator shows a QR code with its public key and a 128-bit secret; the responder scans it.
 *    The secret enters the key schedule, so only the device that saw the QR can produce a valid confirmation.
 *  - `sas`: no camera. Commit–reveal (the initiator commits to its key and nonce before seeing the responder's),
 *    then both screens show a 6-digit short authentication string that the user compares (or types across).
 *    A man in the middle succeeds with probability 10⁻⁶ per attempt, and one failure ends the pairing.
 *
 * Each side finally proves knowledge of the derived key with a confirmation tag; only then can secrets flow.
 */

export const PAIRING_VERSION = 1;
export const PAIRING_QR_PREFIX = 'miyu-pair:';
export const PairingMessageType = { QR: 1, COMMIT: 2, RESPONSE: 3, REVEAL: 4, CONFIRM: 5, SECRET: 6 } as const;
const ROLE_INITIATOR = 1;
const ROLE_RESPONDER = 2;
const MAX_SECRET_BYTES = 1024;

export type PairingMode = 'qr' | 'sas';
export type PairingRole = 'initiator' | 'responder';
export type PairingStatus =
  | 'awaiting-response'
  | 'awaiting-reveal'
  /** SAS mode: show `sas` and let the user compare, then call confirmSas() or rejectSas(). */
  | 'awaiting-user'
  | 'awaiting-peer-confirmation'
  | 'verified'
  | 'failed';

export interface PairingDevice {
  userId: string;
  deviceId: string;
}

interface Keys {
  transcript: Uint8Array;
  master: Uint8Array;
  sas: string;
}

function header(w: ByteWriter, type: number, pairingId: Uint8Array): ByteWriter {
  return w.u8(PAIRING_VERSION).u8(type).bytes(pairingId);
}

function readHeader(bytes: Uint8Array): { r: ByteReader; type: number; pairingId: Uint8Array } {
  const r = new ByteReader(bytes, 'pairing message');
  if (bytes.length > 2048) fail('MALFORMED', 'pairing message too large');
  if (r.u8() !== PAIRING_VERSION) fail('UNSUPPORTED_VERSION', 'pairing message version');
  const type = r.u8();
  return { r, type, pairingId: r.bytes(16) };
}

function commitment(
  pairingId: Uint8Array,
  device: PairingDevice,
  publicKey: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  return kdf(
    null,
    KdfLabel.PAIRING_COMMIT,
    [pairingId, utf8Encode(device.userId), utf8Encode(device.deviceId), publicKey, nonce],
    32,
  );
}

/** Six decimal digits from the first four bytes of the SAS key, shown as "123 456". */
function sasDigits(bytes: Uint8Array): string {
  const n = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false) % 1_000_000;
  const digits = n.toString().padStart(6, '0');
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}

export class DevicePairing {
  private state: PairingStatus;
  private keys: Keys | null = null;
  private peerDevice: PairingDevice | null = null;
  private peerPublicKey: Uint8Array | null = null;
  private peerNonce: Uint8Array | null = null;
  private peerCommitment: Uint8Array | null = null;
  private userConfirmed = false;
  private pendingPeerConfirm: Uint8Array | null = null;

  private constructor(
    readonly mode: PairingMode,
    readonly role: PairingRole,
    readonly pairingId: Uint8Array,
    readonly self: PairingDevice,
    private readonly keyPair: X25519KeyPair,
    private readonly nonce: Uint8Array,
    private readonly random: RandomSource,
  ) {
    this.state = 'awaiting-response';
  }

  /**
   * Starts a pairing. Returns the first message: in `qr` mode the QR payload (show `qrText` as a QR code);
   * in `sas` mode a commitment to send through the server.
   */
  static initiate(options: { mode: PairingMode; self: PairingDevice; random?: RandomSource }): {
    pairing: DevicePairing;
    message: Uint8Array;
    qrText: string | null;
  } {
    const random = options.random ?? systemRandom;
    const p = new DevicePairing(
      options.mode,
      'initiator',
      randomBytes(16, random),
      options.self,
      x25519GenerateKeyPair(random),
      randomBytes(16, random),
      random,
    );
    const w = new ByteWriter();
    if (options.mode === 'qr') {
      header(w, PairingMessageType.QR, p.pairingId)
        .id(p.self.userId)
        .id(p.self.deviceId)
        .bytes(p.keyPair.publicKey)
        .bytes(p.nonce);
      const message = w.finish();
      return { pairing: p, message, qrText: PAIRING_QR_PREFIX + toBase64Url(message) };
    }
    header(w, PairingMessageType.COMMIT, p.pairingId).id(p.self.userId).id(p.self.deviceId);
    w.bytes(commitment(p.pairingId, p.self, p.keyPair.publicKey, p.nonce));
    return { pairing: p, message: w.finish(), qrText: null };
  }

  /** Parses the text of a scanned QR code into the first message. */
  static parseQrText(text: string): Uint8Array {
    if (typeof text !== 'string' || !text.startsWith(PAIRING_QR_PREFIX)) fail('MALFORMED', 'not a Miyu pairing code');
    return fromBase64Url(text.slice(PAIRING_QR_PREFIX.length), 'pairing code');
  }

  /** Answers an initiator's first message (QR payload or commitment) and returns the response to send. */
  static respond(options: { self: PairingDevice; first: Uint8Array; random?: RandomSource }): {
    pairing: DevicePairing;
    message: Uint8Array;
  } {
    const random = options.random ?? systemRandom;
    const { r, type, pairingId } = readHeader(options.first);
    if (type !== PairingMessageType.QR && type !== PairingMessageType.COMMIT)
      fail('PAIRING_FAILED', 'not a pairing offer');
    const peer = { userId: r.id(), deviceId: r.id() };
    const mode: PairingMode = type === PairingMessageType.QR ? 'qr' : 'sas';
    const p = new DevicePairing(
      mode,
      'responder',
      pairingId,
      options.self,
      x25519GenerateKeyPair(random),
      randomBytes(16, random),
      random,
    );
    p.peerDevice = peer;
    if (mode === 'qr') {
      p.peerPublicKey = r.bytes(32);
      p.peerNonce = r.bytes(16);
    } else {
      p.peerCommitment = r.bytes(32);
    }
    r.end();
    if (peer.userId !== options.self.userId) fail('PAIRING_FAILED', 'pairing is between devices of one user');
    const w = header(new ByteWriter(), PairingMessageType.RESPONSE, pairingId)
      .id(p.self.userId)
      .id(p.self.deviceId)
      .bytes(p.keyPair.publicKey)
      .bytes(p.nonce);
    if (mode === 'qr') {
      p.derive();
      p.state = 'awaiting-peer-confirmation';
      p.userConfirmed = true;
      w.u8(1).bytes(p.confirmTag(ROLE_RESPONDER));
    } else {
      w.u8(0);
      p.state = 'awaiting-reveal';
    }
    return { pairing: p, message: w.finish() };
  }

  get status(): PairingStatus {
    return this.state;
  }

  /** The short authentication string, once keys are derived (both modes; required to compare in `sas`). */
  get sas(): string | null {
    return this.keys ? this.keys.sas : null;
  }

  get peer(): PairingDevice | null {
    return this.peerDevice;
  }

  /** Processes a message from the peer; returns the message to send back, if any. Any error ends the pairing. */
  receive(message: Uint8Array): Uint8Array | null {
    if (this.state === 'failed') fail('PAIRING_FAILED', 'pairing already failed');
    try {
      return this.handle(message);
    } catch (error) {
      this.state = 'failed';
      if (error instanceof CryptoError && error.code !== 'PAIRING_FAILED')
        throw new CryptoError('PAIRING_FAILED', error.message);
      throw error;
    }
  }

  /** SAS mode: the user saw the same code on both screens. Returns our confirmation to send. */
  confirmSas(): Uint8Array {
    if (this.state !== 'awaiting-user') fail('PAIRING_FAILED', `cannot confirm in state ${this.state}`);
    this.userConfirmed = true;
    this.state = 'awaiting-peer-confirmation';
    const out = this.confirmMessage();
    if (this.pendingPeerConfirm) this.receive(this.pendingPeerConfirm);
    return out;
  }

  /** SAS mode: the codes differed. The pairing is over (start a new one). */
  rejectSas(): void {
    this.state = 'failed';
  }

  /** Encrypts a secret (the History Key) for the peer; only after both sides confirmed. */
  sealSecret(secret: Uint8Array): Uint8Array {
    if (this.state !== 'verified' || !this.keys) fail('PAIRING_FAILED', 'pairing not verified');
    if (secret.length === 0 || secret.length > MAX_SECRET_BYTES) fail('INVALID_ARGUMENT', 'secret size');
    const role = this.role === 'initiator' ? ROLE_INITIATOR : ROLE_RESPONDER;
    const nonce = randomBytes(AEAD_NONCE_BYTES, this.random);
    const head = header(new ByteWriter(), PairingMessageType.SECRET, this.pairingId).u8(role).bytes(nonce).finish();
    const sealed = aeadEncrypt(this.transferKey(role), nonce, secret, frame(AdLabel.PAIRING_SECRET, [head]));
    return new ByteWriter().bytes(head).bytes(sealed).finish();
  }

  openSecret(message: Uint8Array): Uint8Array {
    if (this.state !== 'verified' || !this.keys) fail('PAIRING_FAILED', 'pairing not verified');
    const { r, type, pairingId } = readHeader(message);
    if (type !== PairingMessageType.SECRET || !bytesEqual(pairingId, this.pairingId))
      fail('PAIRING_FAILED', 'not our secret');
    const role = r.u8();
    const expected = this.role === 'initiator' ? ROLE_RESPONDER : ROLE_INITIATOR;
    if (role !== expected) fail('PAIRING_FAILED', 'secret from the wrong side');
    const nonce = r.bytes(AEAD_NONCE_BYTES);
    const head = message.slice(0, r.position);
    return aeadDecrypt(this.transferKey(role), nonce, r.bytes(r.remaining), frame(AdLabel.PAIRING_SECRET, [head]));
  }

  // ---------------------------------------------------------------------------------------------- internals

  private handle(message: Uint8Array): Uint8Array | null {
    const { r, type, pairingId } = readHeader(message);
    if (!bytesEqual(pairingId, this.pairingId)) fail('PAIRING_FAILED', 'message of another pairing');
    if (type === PairingMessageType.RESPONSE && this.role === 'initiator' && this.state === 'awaiting-response') {
      const peer = { userId: r.id(), deviceId: r.id() };
      this.peerPublicKey = r.bytes(32);
      this.peerNonce = r.bytes(16);
      const hasConfirm = r.flags(1);
      const confirm = hasConfirm ? r.bytes(32) : null;
      r.end();
      if (peer.userId !== this.self.userId) fail('PAIRING_FAILED', 'pairing is between devices of one user');
      this.peerDevice = peer;
      this.derive();
      if (this.mode === 'qr') {
        if (!confirm) fail('PAIRING_FAILED', 'QR response without confirmation');
        this.checkConfirm(ROLE_RESPONDER, confirm);
        this.userConfirmed = true;
        this.state = 'verified';
        return this.confirmMessage();
      }
      if (confirm) fail('PAIRING_FAILED', 'unexpected confirmation');
      this.state = 'awaiting-user';
      return header(new ByteWriter(), PairingMessageType.REVEAL, this.pairingId)
        .bytes(this.keyPair.publicKey)
        .bytes(this.nonce)
        .finish();
    }
    if (type === PairingMessageType.REVEAL && this.role === 'responder' && this.state === 'awaiting-reveal') {
      const publicKey = r.bytes(32);
      const nonce = r.bytes(16);
      r.end();
      const expected = commitment(this.pairingId, this.peerDevice as PairingDevice, publicKey, nonce);
      if (!bytesEqual(expected, this.peerCommitment as Uint8Array))
        fail('PAIRING_FAILED', 'reveal does not match commitment');
      this.peerPublicKey = publicKey;
      this.peerNonce = nonce;
      this.derive();
      this.state = 'awaiting-user';
      return null;
    }
    if (
      type === PairingMessageType.CONFIRM &&
      (this.state === 'awaiting-user' || this.state === 'awaiting-peer-confirmation')
    ) {
      const role = r.u8();
      const tag = r.bytes(32);
      r.end();
      const peerRole = this.role === 'initiator' ? ROLE_RESPONDER : ROLE_INITIATOR;
      if (role !== peerRole) fail('PAIRING_FAILED', 'confirmation from the wrong side');
      if (!this.userConfirmed) {
        // The peer's user confirmed first: keep it until ours does.
        this.pendingPeerConfirm = message;
        return null;
      }
      this.checkConfirm(role, tag);
      this.state = 'verified';
      return null;
    }
    fail('PAIRING_FAILED', `unexpected message type ${type} in state ${this.state}`);
  }

  private derive(): void {
    const peerKey = this.peerPublicKey as Uint8Array;
    const peerNonce = this.peerNonce as Uint8Array;
    const peer = this.peerDevice as PairingDevice;
    const initiator =
      this.role === 'initiator'
        ? { d: this.self, k: this.keyPair.publicKey, n: this.nonce }
        : { d: peer, k: peerKey, n: peerNonce };
    const responder =
      this.role === 'responder'
        ? { d: this.self, k: this.keyPair.publicKey, n: this.nonce }
        : { d: peer, k: peerKey, n: peerNonce };
    const transcript = kdf(
      null,
      KdfLabel.PAIRING_TRANSCRIPT,
      [
        Uint8Array.of(this.mode === 'qr' ? PairingMessageType.QR : PairingMessageType.COMMIT),
        this.pairingId,
        utf8Encode(initiator.d.userId),
        utf8Encode(initiator.d.deviceId),
        initiator.k,
        initiator.n,
        utf8Encode(responder.d.userId),
        utf8Encode(responder.d.deviceId),
        responder.k,
        responder.n,
      ],
      32,
    );
    const master = kdf(x25519(this.keyPair.secretKey, peerKey), KdfLabel.PAIRING_MASTER, [transcript], 32);
    this.keys = { transcript, master, sas: sasDigits(kdf(master, KdfLabel.PAIRING_SAS, [], 16)) };
  }

  private confirmTag(role: number): Uint8Array {
    const k = this.keys as Keys;
    const label = role === ROLE_INITIATOR ? KdfLabel.PAIRING_CONFIRM_INITIATOR : KdfLabel.PAIRING_CONFIRM_RESPONDER;
    return kdf(k.master, label, [k.transcript], 32);
  }

  private checkConfirm(role: number, tag: Uint8Array): void {
    if (!bytesEqual(this.confirmTag(role), tag)) fail('PAIRING_FAILED', 'confirmation does not verify');
  }

  private confirmMessage(): Uint8Array {
    const role = this.role === 'initiator' ? ROLE_INITIATOR : ROLE_RESPONDER;
    return header(new ByteWriter(), PairingMessageType.CONFIRM, this.pairingId)
      .u8(role)
      .bytes(this.confirmTag(role))
      .finish();
  }

  private transferKey(role: number): Uint8Array {
    const k = this.keys as Keys;
    return kdf(
      k.master,
      role === ROLE_INITIATOR ? KdfLabel.PAIRING_KEY_INITIATOR : KdfLabel.PAIRING_KEY_RESPONDER,
      [],
      32,
    );
  }
}
