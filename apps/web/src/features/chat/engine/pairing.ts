import {
  type DeviceAddress,
  DevicePairing,
  historyKeyId,
  type MiyuCrypto,
  PairingMessageType,
  type ToDeviceMessage,
  toBase64Url,
} from '@miyu/crypto';
import type { ChatApi } from './chatApi';
import { restoreBackups } from './history';

/**
 * What the pairing screens show. `new-device`: this device asked the user's other devices for the History Key;
 * `existing-device`: another device of the user asks this one. Both sides compare the six-digit code (SAS) and
 * confirm it; only then does the existing device send the History Key (docs/protocol.md §13.4).
 */
export type PairingView =
  | {
      role: 'new-device';
      status: 'waiting-for-device' | 'compare' | 'waiting-for-peer' | 'done' | 'failed';
      sas: string | null;
    }
  | {
      role: 'existing-device';
      status: 'offered' | 'waiting-for-peer' | 'compare' | 'done' | 'failed';
      sas: string | null;
      peer: DeviceAddress;
      peerName: string | null;
    };

export interface PairingHost {
  api: ChatApi;
  crypto: MiyuCrypto;
  self: DeviceAddress;
  sendToDevices: (messages: readonly ToDeviceMessage[]) => Promise<void>;
  /** The view changed (null: no pairing in progress). */
  onChange: (view: PairingView | null) => void;
  /** This device received the History Key and restored the backups. */
  onHistoryKey: () => Promise<void>;
}

const typeOf = (message: Uint8Array) => message[1];

export class PairingCoordinator {
  private pairing: DevicePairing | null = null;
  private peer: DeviceAddress | null = null;
  private offer: { from: DeviceAddress; first: Uint8Array } | null = null;
  private view: PairingView | null = null;

  constructor(private readonly host: PairingHost) {}

  private show(view: PairingView | null): void {
    this.view = view;
    this.host.onChange(view);
  }

  private async sendTo(peers: DeviceAddress[], message: Uint8Array): Promise<void> {
    const wrapped = await this.host.crypto.encryptPairingMessage(peers, message);
    await this.host.sendToDevices(wrapped.messages);
  }

  /** New device: offer to pair to every other device of the user; the first one to answer is the peer. */
  async start(): Promise<void> {
    const { self } = this.host;
    const others = (await this.host.api.devicesOf(self.userId))
      .filter((d) => d.id !== self.deviceId)
      .map((d) => ({ userId: d.userId, deviceId: d.id }));
    const offer = DevicePairing.initiate({ mode: 'sas', self });
    this.pairing = offer.pairing;
    this.peer = null;
    this.offer = null;
    this.show({ role: 'new-device', status: 'waiting-for-device', sas: null });
    if (others.length > 0) await this.sendTo(others, offer.message);
  }

  /** Existing device: the user accepts a new device's request. */
  async accept(): Promise<void> {
    if (!this.offer || this.view?.role !== 'existing-device') return;
    const answer = DevicePairing.respond({ self: this.host.self, first: this.offer.first });
    this.pairing = answer.pairing;
    this.peer = this.offer.from;
    this.offer = null;
    this.show({ ...this.view, status: 'waiting-for-peer' });
    await this.sendTo([this.peer], answer.message);
  }

  /** The codes match on both screens. */
  async confirm(): Promise<void> {
    if (!this.pairing || !this.peer || this.view?.status !== 'compare') return;
    const message = this.pairing.confirmSas();
    this.show({ ...this.view, status: 'waiting-for-peer' });
    await this.sendTo([this.peer], message);
    await this.afterConfirmations();
  }

  /** The codes differ (or the user declines): the pairing ends for good on this side. */
  cancel(): void {
    if (this.pairing && this.pairing.status !== 'verified') this.pairing.rejectSas();
    this.pairing = null;
    this.peer = null;
    this.offer = null;
    this.show(null);
  }

  /** A pairing message from another device of this user (the inbox delivers them in order). */
  async receive(from: DeviceAddress, message: Uint8Array): Promise<void> {
    const type = typeOf(message);
    if (type === PairingMessageType.COMMIT) return this.offered(from, message);
    if (!this.pairing) return;
    if (this.peer && this.peer.deviceId !== from.deviceId) return; // another device answered too late
    try {
      if (type === PairingMessageType.SECRET) return await this.receiveSecret(message);
      const reply = this.pairing.receive(message);
      if (!this.peer) this.peer = from;
      if (reply) await this.sendTo([from], reply);
      if (this.pairing.status === 'awaiting-user' && this.view) {
        this.show({ ...this.view, status: 'compare', sas: this.pairing.sas });
      }
      await this.afterConfirmations();
    } catch {
      this.pairing = null;
      if (this.view) this.show({ ...this.view, status: 'failed' });
    }
  }

  private async offered(from: DeviceAddress, first: Uint8Array): Promise<void> {
    // Only a device that holds the History Key can help, and only one pairing at a time.
    if (this.view || !(await this.host.crypto.getHistoryKey())) return;
    this.offer = { from, first };
    const name = (await this.host.api.devicesOf(from.userId)).find((d) => d.id === from.deviceId)?.name ?? null;
    this.show({ role: 'existing-device', status: 'offered', sas: null, peer: from, peerName: name });
  }

  /** Both users confirmed: the existing device sends the History Key, sealed to the verified pairing. */
  private async afterConfirmations(): Promise<void> {
    if (!this.pairing || this.pairing.status !== 'verified' || this.view?.role !== 'existing-device') return;
    const historyKey = await this.host.crypto.getHistoryKey();
    if (!historyKey || !this.peer) return;
    await this.sendTo([this.peer], this.pairing.sealSecret(historyKey));
    this.pairing = null;
    this.show({ ...this.view, status: 'done' });
  }

  private async receiveSecret(message: Uint8Array): Promise<void> {
    if (!this.pairing || this.view?.role !== 'new-device') return;
    const historyKey = this.pairing.openSecret(message);
    await this.host.crypto.setHistoryKey(historyKey);
    await restoreBackups(this.host.api, this.host.crypto, toBase64Url(historyKeyId(historyKey)));
    this.pairing = null;
    this.show({ ...this.view, status: 'done' });
    await this.host.onHistoryKey();
  }
}
