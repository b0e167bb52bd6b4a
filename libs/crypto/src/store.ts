/**
 * Persistence for the crypto API. The caller implements it over IndexedDB in the browser, over memory or
 * PostgreSQL in tests and tools. Values are opaque, versioned records produced by this library; keys are
 * printable strings. Three operations suffice, and `write` must apply a whole batch atomically — that is what
 * makes "session advanced and one-time prekey deleted" happen together or not at all.
 */

export const StoreNamespace = {
  DEVICE_KEYS: 'device-keys',
  ONE_TIME_PREKEY: 'one-time-prekey',
  PAIRWISE_SESSION: 'pairwise-session',
  PAIRWISE_ACTIVE: 'pairwise-active',
  PEER_IDENTITY: 'peer-identity',
  OUTBOUND_SENDER_KEY: 'outbound-sender-key',
  INBOUND_SENDER_KEY: 'inbound-sender-key',
  CONVERSATION: 'conversation',
  CONVERSATION_DEVICES: 'conversation-devices',
  HISTORY_KEY: 'history-key',
  PENDING_BACKUP: 'pending-backup',
} as const;

export type StoreNamespace = (typeof StoreNamespace)[keyof typeof StoreNamespace];

export interface StoreWrite {
  namespace: StoreNamespace;
  key: string;
  /** `null` deletes the record. */
  value: Uint8Array | null;
}

export interface CryptoStore {
  get(namespace: StoreNamespace, key: string): Promise<Uint8Array | null>;
  /** All keys of a namespace (any order). */
  list(namespace: StoreNamespace): Promise<string[]>;
  /** Applies every write or none. */
  write(batch: readonly StoreWrite[]): Promise<void>;
}

/** In-memory store for tests, tools and benchmarks. Copies values in and out, like a real store would. */
export class MemoryCryptoStore implements CryptoStore {
  private readonly data = new Map<StoreNamespace, Map<string, Uint8Array>>();
  /** Number of `write` calls, for tests that check atomicity and batching. */
  writes = 0;

  private ns(namespace: StoreNamespace): Map<string, Uint8Array> {
    let map = this.data.get(namespace);
    if (!map) {
      map = new Map();
      this.data.set(namespace, map);
    }
    return map;
  }

  async get(namespace: StoreNamespace, key: string): Promise<Uint8Array | null> {
    const value = this.ns(namespace).get(key);
    return value ? value.slice() : null;
  }

  async list(namespace: StoreNamespace): Promise<string[]> {
    return [...this.ns(namespace).keys()];
  }

  async write(batch: readonly StoreWrite[]): Promise<void> {
    this.writes += 1;
    for (const w of batch) {
      if (w.value === null) this.ns(w.namespace).delete(w.key);
      else this.ns(w.namespace).set(w.key, w.value.slice());
    }
  }

  /** A deep copy, e.g. to simulate a second device restored from the same state. */
  snapshot(): MemoryCryptoStore {
    const copy = new MemoryCryptoStore();
    for (const [ns, map] of this.data) for (const [k, v] of map) copy.ns(ns).set(k, v.slice());
    return copy;
  }
}
