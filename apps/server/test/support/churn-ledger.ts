/** What one device got when it tried to decrypt one message: the text, or the crypto error code. */
export type DecryptOutcome = { ok: true; text: string } | { ok: false; code: string };

/** One message as its sender sent it, with the devices entitled to read it at that moment. */
export interface SentMessage {
  conversationId: string;
  seq: number;
  text: string;
  senderDeviceId: string;
  /** Every active device of every member when it was sent (the sending device included). */
  entitled: ReadonlySet<string>;
}

export type ChurnKind = 'device-added' | 'device-removed' | 'member-added' | 'member-removed';

export interface ChurnTally {
  sent: number;
  attempts: number;
  /** Entitled and decrypted to the text that was sent. */
  decrypted: number;
  /** Unable to decrypt: entitled, but the decrypt failed. */
  utd: number;
  /** Entitled, decrypted, but not to the text that was sent. */
  wrongText: number;
  /** Not entitled and not decrypted, before the device was ever entitled in the conversation (history). */
  refusedBeforeJoin: number;
  /** Not entitled and not decrypted, after it had been (its device or its member was removed): forward secrecy. */
  refusedAfterRemoval: number;
  /** Not entitled, yet decrypted. */
  leaks: number;
}

const SAMPLES = 10;

/**
 * The books of the key churn test: every message sent with the devices entitled to it, every decrypt attempt
 * classified against that, the rotations the senders reported and the churn applied. Attempts of one device in
 * one conversation must arrive in seq order (a device that was once entitled and no longer is was removed).
 */
export class ChurnLedger {
  readonly tally: ChurnTally = {
    sent: 0,
    attempts: 0,
    decrypted: 0,
    utd: 0,
    wrongText: 0,
    refusedBeforeJoin: 0,
    refusedAfterRemoval: 0,
    leaks: 0,
  };
  readonly rotations = new Map<string, number>();
  readonly churn = new Map<ChurnKind, number>();
  /** A few failures in full, for the assertion messages. */
  readonly problems: string[] = [];
  private readonly messages = new Map<string, SentMessage>();
  private readonly wasEntitled = new Set<string>();

  recordSent(message: SentMessage, rotated: string | null): void {
    this.messages.set(`${message.conversationId}#${message.seq}`, message);
    this.tally.sent += 1;
    if (rotated) this.rotations.set(rotated, (this.rotations.get(rotated) ?? 0) + 1);
  }

  recordChurn(kind: ChurnKind): void {
    this.churn.set(kind, (this.churn.get(kind) ?? 0) + 1);
  }

  recordAttempt(deviceId: string, conversationId: string, seq: number, outcome: DecryptOutcome): void {
    const message = this.messages.get(`${conversationId}#${seq}`);
    if (!message) throw new Error(`decrypted ${conversationId}#${seq}, which the test never sent`);
    this.tally.attempts += 1;
    const where = `device ${deviceId} on ${conversationId}#${seq} from ${message.senderDeviceId}`;
    const seen = `${deviceId} ${conversationId}`;
    if (message.entitled.has(deviceId)) {
      this.wasEntitled.add(seen);
      if (!outcome.ok) this.problem('utd', `UTD ${where}: ${outcome.code}`);
      else if (outcome.text !== message.text) this.problem('wrongText', `wrong text ${where}: ${outcome.text}`);
      else this.tally.decrypted += 1;
    } else if (outcome.ok) {
      this.problem('leaks', `LEAK ${where}: ${outcome.text}`);
    } else if (this.wasEntitled.has(seen)) {
      this.tally.refusedAfterRemoval += 1;
    } else {
      this.tally.refusedBeforeJoin += 1;
    }
  }

  /** The one line the test prints. */
  summary(extra: Record<string, string | number>): string {
    const t = this.tally;
    const rotations = [...this.rotations.values()].reduce((a, b) => a + b, 0);
    const byReason = [...this.rotations].map(([k, v]) => `${k}=${v}`).join(' ');
    const churn = [...this.churn].map(([k, v]) => `${k}=${v}`).join(' ');
    const more = Object.entries(extra)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return (
      `key-churn: messages=${t.sent} decrypt-attempts=${t.attempts} decrypted=${t.decrypted} utd=${t.utd} ` +
      `leaks=${t.leaks} wrong-text=${t.wrongText} refused-after-removal=${t.refusedAfterRemoval} ` +
      `refused-before-join=${t.refusedBeforeJoin} rotations=${rotations} (${byReason}) churn: ${churn} ${more}`
    );
  }

  private problem(kind: 'utd' | 'wrongText' | 'leaks', detail: string): void {
    this.tally[kind] += 1;
    if (this.problems.length < SAMPLES) this.problems.push(detail);
  }
}
