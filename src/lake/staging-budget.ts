// How many bytes of records the shards of one delivery stream may hold between the stream and the lake:
// the buffers they fill and the batches waiting for, or in, a conversion. Each shard holds at most two
// buffers, but conversions run two at a time, so under a backlog the shards of a busy delivery stream
// (four shards, 32 MiB each) used to hold eight full buffers while only two could be converted: about
// 300 MB of staged lines that only waited, which made the process's peak RSS pass 1 GiB in the end-to-end
// bench's overload step. Over the budget, a shard with a flush in flight reads nothing more until that
// flush ends or another frees some (its records wait in the stream, durable; a due buffer is still
// flushed), so it holds one buffer instead of two. A shard with nothing in flight always reads on: it
// needs to fill a buffer to make progress, and partly filled buffers (say a 60 s interval at a high rate)
// could otherwise hold the whole budget with no flush coming to free it.

export class StagingBudget {
  private held = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly limitBytes: number) {
    if (!(limitBytes > 0)) throw new RangeError(`staging budget must be positive, got ${limitBytes}`);
  }

  get exceeded(): boolean {
    return this.held >= this.limitBytes;
  }

  hold(bytes: number): void {
    this.held += bytes;
  }

  /** Gives `bytes` back and wakes the shards waiting for room. */
  release(bytes: number): void {
    if (bytes <= 0) return;
    this.held = Math.max(0, this.held - bytes);
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after each release; returns the unsubscribe function. */
  onRelease(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
