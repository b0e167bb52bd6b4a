import type { ApiClient } from '../../../lib/apiClient';
import type { MiyuSocket } from '../../../lib/services';
import { chatApi } from './chatApi';
import { ChatEngine } from './chatEngine';
import { browserDeviceName, DeviceGoneError, openDevice } from './device';
import type { DeviceStoreFactory } from './deviceStore';
import { lockDevice } from './deviceLock';
import { DeviceForgottenError, isForgetting } from '../forgetting';

/**
 * The lazily loaded entry of the chat client: everything behind it (libs/crypto, libsodium's WebAssembly) is a
 * separate chunk that loads after the app shell. Opens this browser's device (registering it on first use; a
 * device the server no longer knows is deleted locally and set up anew) and starts the engine.
 */
export function startChat(options: StartOptions): Promise<ChatEngine> {
  // One start per user at a time (React may mount twice): a second start waits, then finds the device registered.
  const previous = starting.get(options.userId) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => start(options));
  starting.set(options.userId, next);
  return next;
}

interface StartOptions {
  api: ApiClient;
  socket: MiyuSocket;
  openDeviceStore: DeviceStoreFactory;
  userId: string;
}

const starting = new Map<string, Promise<unknown>>();

async function start(options: StartOptions): Promise<ChatEngine> {
  const release = await lockDevice(options.userId);
  try {
    return await startLocked(options, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function startLocked(options: StartOptions, release: () => void): Promise<ChatEngine> {
  // A start that waited for the lock while this device was being deleted must not open the database again.
  if (isForgetting(options.userId)) throw new DeviceForgottenError();
  const api = chatApi(options.api);
  const deviceName = browserDeviceName(navigator.userAgent);
  let store = await options.openDeviceStore(options.userId);
  let device;
  try {
    device = await openDevice({ api, store, userId: options.userId, deviceName });
  } catch (error) {
    if (!(error instanceof DeviceGoneError)) throw error;
    await store.wipe();
    store = await options.openDeviceStore(options.userId);
    device = await openDevice({ api, store, userId: options.userId, deviceName });
  }
  const engine = new ChatEngine({
    api,
    http: options.api,
    socket: options.socket,
    store,
    crypto: device.crypto,
    deviceId: device.deviceId,
    userId: options.userId,
    onStop: release,
  });
  await engine.start();
  return engine;
}

export { ChatEngine };
