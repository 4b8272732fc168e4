// The most recent appends of one shard, kept in memory after their transaction commits, so consumers that
// keep up with the shard read its tail without a query. Every built-in consumer of a stream (on `curated`:
// orders, customers, fraud and the lake; on `events`: enrich and the raw zone) reads each record once, a
// few milliseconds after it was appended: without the cache each of those reads is a SQLite query that
// copies the records out of the database again (measured in the end-to-end profile: the largest single
// item on the JavaScript thread, about a tenth of it).
//
// The cache is an optimisation only: a read it cannot answer whole from its start (older records, a gap
// left by a rolled-back append, records trimmed away) goes to SQLite, which always has every record.
import type { RecordBlock, StartingPosition } from "../types.js";

/** One committed append to the shard: records with contiguous counters [first, last]. */
interface Chunk {
  first: number;
  last: number;
  data: Buffer;
  /** end of each record in `data` */
  dataEnds: Uint32Array;
  keys: Buffer;
  keyEnds: Uint32Array;
  arrivalMs: number;
}

/** What a block read from the cache needs from its stream. */
/** Values per row in add(): counter, partition key, data, arrival ms (sqlite-stream.ts inserts them so). */
const ROW_VALUES = 4;

export interface TailReadContext {
  sequenceNumberOf(counter: number): string;
  /** the shard's last counter handed out, for the lag */
  lastCounter: number;
}

export class ShardTailCache {
  private readonly chunks: Chunk[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /**
   * The rows of one committed append to the shard, as the append inserts them: per record its counter,
   * partition key, data and arrival time, one after another. Counters are contiguous and ascending.
   */
  add(rows: readonly unknown[]): void {
    const count = rows.length / ROW_VALUES;
    if (count === 0) return;
    const data: Uint8Array[] = new Array(count);
    const keys: string[] = new Array(count);
    const dataEnds = new Uint32Array(count);
    const keyEnds = new Uint32Array(count);
    let dataBytes = 0;
    let keyBytes = 0;
    for (let k = 0; k < count; k++) {
      data[k] = rows[k * ROW_VALUES + 2] as Uint8Array;
      keys[k] = rows[k * ROW_VALUES + 1] as string;
      dataEnds[k] = dataBytes += data[k]!.byteLength;
      keyEnds[k] = keyBytes += Buffer.byteLength(keys[k]!, "utf8");
    }
    const first = rows[0] as number;
    const chunk: Chunk = {
      first,
      last: first + count - 1,
      data: Buffer.concat(data, dataBytes),
      dataEnds,
      keys: Buffer.from(keys.join(""), "utf8"),
      keyEnds,
      arrivalMs: rows[3] as number,
    };
    // Counters only grow: an append whose counters do not follow the cached ones (a rolled-back append
    // left a gap) starts the cache over, so the cache always holds one contiguous run.
    const tail = this.chunks.at(-1);
    if (tail && tail.last + 1 !== first) this.clear();
    this.chunks.push(chunk);
    this.bytes += dataBytes + keyBytes;
    while (this.bytes > this.maxBytes && this.chunks.length > 1) {
      const dropped = this.chunks.shift()!;
      this.bytes -= dropped.data.byteLength + dropped.keys.byteLength;
    }
  }

  /** Forgets records with counters below `counter` (they were trimmed). */
  dropBefore(counter: number): void {
    if ((this.chunks[0]?.first ?? Infinity) < counter) this.clear();
  }

  clear(): void {
    this.chunks.length = 0;
    this.bytes = 0;
  }

  /**
   * Up to `limit` records after counter `after`, or undefined when the cache does not hold the record
   * right after it (the read must go to SQLite).
   */
  read(after: number, limit: number, context: TailReadContext): RecordBlock | undefined {
    const { chunks } = this;
    if (chunks.length === 0 || after + 1 < chunks[0]!.first || after >= chunks.at(-1)!.last) return undefined;
    // Tailing readers are near the end: search from there.
    let c = chunks.length - 1;
    while (chunks[c]!.first > after + 1) c--;
    // The cache is one contiguous run, so it holds every record from after + 1 to its last.
    const count = Math.min(limit, chunks.at(-1)!.last - after);
    const dataEnds = new Uint32Array(count);
    const keyEnds = new Uint32Array(count);
    const arrivalTimestamps = new Float64Array(count);
    const sequenceCounters = new Float64Array(count);
    const dataParts: Buffer[] = [];
    const keyParts: Buffer[] = [];
    let dataBytes = 0;
    let keyBytes = 0;
    for (let k = 0; k < count; c++) {
      const chunk = chunks[c]!;
      const from = after + 1 + k - chunk.first;
      const to = Math.min(chunk.last - chunk.first + 1, from + count - k);
      const dataStart = from === 0 ? 0 : chunk.dataEnds[from - 1]!;
      const keyStart = from === 0 ? 0 : chunk.keyEnds[from - 1]!;
      arrivalTimestamps.fill(chunk.arrivalMs, k, k + to - from);
      for (let j = from; j < to; j++, k++) {
        dataEnds[k] = dataBytes + chunk.dataEnds[j]! - dataStart;
        keyEnds[k] = keyBytes + chunk.keyEnds[j]! - keyStart;
        sequenceCounters[k] = after + 1 + k;
      }
      const dataEnd = chunk.dataEnds[to - 1]!;
      const keyEnd = chunk.keyEnds[to - 1]!;
      dataParts.push(chunk.data.subarray(dataStart, dataEnd));
      keyParts.push(chunk.keys.subarray(keyStart, keyEnd));
      dataBytes += dataEnd - dataStart;
      keyBytes += keyEnd - keyStart;
    }
    const lastCounter = after + count;
    const caughtUp = lastCounter >= context.lastCounter;
    const next: StartingPosition = { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: context.sequenceNumberOf(lastCounter) };
    return {
      count,
      // One chunk's records are a view of it; records from several chunks are copied together.
      data: dataParts.length === 1 ? dataParts[0]! : Buffer.concat(dataParts, dataBytes),
      dataEnds,
      partitionKeys: keyParts.length === 1 ? keyParts[0]! : Buffer.concat(keyParts, keyBytes),
      partitionKeyEnds: keyEnds,
      arrivalTimestamps,
      sequenceCounters,
      sequenceNumberOf: context.sequenceNumberOf,
      next,
      millisBehindLatest: caughtUp ? 0 : Math.max(0, Date.now() - arrivalTimestamps[count - 1]!),
    };
  }
}
