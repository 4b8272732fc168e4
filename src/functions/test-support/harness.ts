// Shared by the function runtime's tests: a real SQLite stream in a temp dir, records in and out,
// polling for an outcome, and a built-in function that records what it was given.
import { join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { SqliteQueue } from "../../queue/index.js";
import { SqliteStream, type PutRecordInput, type PutRecordResult, type PutRecordsOptions, type Stream } from "../../stream/index.js";
import { tempDir } from "../../test-support/temp-dir.js";
import type { RetryBackoff } from "../retry-backoff.js";
import type { BatchContext, BatchItemFailuresResponse, BuiltinRegistration, DecodedRecord, StreamMappingOptions } from "../types.js";

export const FAST_RETRY: RetryBackoff = { initialMs: 5, maxMs: 20 };

export function handlerFile(name: string): string {
  return fileURLToPath(new URL(`./handlers/${name}`, import.meta.url));
}

export async function openStream(t: TestContext, shardCount = 1): Promise<{ stream: SqliteStream; dir: string }> {
  const dir = tempDir(t, "shopstream-functions-");
  const stream = new SqliteStream({ path: join(dir, "stream.db") });
  t.after(() => stream.close());
  await stream.createStream("events", { shardCount });
  return { stream, dir };
}

/** A stream mapping with Lambda's defaults (no retries limit, no record age limit), for a ShardConsumer. */
export function streamMapping(stream: string, options: Partial<StreamMappingOptions> = {}): StreamMappingOptions {
  return {
    stream,
    batchSize: 100,
    maximumBatchingWindowMs: 0,
    startingPosition: { type: "TRIM_HORIZON" },
    parallelizationFactor: 1,
    maximumRetryAttempts: -1,
    maximumRecordAgeSec: -1,
    bisectBatchOnFunctionError: false,
    reportBatchItemFailures: false,
    ...options,
  };
}

export function openQueue(t: TestContext, dir: string): SqliteQueue {
  const queue = new SqliteQueue({ path: join(dir, "queue.db"), pollIntervalMs: 20 });
  t.after(() => queue.close());
  return queue;
}

/** Appends JSON values (in order, 500 per put); returns their sequence numbers. */
export async function putValues(stream: SqliteStream, values: Array<{ key: string; value: unknown }>, name = "events"): Promise<string[]> {
  const sequenceNumbers: string[] = [];
  for (let i = 0; i < values.length; i += 500) {
    const results = await stream.putRecords(
      name,
      values.slice(i, i + 500).map(({ key, value }) => ({ partitionKey: key, data: Buffer.from(JSON.stringify(value)) })),
    );
    for (const result of results) {
      if ("errorCode" in result) throw new Error(result.errorMessage);
      sequenceNumbers.push(result.sequenceNumber);
    }
  }
  return sequenceNumbers;
}

/** Polls until `probe` returns something truthy; fails the test after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 5_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface RecordingBuiltin<T> {
  registration: BuiltinRegistration;
  /** every invocation's records, in invocation order */
  invocations: Array<DecodedRecord<T>[]>;
}

/** A built-in that records its batches and then does what `behave` says (throw, return failures, …). */
export function recordingBuiltin<T = Record<string, unknown>>(
  behave: (records: DecodedRecord<T>[], context: BatchContext) => Promise<void | BatchItemFailuresResponse> = async () => {},
  name = "recorder",
): RecordingBuiltin<T> {
  const invocations: Array<DecodedRecord<T>[]> = [];
  return {
    invocations,
    registration: {
      defaultStream: "events",
      fn: {
        name,
        async handleBatch(records: DecodedRecord<T>[], context: BatchContext) {
          invocations.push(records);
          return behave(records, context);
        },
      },
    },
  };
}

/** A stream whose next put fails, as if the process died between the store commit and the append. */
export function failingOnce(stream: Stream): Stream {
  let failNextPut = true;
  return Object.create(stream, {
    putRecords: {
      value: async (name: string, input: PutRecordInput[], options?: PutRecordsOptions): Promise<PutRecordResult[]> => {
        if (failNextPut) {
          failNextPut = false;
          throw new Error("stream unavailable");
        }
        return stream.putRecords(name, input, options);
      },
    },
  }) as Stream;
}
