// Kinesis-style sequence numbers: 56-digit decimal strings that increase within a shard. They encode the
// shard index and a per-shard counter, so any backend maps its own position (a SQLite rowid, a JetStream
// message sequence × batch index) onto the same format, and users compare them as AWS documents (as BigInt).

const PREFIX = "49";
const SHARD_DIGITS = 10;
const COUNTER_DIGITS = 44;
const ZEROS = "0".repeat(COUNTER_DIGITS);

export function formatSequenceNumber(shardIndex: number, counter: number): string {
  const c = String(counter);
  const s = String(shardIndex);
  return PREFIX + ZEROS.slice(0, SHARD_DIGITS - s.length) + s + ZEROS.slice(0, COUNTER_DIGITS - c.length) + c;
}

/** The per-shard counter of a sequence number, or undefined when it is not one of ours. */
export function parseSequenceCounter(sequenceNumber: string): number | undefined {
  if (sequenceNumber.length !== PREFIX.length + SHARD_DIGITS + COUNTER_DIGITS || !/^\d+$/.test(sequenceNumber)) {
    return undefined;
  }
  const counter = Number(sequenceNumber.slice(PREFIX.length + SHARD_DIGITS));
  return Number.isSafeInteger(counter) ? counter : undefined;
}

export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, "0")}`;
}

export function shardIndexOf(shardId: string): number | undefined {
  const m = /^shardId-(\d{12})$/.exec(shardId);
  return m ? Number(m[1]) : undefined;
}
