/**
 * Rate-limits a stream of values per key without losing the last one: the first value for a key goes out at once,
 * later ones within `intervalMs` are merged (the newest wins) and the merged value goes out when the interval ends.
 * A burst of N values for one key costs at most ceil(duration / interval) + 1 emissions.
 */
export class Coalescer<K, V> {
  private readonly waiting = new Map<K, { timer: ReturnType<typeof setTimeout>; pending: V | undefined }>();

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (key: K, value: V) => void,
  ) {}

  push(key: K, value: V): void {
    const slot = this.waiting.get(key);
    if (slot) {
      slot.pending = value;
      return;
    }
    this.emit(key, value);
    this.hold(key);
  }

  /** Emits whatever is pending and stops all timers (at shutdown). */
  flush(): void {
    for (const [key, slot] of this.waiting) {
      clearTimeout(slot.timer);
      if (slot.pending !== undefined) this.emit(key, slot.pending);
    }
    this.waiting.clear();
  }

  get size(): number {
    return this.waiting.size;
  }

  private hold(key: K): void {
    const timer = setTimeout(() => {
      const slot = this.waiting.get(key);
      this.waiting.delete(key);
      if (slot?.pending === undefined) return;
      this.emit(key, slot.pending);
      this.hold(key);
    }, this.intervalMs);
    timer.unref?.();
    this.waiting.set(key, { timer, pending: undefined });
  }
}
