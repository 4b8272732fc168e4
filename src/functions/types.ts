// What a function sees. Built-in functions take the fast path: records already decoded from JSON, no
// base64, no worker hop. (User handlers with Lambda's event shape run through the same consumer.)
import type { StartingPosition } from "../stream/index.js";

export interface DecodedRecord<T = unknown> {
  sequenceNumber: string;
  partitionKey: string;
  approximateArrivalTimestamp: number;
  value: T;
}

export interface BatchContext {
  functionName: string;
  stream: string;
  shardId: string;
  /** The checkpoint the runtime commits after the batch succeeds. A function that appends to a stream
   * passes it to putRecords so that its output and its progress commit atomically. */
  checkpoint: { consumer: string; stream: string; shardId: string; sequenceNumber: string };
}

export interface BuiltinFunction<T = unknown> {
  readonly name: string;
  handleBatch(records: DecodedRecord<T>[], context: BatchContext): Promise<void>;
}

export interface MappingOptions {
  /** source stream */
  stream: string;
  /** most records per invocation */
  batchSize: number;
  /** how long to gather records before invoking with a partial batch, in ms */
  maximumBatchingWindowMs: number;
  /** where a consumer with no checkpoint starts */
  startingPosition: Extract<StartingPosition["type"], "TRIM_HORIZON" | "LATEST">;
}
