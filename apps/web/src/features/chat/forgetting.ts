/**
 * Users whose device this tab is forgetting (sign out and delete this device's data). The chat client must not start
 * again for them: a start while the data is being deleted would open the database again and register a new device.
 * Shared by the provider (which starts the client) and startChat (which checks again once it holds the device lock,
 * since a start may have been waiting for the lock when the deletion began). Cleared when the user signs out.
 */
const forgetting = new Set<string>();

export const markForgetting = (userId: string): void => void forgetting.add(userId);
export const isForgetting = (userId: string): boolean => forgetting.has(userId);
export const clearForgetting = (userId: string): void => void forgetting.delete(userId);

/** Thrown by a start that found its user's device being forgotten: nothing was opened. */
export class DeviceForgottenError extends Error {
  readonly code = 'DEVICE_FORGOTTEN';
  constructor() {
    super('this device is being deleted; the chat client does not start');
  }
}
