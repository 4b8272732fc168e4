// Which records of a shard are done, in read order. With several batches of one shard in flight
// (parallelizationFactor), they finish out of order; the checkpoint may only move over the contiguous
// prefix of done records, so that a restart never skips a record that was still being processed.

export class CheckpointTracker {
  /** sequence numbers of the records from `head` on, in read order */
  private sequenceNumbers: string[] = [];
  private done: boolean[] = [];
  /** ordinal of sequenceNumbers[0] */
  private base = 0;
  /** index of the first record not done */
  private head = 0;
  private reported: string | undefined;

  /** Registers records just read; returns the ordinal of the first (the others follow it). */
  add(sequenceNumbers: readonly string[]): number {
    const first = this.base + this.sequenceNumbers.length;
    for (const sequenceNumber of sequenceNumbers) {
      this.sequenceNumbers.push(sequenceNumber);
      this.done.push(false);
    }
    return first;
  }

  markDone(ordinal: number): void {
    this.done[ordinal - this.base] = true;
  }

  /** The newest sequence number with every earlier record done, when that moved since the last call. */
  advance(): string | undefined {
    while (this.head < this.done.length && this.done[this.head]) this.head++;
    const newest = this.head === 0 ? undefined : this.sequenceNumbers[this.head - 1];
    // Drop the finished prefix now and then, not on every call: splicing is linear in what remains.
    if (this.head >= 4096 && this.head * 2 >= this.done.length) {
      this.sequenceNumbers.splice(0, this.head - 1);
      this.done.splice(0, this.head - 1);
      this.base += this.head - 1;
      this.head = 1;
    }
    if (newest === undefined || newest === this.reported) return undefined;
    this.reported = newest;
    return newest;
  }

  /** Records read and not yet covered by the checkpoint (some of them may be done, behind one that is not). */
  get pending(): number {
    return this.done.length - this.head;
  }
}
