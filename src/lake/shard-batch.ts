// One shard's buffer between two flushes: a contiguous run of records, staged for DuckDB as they arrive.
// The JavaScript thread only does what must happen per record before DuckDB can read it, and all of it is
// a few byte operations: a UTF-8 check, a search for line breaks, one copy. A record that cannot be a line
// (not UTF-8, or spread over lines and not JSON) is refused here; everything else is DuckDB's to judge.
//
// A stream that reads in blocks (Stream.readBlock) is staged a block at a time: the checks run once over
// the block's bytes, and only a block that fails one is checked record by record. Sequence numbers are
// then kept as the stream's counters and formatted only where a name or an error line needs one.
import { isUtf8 } from "node:buffer";
import { compareSequenceNumbers, type RecordBlock, type StreamRecord } from "../stream/index.js";
import type { SequenceRange } from "./object-names.js";
import { NumberList, PackedStrings } from "./packed-strings.js";
import type { RecordOrigin, RefusedRecord } from "./record-errors.js";
import { fitsOnALine, StagingLines, type StagingLayout } from "./staging-lines.js";

/** What a line adds to its record at most: StagingLines' index, arrival time and the JSON around them. */
const LINE_OVERHEAD_BYTES = 40;

/** A UTF-8 continuation byte (10xxxxxx) cannot start a valid record. */
const isContinuationByte = (byte: number) => (byte & 0xc0) === 0x80;

export class ShardBatch {
  readonly lines: StagingLines;
  /** records refused before DuckDB saw them */
  readonly refused: RefusedRecord[] = [];
  private readonly refusedData = new Map<number, Uint8Array>();
  /** read record by record: the sequence numbers; read in blocks: the counters and their format */
  private readonly sequenceNumbers = new PackedStrings();
  private readonly sequenceCounters = new NumberList();
  private sequenceNumberOf: ((counter: number) => string) | undefined;
  private readonly partitionKeys = new PackedStrings();
  private readonly arrivalsMs = new NumberList();
  /** raw bytes of every record read, the measure of Firehose's buffer size hint */
  bytes = 0;
  /** when the first record was buffered: the interval hint counts from here, as Firehose's does */
  startedAtMs: number | undefined;

  /** the staging buffer is sized for a full buffer: by the caller's capacity, or by sizeForFullBuffer */
  private sized: boolean;

  constructor(
    readonly stream: string,
    readonly shardId: string,
    layout: StagingLayout,
    /** the staged bytes the batch will likely hold (StagingLines) */
    capacityBytes?: number,
    /** a delivered batch's staging buffer to reuse (StagingLines) */
    recycled?: Buffer,
    /** the buffer size hint (record bytes) the batch fills up to, when it has one */
    private readonly bufferSizeBytes?: number,
  ) {
    this.lines = new StagingLines(layout, capacityBytes, recycled);
    this.sized = capacityBytes !== undefined;
  }

  /**
   * Makes the staging buffer, once, as large as the lines of a full buffer of records of `recordBytes` on
   * average will be, rather than letting it grow by doublings, each a copy of everything staged so far.
   * The shard delivery calls it on a full read into an empty batch (a backlog: the buffer will fill up);
   * a batch that fills while its shard is caught up calls it itself once it holds a quarter of its buffer
   * size hint (sizeWhenAQuarterFull).
   */
  sizeForFullBuffer(recordBytes: number): void {
    if (this.sized || this.bufferSizeBytes === undefined) return;
    this.sized = true;
    const size = this.bufferSizeBytes;
    // 2 % over the hint for the record that crosses it (a batch flushes once past the hint).
    this.lines.ensureCapacity(Math.ceil(size * 1.02 + (size / Math.max(1, recordBytes)) * LINE_OVERHEAD_BYTES));
  }

  /**
   * A quarter is before the doubling that would reach the hint itself: grown by doubling, a buffer just
   * past 16 MiB of lines would take 32 MiB, and be recycled at that size while a backlog lasts (measured
   * in the end-to-end bench: the raw zone's four shards held 200 MiB of staging buffers, for about
   * 145 MiB of lines).
   */
  private sizeWhenAQuarterFull(): void {
    if (!this.sized && this.bufferSizeBytes !== undefined && this.bytes * 4 >= this.bufferSizeBytes) this.sizeForFullBuffer(this.bytes / this.recordCount);
  }

  get recordCount(): number {
    return this.arrivalsMs.length;
  }

  get isEmpty(): boolean {
    return this.arrivalsMs.length === 0;
  }

  /** Every record of the batch. */
  get range(): SequenceRange {
    return this.rangeAfter(-1);
  }

