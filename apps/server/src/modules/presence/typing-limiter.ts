/**
 * Per-socket, per-conversation minimum interval between typing events. In memory on purpose: typing is ephemeral,
 * and a socket lives on one process. Bounded: at most `maxPerSocket` conversations are remembered per socket.
 */
export class TypingLimiter {
  private readonly last = new Map<string, Map<string, number>>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly maxPerSocket = 256,
  ) {}

  /** True if the event may pass (and records it); false if it comes too soon after the previous one. */
  allow(socketId: string, conversationId: string, now = Date.now()): boolean {
    let bySocket = this.last.get(socketId);
    if (!bySocket) {
      bySocket = new Map();
      this.last.set(socketId, bySocket);
    }
    const previous = bySocket.get(conversationId);
    if (previous !== undefined && now - previous < this.minIntervalMs) return false;
    if (bySocket.size >= this.maxPerSocket) {
      for (const [id, at] of bySocket) if (now - at >= this.minIntervalMs) bySocket.delete(id);
      if (bySocket.size >= this.maxPerSocket) return false;
    }
    bySocket.set(conversationId, now);
    return true;
  }

  /** Milliseconds until the next event for this conversation may pass. */
  retryAfterMs(socketId: string, conversationId: string, now = Date.now()): number {
    const previous = this.last.get(socketId)?.get(conversationId);
    return previous === undefined ? 0 : Math.max(0, this.minIntervalMs - (now - previous));
  }

  forget(socketId: string): void {
    this.last.delete(socketId);
  }
}
