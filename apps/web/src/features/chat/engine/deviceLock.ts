/**
 * One tab per browser device: the device's keys and ratchets live in one IndexedDB database, and two tabs
 * decrypting and acking the same inbox would corrupt each other's state. A Web Lock held for as long as the chat
 * engine runs makes a second tab wait briefly (a reload releases it), then say that Miyu is open elsewhere.
 */
export class DeviceInUseError extends Error {
  readonly code = 'DEVICE_IN_ANOTHER_TAB';
  constructor() {
    super('this browser device is in use by another tab');
  }
}

/** How long a tab waits for another to let go (React remounts and reloads release within this). */
const WAIT_MS = 4000;

/** Takes the device lock for this tab; resolves with its release, or rejects with DeviceInUseError. */
export function lockDevice(userId: string): Promise<() => void> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return Promise.resolve(() => undefined); // no Web Locks (very old browsers): unprotected
  return new Promise((resolve, reject) => {
    locks
      .request(`miyu-device-${userId}`, { signal: AbortSignal.timeout(WAIT_MS) }, () => {
        // Held until released: the promise returned here keeps the lock.
        return new Promise<void>((release) => resolve(release));
      })
      .catch(() => reject(new DeviceInUseError()));
  });
}
