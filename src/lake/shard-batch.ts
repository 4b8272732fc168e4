// One shard's buffer between two flushes: a contiguous run of records, each validated and routed to the
// table partitions it feeds, plus the records that failed and go to the error prefix. Valid records stay
// in their raw bytes: DuckDB parses them again when it converts, cheaper than re-encoding them here.
import { isUtf8 } from "node:buffer";
import { BatchNdjson } from "./batch-ndjson.js";
import { compareSequenceNumbers, type StreamRecord } from "../stream/index.js";
import type { HourPartition } from "./event-time.js";
import { errorPartitionPrefix, tablePartitionPrefix, type SequenceRange } from "./object-names.js";
import type { PublishedThrough } from "./published-index.js";
import { validateCuratedRecord, type LakeErrorType } from "./record-validation.js";
import type { LakeTable } from "./tables.js";

/** One Parquet object the flush writes: the rows of one table partition. */
export interface TableOutput {
  table: LakeTable;
  /** event type: names the partition of tables partitioned by type, and filters `events` */
  type: string;
  partition: HourPartition;
  partitionPrefix: string;
  /** index of the batch's (dt, hour) partition: the records are tagged with it */
  hourIndex: number;
  /** records to write; those at or below skipThroughIndex were published before a restart */
  recordCount: number;
  /** rows those records make: one each, or one per line item */
  rowCount: number;
  skipThroughIndex: number;
}

/** One NDJSON object of refused records in the error prefix. */
export interface ErrorOutput {
  errorType: LakeErrorType;
  partitionPrefix: string;
  lines: string[];
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class ShardBatch {
  readonly tableOutputs = new Map<string, TableOutput>();
  readonly errorOutputs = new Map<string, ErrorOutput>();
  private readonly ndjson = new BatchNdjson();
  private readonly hourIndexes = new Map<string, number>();
  private readonly routes = new Map<string, TableOutput[]>();
  private first: string | undefined;
  private last: string | undefined;
  /** raw bytes of every record read, the measure of Firehose's buffer size hint */
  bytes = 0;
  recordCount = 0;
  /** when the first record was buffered: the interval hint counts from here, as Firehose's does */
  startedAtMs: number | undefined;

  constructor(
    readonly stream: string,
    readonly shardId: string,
    private readonly publishedThrough: PublishedThrough,
  ) {}

  get isEmpty(): boolean {
    return this.recordCount === 0;
  }

  get range(): SequenceRange {
    if (this.first === undefined || this.last === undefined) throw new Error("an empty batch has no range");
    return { stream: this.stream, shardId: this.shardId, firstSequenceNumber: this.first, lastSequenceNumber: this.last };
  }

  /** The valid records as NDJSON for DuckDB (see BatchNdjson). */
  toNdjson(canonical = false): Buffer {
    return this.ndjson.bytes(canonical);
  }

  add(record: StreamRecord, nowMs: number): void {
    this.startedAtMs ??= nowMs;
    this.first ??= record.sequenceNumber;
    this.last = record.sequenceNumber;
    this.recordCount++;
    this.bytes += record.data.byteLength;

    const bytes = Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength);
    // DuckDB refuses invalid UTF-8 for the whole batch, so it is caught here, per record.
    if (!isUtf8(bytes)) {
      this.addError(record, bytes, "invalid_json", "record is not valid UTF-8");
      return;
    }
    const text = bytes.toString("utf8");
    const verdict = validateCuratedRecord(text);
    if (!verdict.ok) {
      this.addError(record, bytes, verdict.errorType, verdict.message);
      return;
    }
    const hourKey = `${verdict.partition.dt}/${verdict.partition.hour}`;
    let hourIndex = this.hourIndexes.get(hourKey);
    if (hourIndex === undefined) this.hourIndexes.set(hourKey, (hourIndex = this.hourIndexes.size));
    const index = this.ndjson.recordCount;
    // A record split over lines would break NDJSON; re-encoding it compactly keeps its meaning.
    this.ndjson.append(hourIndex, bytes.includes(NEWLINE) || bytes.includes(CARRIAGE_RETURN) ? Buffer.from(JSON.stringify(verdict.event)) : bytes);
    for (const output of this.outputsFor(verdict.type, verdict.partition, verdict.tables, hourIndex)) {
      if (this.alreadyPublished(output.partitionPrefix, record.sequenceNumber)) {
        output.skipThroughIndex = index;
      } else {
        output.recordCount++;
        output.rowCount += output.table.grain === "line_item" ? lineCount(verdict.event, output.table) : 1;
      }
    }
  }

  /** The outputs of one event type in one hour, one per table it feeds; cached, as most records share a few. */
  private outputsFor(type: string, partition: HourPartition, tables: readonly LakeTable[], hourIndex: number): TableOutput[] {
    const routeKey = `${type}/${partition.dt}/${partition.hour}`;
    let outputs = this.routes.get(routeKey);
    if (!outputs) {
      outputs = tables.map((table) => {
        const partitionPrefix = tablePartitionPrefix(table, type, partition);
        let output = this.tableOutputs.get(partitionPrefix);
        if (!output) {
          output = { table, type, partition, partitionPrefix, hourIndex, recordCount: 0, rowCount: 0, skipThroughIndex: -1 };
          this.tableOutputs.set(partitionPrefix, output);
        }
        return output;
      });
      this.routes.set(routeKey, outputs);
    }
    return outputs;
  }

  private addError(record: StreamRecord, bytes: Buffer, errorType: LakeErrorType, message: string): void {
    const arrival = new Date(record.approximateArrivalTimestamp).toISOString();
    const partitionPrefix = errorPartitionPrefix(errorType, { dt: arrival.slice(0, 10), hour: arrival.slice(11, 13) });
    if (this.alreadyPublished(partitionPrefix, record.sequenceNumber)) return;
    let output = this.errorOutputs.get(partitionPrefix);
    if (!output) this.errorOutputs.set(partitionPrefix, (output = { errorType, partitionPrefix, lines: [] }));
    const utf8 = isUtf8(bytes);
    output.lines.push(
      JSON.stringify({
        error_type: errorType,
        error_message: message,
        stream: this.stream,
        shard_id: record.shardId,
        sequence_number: record.sequenceNumber,
        partition_key: record.partitionKey,
        approximate_arrival_timestamp: arrival,
        // Text when it is text, so a person can read it; base64 otherwise, so nothing is lost.
        ...(utf8 ? { raw_data: bytes.toString("utf8") } : { raw_data_base64: bytes.toString("base64") }),
      }),
    );
  }

  private alreadyPublished(partitionPrefix: string, sequenceNumber: string): boolean {
    const through = this.publishedThrough.get(partitionPrefix);
    return through !== undefined && compareSequenceNumbers(sequenceNumber, through) <= 0;
  }
}

/** Line items of a validated record: validation has checked that the field is an array. */
function lineCount(event: Readonly<Record<string, unknown>>, table: LakeTable): number {
  const payload = event["payload"] as Record<string, unknown>;
  return (payload[table.lineItems?.field ?? ""] as unknown[] | undefined)?.length ?? 0;
}
