/**
 * Collects work items that arrive while flushes are in progress and hands them to `flush` together, so N
 * concurrent sends cost one transaction instead of N (one INSERT-and-commit costs as much CPU as ~10 socket
 * deliveries here; see PERFORMANCE.md). Up to `maxInFlight` flushes overlap, so one commit's fsync latency does
 * not stall the next batch. With no contention, an item is flushed on the next tick on its own, or, with
 * `lingerMs`, after waiting that long for company: for work nobody waits on (the audit log), where fewer, larger
 * transactions matter more than when they commit.
 */
export class GroupCommit<In, Out> {
  private queue: Array<{ item: In; resolve: (o: Out) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;
  private lingering: NodeJS.Timeout | null = null;
  private readonly pending = new Set<Promise<Out>>();

  constructor(
    private readonly flush: (items: In[]) => Promise<Out[]>,
    private readonly maxBatch = 500,
    private readonly maxInFlight = 1,
    private readonly lingerMs = 0,
  ) {}

  submit(item: In): Promise<Out> {
    const done = new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
    this.pending.add(done);
    const forget = () => this.pending.delete(done);
    done.then(forget, forget);
    return done;
  }

  /**
   * Resolves once everything submitted so far has been flushed (or has failed), without waiting for what comes
   * later or for a linger: for readers that must see what was submitted before they asked.
   */
  async settled(): Promise<void> {
    const waiting = [...this.pending];
    if (waiting.length === 0) return;
    if (this.lingering) {
      clearTimeout(this.lingering);
      this.lingering = null;
      this.scheduled = false;
      this.schedule(true);
    }
    await Promise.allSettled(waiting);
  }

  /** Resolves once everything submitted so far has been flushed (at shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  /** Arranges the next flush: on the next tick, or after the linger unless `now`. */
  private schedule(now = false): void {
    // A batch that filled up while lingering goes at once.
    if (this.lingering && this.queue.length >= this.maxBatch) {
      clearTimeout(this.lingering);
      this.lingering = null;
      this.scheduled = false;
    }
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.lingering = null;
      void this.flushOne();
    };
    if (!now && this.lingerMs > 0 && this.queue.length < this.maxBatch) this.lingering = setTimeout(run, this.lingerMs);
    else setImmediate(run);
  }

  private async flushOne(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight += 1;
    this.schedule();
    try {
      const results = await this.flush(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i]!));
    } catch (err) {
      batch.forEach((b) => b.reject(err));
    } finally {
      this.inFlight -= 1;
      this.schedule();
    }
  }
}
