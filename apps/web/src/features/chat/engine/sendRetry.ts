/**
 * Which failed sends the client tries again by itself, and when. A send that failed for a passing reason — the
 * network (NETWORK), the server's database restarting (SERVICE_UNAVAILABLE), a rate limit (RATE_LIMITED) — is
 * retried with the same clientMsgId (the server stores it at most once) after a growing pause, and again on every
 * reconnect; any other refusal waits for the user.
 */
const TRANSIENT = new Set(['NETWORK', 'SERVICE_UNAVAILABLE', 'RATE_LIMITED']);
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;

export function isTransientSendError(code: string | null): boolean {
  return code !== null && TRANSIENT.has(code);
}

/**
 * The pause before automatic attempt `attempt` (1 = the first retry), or null when the error is not transient.
 * NETWORK waits for the reconnect instead (socket.io reconnects by itself and the engine resends then).
 */
export function autoRetryDelayMs(code: string, attempt: number): number | null {
  if (code === 'NETWORK' || !isTransientSendError(code)) return null;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
}
