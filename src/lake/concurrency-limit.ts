// At most N tasks at once; the rest wait in arrival order. Bounds how many shards convert with DuckDB at
// the same time, so conversions never take the core that reads and parses the stream.

export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so `active` never drops below what is running.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
