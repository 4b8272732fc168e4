// A stream mapping's on-failure destination: when a batch is discarded (retries exhausted, records too
// old), one message with Lambda's invocation record for Kinesis sources goes to a queue, and only once the
// queue has it may the checkpoint pass the batch. With includeRecords (a shopstream extension) the message
// also carries the records, as the Kinesis event records the function saw: `{ Records: records }`
// re-invokes it.
import { createHash, randomUUID } from "node:crypto";
import { errorMessage } from "../errors/index.js";
import type { Logger } from "../monitor/index.js";
import type { Queue, SendMessageInput } from "../queue/index.js";
import type { StreamRecord } from "../stream/index.js";
import { functionArn, streamArn } from "./arn.js";
import type { FunctionError } from "./invocation.js";
import { kinesisEvent, packKinesisBatch, type KinesisEventRecord } from "./kinesis-event.js";
import { backoffMs, pause, type RetryBackoff } from "./retry-backoff.js";

export type DiscardCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

export interface DiscardedBatch {
  condition: DiscardCondition;
  stream: string;
  shardId: string;
  /** in sequence order */
  records: readonly StreamRecord[];
  /** invocations that included these records */
  approximateInvokeCount: number;
  /** the last of them, when there was one; `error` when it failed rather than reported batchItemFailures */
  lastInvocation?: { requestId: string; error?: FunctionError };
}

export interface KinesisInvocationRecord {
  requestContext: { requestId: string; functionArn: string; condition: DiscardCondition; approximateInvokeCount: number };
  responseContext: { statusCode: number; executedVersion: "$LATEST"; functionError?: "Unhandled" };
  version: "1.0";
  timestamp: string;
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
  records?: KinesisEventRecord[];
  /** why `records` is missing although includeRecords is on */
  recordsOmitted?: string;
}

export function kinesisInvocationRecord(functionName: string, batch: DiscardedBatch, nowMs: number): KinesisInvocationRecord {
  const first = batch.records[0]!;
  const last = batch.records[batch.records.length - 1]!;
  return {
    requestContext: {
      requestId: batch.lastInvocation?.requestId ?? randomUUID(),
      functionArn: functionArn(functionName),
      condition: batch.condition,
      approximateInvokeCount: batch.approximateInvokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: "$LATEST",
      ...(batch.lastInvocation?.error && { functionError: "Unhandled" as const }),
    },
    version: "1.0",
    timestamp: new Date(nowMs).toISOString(),
    KinesisBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.approximateArrivalTimestamp).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.approximateArrivalTimestamp).toISOString(),
      batchSize: batch.records.length,
      streamArn: streamArn(batch.stream),
    },
  };
}

export interface FailureDestinationOptions {
  functionName: string;
  queueName: string;
  includeRecords: boolean;
  backoff: RetryBackoff;
  clock: () => number;
  log: Logger;
}

export class FailureDestination {
  constructor(
    private readonly queue: Queue,
    private readonly options: FailureDestinationOptions,
  ) {}

  /** Sends the batch's invocation record, retrying until the queue takes it; false if `signal` aborts first. */
  async send(batch: DiscardedBatch, signal: AbortSignal): Promise<boolean> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const outcome = (await this.queue.send(this.options.queueName, [await this.message(batch)]))[0];
        if (outcome && !("errorCode" in outcome)) return true;
        throw new Error(outcome ? `${outcome.errorCode}: ${outcome.errorMessage}` : "the queue returned no outcome");
      } catch (error) {
        const waitMs = backoffMs(this.options.backoff, attempt);
        this.options.log.error({ queue: this.options.queueName, err: errorMessage(error), attempt, waitMs }, "on-failure destination refused the record; retrying");
        await pause(waitMs, signal);
      }
    }
    return false;
  }

  private async message(batch: DiscardedBatch): Promise<SendMessageInput> {
    const record = kinesisInvocationRecord(this.options.functionName, batch, this.options.clock());
    let body = JSON.stringify(record);
    if (this.options.includeRecords) {
      const { batch: packed } = packKinesisBatch(batch.records, batch.shardId, streamArn(batch.stream));
      const withRecords = JSON.stringify({ ...record, records: kinesisEvent(packed).Records });
      const { maximumMessageBytes } = (await this.queue.describeQueue(this.options.queueName)).attributes;
      body =
        Buffer.byteLength(withRecords) <= maximumMessageBytes
          ? withRecords
          : JSON.stringify({ ...record, recordsOmitted: `the records exceed the queue's maximumMessageBytes (${maximumMessageBytes})` });
    }
    const message: SendMessageInput = { body };
    if (this.options.queueName.endsWith(".fifo")) {
      // A FIFO queue needs a group, and a deduplication id makes a re-sent record (after a crash) harmless.
      const info = record.KinesisBatchInfo;
      message.groupId = `${this.options.functionName}:${info.shardId}`;
      message.deduplicationId = createHash("sha256")
        .update(`${this.options.functionName}:${info.shardId}:${info.startSequenceNumber}:${info.endSequenceNumber}`)
        .digest("hex");
    }
    return message;
  }
}
