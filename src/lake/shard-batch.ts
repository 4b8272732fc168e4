// One shard's buffer between two flushes: a contiguous run of records, staged for DuckDB as they arrive.
// The JavaScript thread only does what must happen per record before DuckDB can read it, and all of it is
// a few byte operations: a UTF-8 check, a search for line breaks, one copy. A record that cannot be a line
// (not UTF-8, or spread over lines and not JSON) is refused here; everything else is DuckDB's to judge.
import { isUtf8 } from "node:buffer";
import { compareSequenceNumbers, type StreamRecord } from "../stream/index.js";
import type { SequenceRange } from "./object-names.js";
import { PackedStrings } from "./packed-strings.js";
import type { RecordOrigin, RefusedRecord } from "./record-errors.js";
import { fitsOnALine, StagingLines, type StagingLayout } from "./staging-lines.js";

export class ShardBatch {
  readonly lines: StagingLines;
  /** records refused before DuckDB saw them */
  readonly refused: RefusedRecord[] = [];
  private readonly refusedData = new Map<number, Uint8Array>();
  private readonly sequenceNumbers = new PackedStrings();
  private readonly partitionKeys = new PackedStrings();
  private readonly arrivalsMs: number[] = [];
  /** raw bytes of every record read, the measure of Firehose's buffer size hint */
  bytes = 0;
  /** when the first record was buffered: the interval hint counts from here, as Firehose's does */
  startedAtMs: number | undefined;

  constructor(
    readonly stream: string,
    readonly shardId: string,
    layout: StagingLayout,
  ) {
    this.lines = new StagingLines(layout);
  }

  get recordCount(): number {
    return this.sequenceNumbers.length;
  }

  get isEmpty(): boolean {
    return this.sequenceNumbers.length === 0;
  }

  /** Every record of the batch. */
  get range(): SequenceRange {
    return this.rangeAfter(-1);
  }

  add(record: StreamRecord, nowMs: number): void {
    this.startedAtMs ??= nowMs;
    const index = this.sequenceNumbers.length;
    this.sequenceNumbers.push(record.sequenceNumber);
    this.partitionKeys.push(record.partitionKey);
    this.arrivalsMs.push(record.approximateArrivalTimestamp);
    this.bytes += record.data.byteLength;

    const bytes = Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength);
    // DuckDB refuses a whole file for one line of bad UTF-8, so that is caught here, per record.
    if (bytes.byteLength === 0) return this.refuse(index, record.data, "record is empty");
    if (!isUtf8(bytes)) return this.refuse(index, record.data, "record is not valid UTF-8");
    if (fitsOnALine(bytes)) return this.lines.append(index, record.approximateArrivalTimestamp, bytes);
    // JSON spread over lines (pretty-printed) keeps its meaning re-encoded on one; the rare slow path.
    let compact: Buffer;
    try {
      compact = Buffer.from(JSON.stringify(JSON.parse(bytes.toString("utf8"))));
    } catch (error) {
      return this.refuse(index, record.data, `record is not JSON: ${(error as Error).message}`);
    }
    this.lines.append(index, record.approximateArrivalTimestamp, compact);
  }

  private refuse(index: number, data: Uint8Array, message: string): void {
    this.lines.skip();
    this.refused.push({ index, errorType: "invalid_json", message });
    this.refusedData.set(index, Uint8Array.prototype.slice.call(data));
  }

  /** Where a record came from and its bytes, for its line in the error prefix. */
  origin(index: number, deliveryStream: string): RecordOrigin {
    const data = this.refusedData.get(index) ?? this.lines.recordAt(index);
    const sequenceNumber = this.sequenceNumbers.at(index);
    if (data === undefined || sequenceNumber === undefined) throw new RangeError(`no record ${index} in the batch`);
    return {
      deliveryStream,
      stream: this.stream,
      shardId: this.shardId,
      sequenceNumber,
      partitionKey: this.partitionKeys.at(index) ?? "",
      arrivalMs: this.arrivalsMs[index] ?? 0,
      data,
    };
  }

  arrivalMsOf(index: number): number {
    return this.arrivalsMs[index] ?? 0;
  }

  /** The index of the last record at or below `sequenceNumber`, or -1 when there is none. */
  lastIndexAtOrBelow(sequenceNumber: string): number {
    let low = 0;
    let high = this.sequenceNumbers.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareSequenceNumbers(this.sequenceNumbers.at(middle)!, sequenceNumber) <= 0) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }

  /**
   * The records after index `skipThroughIndex` to the end of the batch: what an object holds when the
   * records before were published to its prefix before a restart (published-index.ts).
   */
  rangeAfter(skipThroughIndex: number): SequenceRange {
    const first = this.sequenceNumbers.at(skipThroughIndex + 1);
    const last = this.sequenceNumbers.at(this.sequenceNumbers.length - 1);
    if (first === undefined || last === undefined) throw new RangeError("no records after the skipped ones");
    return { stream: this.stream, shardId: this.shardId, firstSequenceNumber: first, lastSequenceNumber: last };
  }
}
