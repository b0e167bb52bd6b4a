import type { StoreNamespace, StoreWrite } from '@miyu/crypto';
import type { DeviceStore, StoredMessage } from './deviceStore';

/**
 * The browser's DeviceStore: one IndexedDB database per user on this browser profile. Crypto records are one
 * object store keyed by `namespace \0 key`; a crypto batch is ONE readwrite transaction, so it commits whole or
 * not at all (libs/crypto relies on that). Messages are keyed by [conversationId, seq].
 */
const VERSION = 1;
const CRYPTO = 'crypto';
const META = 'meta';
const MESSAGES = 'messages';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });
}

function open(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(CRYPTO)) db.createObjectStore(CRYPTO);
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      if (!db.objectStoreNames.contains(MESSAGES))
        db.createObjectStore(MESSAGES, { keyPath: ['conversationId', 'seq'] });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of an older version'));
  });
}

const cryptoKey = (namespace: StoreNamespace, key: string) => `${namespace}\u0000${key}`;

class IndexedDbDeviceStore implements DeviceStore {
  constructor(
    private readonly db: IDBDatabase,
    private readonly name: string,
  ) {}

  async get(namespace: StoreNamespace, key: string): Promise<Uint8Array | null> {
    const value = await request(this.db.transaction(CRYPTO).objectStore(CRYPTO).get(cryptoKey(namespace, key)));
    return value instanceof Uint8Array ? value : null;
  }

  async list(namespace: StoreNamespace): Promise<string[]> {
    const prefix = cryptoKey(namespace, '');
    // '\u0001' sorts right after the '\u0000' separator: the range holds exactly this namespace's keys.
    const range = IDBKeyRange.bound(prefix, `${namespace}\u0001`, false, true);
    const keys = await request(this.db.transaction(CRYPTO).objectStore(CRYPTO).getAllKeys(range));
    return keys.map((k) => String(k).slice(prefix.length));
  }

  async write(batch: readonly StoreWrite[]): Promise<void> {
    const tx = this.db.transaction(CRYPTO, 'readwrite');
    const store = tx.objectStore(CRYPTO);
    for (const w of batch) {
      if (w.value === null) store.delete(cryptoKey(w.namespace, w.key));
      else store.put(w.value, cryptoKey(w.namespace, w.key));
    }
    await done(tx);
  }

  async getMeta<T>(key: string): Promise<T | null> {
    const value = (await request(this.db.transaction(META).objectStore(META).get(key))) as T | undefined;
    return value ?? null;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    const tx = this.db.transaction(META, 'readwrite');
    tx.objectStore(META).put(value, key);
    await done(tx);
  }

  async putMessages(messages: readonly StoredMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const tx = this.db.transaction(MESSAGES, 'readwrite');
    const store = tx.objectStore(MESSAGES);
    for (const m of messages) store.put(m);
    await done(tx);
  }

  async messages(
    conversationId: string,
    beforeSeq = Number.MAX_SAFE_INTEGER,
    limit = 10_000,
  ): Promise<StoredMessage[]> {
    const range = IDBKeyRange.bound([conversationId, 0], [conversationId, beforeSeq], false, true);
    const out: StoredMessage[] = [];
    const store = this.db.transaction(MESSAGES).objectStore(MESSAGES);
    await new Promise<void>((resolve, reject) => {
      const cursor = store.openCursor(range, 'prev');
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c || out.length >= limit) return resolve();
        out.push(c.value as StoredMessage);
        c.continue();
      };
      cursor.onerror = () => reject(cursor.error ?? new Error('IndexedDB cursor failed'));
    });
    return out.reverse();
  }

  async allMessages(): Promise<StoredMessage[]> {
    return (await request(this.db.transaction(MESSAGES).objectStore(MESSAGES).getAll())) as StoredMessage[];
  }

  async wipe(): Promise<void> {
    this.db.close();
    await request(indexedDB.deleteDatabase(this.name));
  }
}

/** Opens (creating on first use) the device database of `userId` on this browser profile. */
export async function openIndexedDbDeviceStore(userId: string): Promise<DeviceStore> {
  const name = `miyu-device-${userId}`;
  return new IndexedDbDeviceStore(await open(name), name);
}

/**
 * Asks the browser to keep this site's storage under storage pressure. `false` means it may evict the device's
 * keys (the user is warned: history then has to be restored again).
 */
export async function requestPersistentStorage(): Promise<boolean> {
  if (!navigator.storage?.persist) return false;
  if (await navigator.storage.persisted()) return true;
  return navigator.storage.persist();
}