  add(record: StreamRecord, nowMs: number): void {
    if (this.sequenceNumberOf) throw new Error("a batch is read record by record or in blocks, not both");
    this.startedAtMs ??= nowMs;
    const index = this.arrivalsMs.length;
    this.sequenceNumbers.push(record.sequenceNumber);
    this.partitionKeys.push(record.partitionKey);
    this.arrivalsMs.push(record.approximateArrivalTimestamp);
    this.bytes += record.data.byteLength;
    this.stage(index, record.approximateArrivalTimestamp, Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength));
    this.sizeWhenAQuarterFull();
  }

  /**
   * Adds the records of `block` from index `from` on, until the batch holds `maxBytes` of records; returns
   * the index of the first record not added (block.count when all were).
   */
  addBlock(block: RecordBlock, from: number, nowMs: number, maxBytes: number): number {
    if (this.sequenceNumbers.length > 0) throw new Error("a batch is read record by record or in blocks, not both");
    if (from >= block.count) return block.count;
    this.startedAtMs ??= nowMs;
    this.sequenceNumberOf = block.sequenceNumberOf;
    const { data, dataEnds, partitionKeys, partitionKeyEnds, arrivalTimestamps, sequenceCounters } = block;
    const firstByte = from === 0 ? 0 : dataEnds[from - 1]!;
    // The whole rest of the block at once. Its records are each valid UTF-8 when it is and none of them
    // starts inside a character (checked per record below).
    const bytes = data.subarray(firstByte, dataEnds[block.count - 1]);
    const plain = isUtf8(bytes) && fitsOnALine(bytes);
    let k = from;
    while (k < block.count) {
      const start = k === 0 ? 0 : dataEnds[k - 1]!;
      const end = dataEnds[k]!;
      const arrivalMs = arrivalTimestamps[k]!;
      const index = this.arrivalsMs.length;
      this.sequenceCounters.push(sequenceCounters[k]!);
      this.partitionKeys.pushBytes(partitionKeys, k === 0 ? 0 : partitionKeyEnds[k - 1]!, partitionKeyEnds[k]!);
      this.arrivalsMs.push(arrivalMs);
      this.bytes += end - start;
      if (plain && end > start && !isContinuationByte(data[start]!)) this.lines.appendSlice(index, arrivalMs, data, start, end);
      else this.stage(index, arrivalMs, data.subarray(start, end));
      k++;
      if (this.bytes >= maxBytes) break;
    }
    this.sizeWhenAQuarterFull();
    return k;
  }

  /** The per-record checks and the staging of one record. */
  private stage(index: number, arrivalMs: number, bytes: Buffer): void {
    // DuckDB refuses a whole file for one line of bad UTF-8, so that is caught here, per record.
    if (bytes.byteLength === 0) return this.refuse(index, bytes, "record is empty");
    if (!isUtf8(bytes)) return this.refuse(index, bytes, "record is not valid UTF-8");
    if (fitsOnALine(bytes)) return this.lines.append(index, arrivalMs, bytes);
    // JSON spread over lines (pretty-printed) keeps its meaning re-encoded on one; the rare slow path.
    let compact: Buffer;
    try {
      compact = Buffer.from(JSON.stringify(JSON.parse(bytes.toString("utf8"))));
    } catch (error) {
      return this.refuse(index, bytes, `record is not JSON: ${(error as Error).message}`);
    }
    this.lines.append(index, arrivalMs, compact);
  }

  private refuse(index: number, data: Uint8Array, message: string): void {
    this.lines.skip();
    this.refused.push({ index, errorType: "invalid_json", message });
    this.refusedData.set(index, Uint8Array.prototype.slice.call(data));
  }

  /** The sequence number of the record at `index`, or undefined past the end. */
  sequenceNumberAt(index: number): string | undefined {
    if (!this.sequenceNumberOf) return this.sequenceNumbers.at(index);
    const counter = this.sequenceCounters.at(index);
    return counter === undefined ? undefined : this.sequenceNumberOf(counter);
  }

  /** Where a record came from and its bytes, for its line in the error prefix. */
  origin(index: number, deliveryStream: string): RecordOrigin {
    const data = this.refusedData.get(index) ?? this.lines.recordAt(index);
    const sequenceNumber = this.sequenceNumberAt(index);
    if (data === undefined || sequenceNumber === undefined) throw new RangeError(`no record ${index} in the batch`);
    return {
      deliveryStream,
      stream: this.stream,
      shardId: this.shardId,
      sequenceNumber,
      partitionKey: this.partitionKeys.at(index) ?? "",
      arrivalMs: this.arrivalsMs.at(index) ?? 0,
      data,
    };
  }

  arrivalMsOf(index: number): number {
    return this.arrivalsMs.at(index) ?? 0;
  }

  /** The index of the last record at or below `sequenceNumber`, or -1 when there is none. */
  lastIndexAtOrBelow(sequenceNumber: string): number {
    let low = 0;
    let high = this.recordCount;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareSequenceNumbers(this.sequenceNumberAt(middle)!, sequenceNumber) <= 0) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }

  /**
   * The records after index `skipThroughIndex` to the end of the batch: what an object holds when the
   * records before were published to its prefix before a restart (published-index.ts).
   */
  rangeAfter(skipThroughIndex: number): SequenceRange {
    const first = this.sequenceNumberAt(skipThroughIndex + 1);
    const last = this.sequenceNumberAt(this.recordCount - 1);
    if (first === undefined || last === undefined) throw new RangeError("no records after the skipped ones");
    return { stream: this.stream, shardId: this.shardId, firstSequenceNumber: first, lastSequenceNumber: last };
  }
}
