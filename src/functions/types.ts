// What a function is once its config is resolved, and what a built-in function sees. Built-ins take the
// fast path: records already decoded from JSON, no base64, no worker hop. Lambda handlers get AWS's event
// shapes in worker threads. Both run under the same event source mapping code.
import type { StartingPosition } from "../stream/index.js";

export interface DecodedRecord<T = unknown> {
  sequenceNumber: string;
  partitionKey: string;
  approximateArrivalTimestamp: number;
  value: T;
}

export interface CheckpointRef {
  consumer: string;
  stream: string;
  shardId: string;
  sequenceNumber: string;
}

export interface BatchContext {
  functionName: string;
  stream: string;
  shardId: string;
  /** The checkpoint the runtime commits after the batch succeeds. A function that appends to a stream
   * passes it to putRecords so that its output and its progress commit atomically. Absent when the
   * runtime cannot promise that every earlier record is done when this batch is (parallelizationFactor
   * above 1, or a direct invocation): the function's output is then at least once. */
  checkpoint?: CheckpointRef;
  /** Aborted when the invocation times out: the runtime cannot stop in-process code, so a built-in that
   * waits on something slow should give up when this fires. */
  signal: AbortSignal;
}

/** A handler's answer with ReportBatchItemFailures: the items to retry (sequence numbers or message ids). */
export interface BatchItemFailuresResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface BuiltinFunction<T = unknown> {
  readonly name: string;
  handleBatch(records: DecodedRecord<T>[], context: BatchContext): Promise<void | BatchItemFailuresResponse>;
}

/** How a built-in is deployed: the function and what its config entry defaults to. */
export interface BuiltinRegistration {
  fn: BuiltinFunction;
  /** the stream it reads unless its config names one */
  defaultStream: string;
}

export type MappingStartingPosition = Extract<StartingPosition, { type: "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP" }>;

export interface OnFailureDestination {
  queue: string;
  /** add the discarded records to the invocation record (a shopstream extension) */
  includeRecords: boolean;
}

/** A Kinesis-style event source mapping, resolved from a function's config. */
export interface StreamMappingOptions {
  stream: string;
  /** most records per invocation */
  batchSize: number;
  /** how long to gather records before invoking with a partial batch, in ms */
  maximumBatchingWindowMs: number;
  /** where a mapping with no checkpoint starts */
  startingPosition: MappingStartingPosition;
  /** batches in flight per shard; records of one partition key stay in order */
  parallelizationFactor: number;
  /** -1: until the records expire */
  maximumRetryAttempts: number;
  /** -1: no limit */
  maximumRecordAgeSec: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  onFailure?: OnFailureDestination;
}

/** An SQS-style event source mapping. */
export interface QueueMappingOptions {
  queue: string;
  batchSize: number;
  maximumBatchingWindowMs: number;
  reportBatchItemFailures: boolean;
}

export type EventSource = { kind: "stream"; mapping: StreamMappingOptions } | { kind: "queue"; mapping: QueueMappingOptions };

export interface HandlerLocation {
  /** absolute path of the handler file */
  file: string;
  exportName: string;
}

/** A function ready to deploy: its config with the defaults and cross-field rules applied. */
export interface FunctionSpec {
  name: string;
  /** a Lambda handler; absent for a built-in */
  handler?: HandlerLocation;
  timeoutMs: number;
  memorySizeMb: number;
  environment: Record<string, string>;
  /** absent for a function that is only invoked directly */
  source?: EventSource;
}
