// Records the lake does not deliver to their destination, and the NDJSON objects they go to in the error
// prefix: one object per error type (and timestamp partition) per flush, each line the raw record with the
// error, its stream coordinates and, for a batch held back by an expectation, the table.
import type { SequenceRange } from "./object-names.js";

export type LakeErrorType =
  /** not JSON, or not something a line of NDJSON can hold */
  | "invalid_json"
  /** JSON, but not an event: no object, type, event time, payload or event id */
  | "invalid_event"
  /** an event whose values do not fit the columns of a table it feeds */
  | "schema_mismatch"
  /** a dynamic partitioning key or the timestamp field is missing or cannot name a folder */
  | "invalid_partition_key"
  /** the batch's rows of a table failed a blocking expectation */
  | "expectation_failed";

export interface RefusedRecord {
  /** the record's position in its batch */
  index: number;
  errorType: LakeErrorType;
  message: string;
  /** the table that refused it (expectation_failed) */
  table?: string;
}

/** What an error line says about where the record came from. */
export interface RecordOrigin {
  deliveryStream: string;
  stream: string;
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  arrivalMs: number;
  data: Uint8Array;
}

/** One line of an error object: readable JSON, the raw record as text when it is UTF-8, else base64. */
export function errorLine(refused: RefusedRecord, origin: RecordOrigin): string {
  const data = Buffer.from(origin.data.buffer, origin.data.byteOffset, origin.data.byteLength);
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let rawText: string | undefined;
  try {
    rawText = text.decode(data);
  } catch {
    rawText = undefined;
  }
  return JSON.stringify({
    error_type: refused.errorType,
    error_message: refused.message,
    ...(refused.table === undefined ? {} : { table: refused.table }),
    delivery_stream: origin.deliveryStream,
    stream: origin.stream,
    shard_id: origin.shardId,
    sequence_number: origin.sequenceNumber,
    partition_key: origin.partitionKey,
    approximate_arrival_timestamp: new Date(origin.arrivalMs).toISOString(),
    ...(rawText === undefined ? { raw_data_base64: data.toString("base64") } : { raw_data: rawText }),
  });
}

/** An NDJSON object of refused records. */
export interface ErrorOutput {
  key: string;
  errorType: LakeErrorType;
  range: SequenceRange;
  lines: string[];
}
