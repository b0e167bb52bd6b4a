import type { StoreNamespace, StoreWrite } from '@miyu/crypto';
import type { DeviceStore, StoredMessage } from './deviceStore';

const messageKey = (conversationId: string, seq: number) => `${conversationId}/${seq}`;

/** A DeviceStore in memory: for component tests (the browser uses indexedDbDeviceStore). */
export class MemoryDeviceStore implements DeviceStore {
  private readonly crypto = new Map<string, Uint8Array>();
  private readonly meta = new Map<string, unknown>();
  private readonly stored = new Map<string, StoredMessage>();

  async get(namespace: StoreNamespace, key: string): Promise<Uint8Array | null> {
    return this.crypto.get(`${namespace}\u0000${key}`)?.slice() ?? null;
  }

  async list(namespace: StoreNamespace): Promise<string[]> {
    const prefix = `${namespace}\u0000`;
    return [...this.crypto.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  async write(batch: readonly StoreWrite[]): Promise<void> {
    for (const w of batch) {
      const key = `${w.namespace}\u0000${w.key}`;
      if (w.value === null) this.crypto.delete(key);
      else this.crypto.set(key, w.value.slice());
    }
  }

  async getMeta<T>(key: string): Promise<T | null> {
    return (this.meta.get(key) as T | undefined) ?? null;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.meta.set(key, value);
  }

  async putMessages(messages: readonly StoredMessage[]): Promise<void> {
    for (const m of messages) this.stored.set(messageKey(m.conversationId, m.seq), m);
  }

  async messages(
    conversationId: string,
    beforeSeq = Number.MAX_SAFE_INTEGER,
    limit = 10_000,
  ): Promise<StoredMessage[]> {
    const list = [...this.stored.values()]
      .filter((m) => m.conversationId === conversationId && m.seq < beforeSeq)
      .sort((a, b) => a.seq - b.seq);
    return list.slice(Math.max(0, list.length - limit));
  }

  async allMessages(): Promise<StoredMessage[]> {
    return [...this.stored.values()];
  }

  async wipe(): Promise<void> {
    this.crypto.clear();
    this.meta.clear();
    this.stored.clear();
  }
}
