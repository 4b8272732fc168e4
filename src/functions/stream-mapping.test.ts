// Kinesis event source mapping semantics, through the same consumer for built-ins and Lambda handlers:
// checkpoints, ReportBatchItemFailures, bisection, retries, record age, on-failure destinations,
// parallelization, starting positions and the batching window.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { SqliteQueue } from "../queue/index.js";
import { shardIdOf, type SqliteStream } from "../stream/index.js";
import { functionArn, streamArn } from "./arn.js";
import type { FunctionConfigInput } from "./config.js";
import { deployFunctions } from "./deploy.js";
import type { KinesisInvocationRecord } from "./failure-destination.js";
import type { FunctionRuntime } from "./runtime.js";
import { laneOf } from "./shard-lane.js";
import { FAST_RETRY, openQueue, openStream, putValues, recordingBuiltin, waitFor, type RecordingBuiltin } from "./test-support/harness.js";
import type { BuiltinRegistration } from "./types.js";

const HANDLERS_DIR = fileURLToPath(new URL("./test-support/handlers/", import.meta.url));

interface Setup {
  stream: SqliteStream;
  queue: SqliteQueue;
  dir: string;
}

async function setup(t: TestContext, shardCount = 1): Promise<Setup> {
  const { stream, dir } = await openStream(t, shardCount);
  const queue = openQueue(t, dir);
  await queue.createQueue("failures");
  return { stream, queue, dir };
}

async function deploy(
  t: TestContext,
  { stream, queue }: Setup,
  functionsConfig: Record<string, FunctionConfigInput>,
  builtins: Record<string, BuiltinRegistration> = {},
  clock?: () => number,
): Promise<FunctionRuntime> {
  const runtime = await deployFunctions({
    stream,
    queue,
    functionsConfig,
    builtins,
    baseDir: HANDLERS_DIR,
    retryBackoff: FAST_RETRY,
    ...(clock && { clock }),
  });
  t.after(() => runtime.stop());
  await runtime.start();
  return runtime;
}

function checkpoint(stream: SqliteStream, functionName = "recorder", shard = 0): Promise<string | undefined> {
  return stream.getCheckpoint(`function:${functionName}`, "events", shardIdOf(shard));
}

function numbered(count: number, key = "k", from = 0): Array<{ key: string; value: { n: number } }> {
  return Array.from({ length: count }, (_, i) => ({ key, value: { n: from + i } }));
}

function numbersOf(recorder: RecordingBuiltin<{ n: number }>, invocation: number): number[] {
  return recorder.invocations[invocation]!.map((record) => record.value.n);
}

async function failureRecords(queue: SqliteQueue): Promise<Array<KinesisInvocationRecord & { records?: Array<{ kinesis: { data: string } }> }>> {
  const messages = await queue.receive("failures", { maxMessages: 10, waitTimeSec: 0 });
  return messages.map((message) => JSON.parse(message.body));
}

describe("stream event source mapping", () => {
  it("commits the checkpoint only after a batch succeeds; a failing batch never advances it", async (t) => {
    const env = await setup(t);
    let failing = true;
    const recorder = recordingBuiltin<{ n: number }>(async () => {
      if (failing) throw new Error("sink unavailable");
    });
    const sequenceNumbers = await putValues(env.stream, numbered(5));
    await deploy(t, env, { recorder: {} }, { recorder: recorder.registration });

    await waitFor(() => recorder.invocations.length >= 4, "retries");
    assert.equal(await checkpoint(env.stream), undefined);
    for (let i = 0; i < recorder.invocations.length; i++) assert.deepEqual(numbersOf(recorder, i), [0, 1, 2, 3, 4]);

    failing = false;
    await waitFor(async () => (await checkpoint(env.stream)) === sequenceNumbers[4], "the checkpoint after success");
  });

  it("moves the checkpoint to just before the lowest reported failure and retries from there", async (t) => {
    const env = await setup(t);
    const sequenceNumbers = await putValues(env.stream, numbered(10));
    let failing = true;
    const recorder = recordingBuiltin<{ n: number }>(async () => ({
      batchItemFailures: failing ? [{ itemIdentifier: sequenceNumbers[7]! }, { itemIdentifier: sequenceNumbers[4]! }] : [],
    }));
    await deploy(t, env, { recorder: { functionResponseTypes: ["ReportBatchItemFailures"] } }, { recorder: recorder.registration });

    await waitFor(() => recorder.invocations.length >= 3, "retries");
    assert.equal(await checkpoint(env.stream), sequenceNumbers[3]);
    assert.deepEqual(numbersOf(recorder, 0), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(numbersOf(recorder, 1), [4, 5, 6, 7, 8, 9]);

    failing = false; // an empty list is success
    await waitFor(async () => (await checkpoint(env.stream)) === sequenceNumbers[9], "the checkpoint after success");
  });

  it("treats an identifier that is not in the batch as a failure of the whole batch", async (t) => {
    const env = await setup(t);
    const sequenceNumbers = await putValues(env.stream, numbered(3));
    let calls = 0;
    const recorder = recordingBuiltin<{ n: number }>(async () =>
      ++calls === 1 ? { batchItemFailures: [{ itemIdentifier: "not-a-sequence-number" }] } : undefined,
    );
    await deploy(t, env, { recorder: { functionResponseTypes: ["ReportBatchItemFailures"] } }, { recorder: recorder.registration });
    await waitFor(async () => (await checkpoint(env.stream)) === sequenceNumbers[2], "the checkpoint");
    assert.equal(recorder.invocations.length, 2);
    assert.deepEqual(numbersOf(recorder, 1), [0, 1, 2]);
  });

  it("isolates a poison record by bisection: every other record goes through and the destination receives exactly it", async (t) => {
    const env = await setup(t);
    const values = numbered(16).map((entry) => (entry.value.n === 9 ? { ...entry, value: { n: 9, poison: true } } : entry));
    const sequenceNumbers = await putValues(env.stream, values);
    const processed: number[] = [];
    const recorder = recordingBuiltin<{ n: number; poison?: boolean }>(async (records) => {
      if (records.some((record) => record.value.poison)) throw new Error("cannot parse this one");
      processed.push(...records.map((record) => record.value.n));
    });
    const mapping: FunctionConfigInput = {
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 1,
      destinationConfig: { onFailure: { destination: "failures", includeRecords: true } },
    };
    await deploy(t, env, { recorder: mapping }, { recorder: recorder.registration });

    await waitFor(async () => (await checkpoint(env.stream)) === sequenceNumbers[15], "the checkpoint past the batch");
    assert.deepEqual(processed, [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15]);
    const failures = await failureRecords(env.queue);
    assert.equal(failures.length, 1);
    const [failure] = failures;
    // 16 → 8 → 4 → 2 → 1 records, then one retry: splits are not retries.
    assert.deepEqual(failure!.requestContext.condition, "RetryAttemptsExhausted");
    assert.equal(failure!.requestContext.approximateInvokeCount, 6);
    assert.equal(failure!.requestContext.functionArn, functionArn("recorder"));
    assert.deepEqual(failure!.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
    assert.equal(failure!.version, "1.0");
    const info = failure!.KinesisBatchInfo;
    assert.deepEqual(
      { ...info, approximateArrivalOfFirstRecord: undefined, approximateArrivalOfLastRecord: undefined },
      {
        shardId: "shardId-000000000000",
        startSequenceNumber: sequenceNumbers[9],
        endSequenceNumber: sequenceNumbers[9],
        approximateArrivalOfFirstRecord: undefined,
        approximateArrivalOfLastRecord: undefined,
        batchSize: 1,
        streamArn: streamArn("events"),
      },
    );
    assert.match(info.approximateArrivalOfFirstRecord, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(failure!.records?.length, 1);
    assert.deepEqual(JSON.parse(Buffer.from(failure!.records![0]!.kinesis.data, "base64").toString()), { n: 9, poison: true });
  });

  it("discards a batch after maximumRetryAttempts retries, to the destination", async (t) => {
    const env = await setup(t);
    const sequenceNumbers = await putValues(env.stream, numbered(5));
    const recorder = recordingBuiltin<{ n: number }>(async () => {
      throw new Error("always");
    });
    await deploy(
      t,
      env,
      { recorder: { maximumRetryAttempts: 2, destinationConfig: { onFailure: { destination: "arn:aws:sqs:us-east-1:000000000000:failures" } } } },
      { recorder: recorder.registration },
    );
    await waitFor(async () => (await checkpoint(env.stream)) === sequenceNumbers[4], "the checkpoint past the discarded batch");
    assert.equal(recorder.invocations.length, 3);
    const [failure, ...more] = await failureRecords(env.queue);
    assert.equal(more.length, 0);
    assert.equal(failure!.requestContext.condition, "RetryAttemptsExhausted");
    assert.equal(failure!.requestContext.approximateInvokeCount, 3);
    assert.equal(failure!.KinesisBatchInfo.startSequenceNumber, sequenceNumbers[0]);
    assert.equal(failure!.KinesisBatchInfo.endSequenceNumber, sequenceNumbers[4]);
    assert.equal(failure!.KinesisBatchInfo.batchSize, 5);
    assert.equal(failure!.records, undefined, "records only with includeRecords");
  });

  it("discards records older than maximumRecordAgeSec without invoking, and processes fresh ones", async (t) => {
    const env = await setup(t);
    let skewMs = 120_000;
    const recorder = recordingBuiltin<{ n: number }>();
    await deploy(
      t,
      env,
      { recorder: { maximumRecordAgeSec: 60, destinationConfig: { onFailure: { destination: "failures" } } } },
      { recorder: recorder.registration },
      () => Date.now() + skewMs,
    );
    const old = await putValues(env.stream, numbered(3));
    await waitFor(async () => (await checkpoint(env.stream)) === old[2], "the checkpoint past the old records");
    assert.equal(recorder.invocations.length, 0);
    const [failure] = await failureRecords(env.queue);
    assert.equal(failure!.requestContext.condition, "RecordAgeExceeded");
    assert.equal(failure!.requestContext.approximateInvokeCount, 0);
    assert.equal(failure!.responseContext.functionError, undefined);
    assert.equal(failure!.KinesisBatchInfo.batchSize, 3);

    skewMs = 0;
    const fresh = await putValues(env.stream, numbered(2, "k", 3));
    await waitFor(async () => (await checkpoint(env.stream)) === fresh[1], "the checkpoint past the fresh records");
    assert.deepEqual(numbersOf(recorder, 0), [3, 4]);
  });

  it("runs batches of one shard concurrently with parallelizationFactor, keeping each partition key in order", async (t) => {
    const env = await setup(t);
    const keys = Array.from({ length: 8 }, (_, i) => `customer-${i}`);
    const values = Array.from({ length: 240 }, (_, i) => ({ key: keys[i % keys.length]!, value: { n: i } }));
    const sequenceNumbers = await putValues(env.stream, values);
    const inFlightKeys = new Set<string>();
    const seenByKey = new Map<string, number[]>();
    let inFlightBatches = 0;
    let mostBatchesAtOnce = 0;
    let overlaps = 0;
    const recorder = recordingBuiltin<{ n: number }>(async (records) => {
      const batchKeys = new Set(records.map((record) => record.partitionKey));
      for (const key of batchKeys) if (inFlightKeys.has(key)) overlaps++;
      for (const key of batchKeys) inFlightKeys.add(key);
      mostBatchesAtOnce = Math.max(mostBatchesAtOnce, ++inFlightBatches);
      await sleep(1 + Math.floor(Math.random() * 4));
      for (const record of records) seenByKey.set(record.partitionKey, [...(seenByKey.get(record.partitionKey) ?? []), record.value.n]);
      for (const key of batchKeys) inFlightKeys.delete(key);
      inFlightBatches--;
    });
    await deploy(t, env, { recorder: { parallelizationFactor: 4, batchSize: 5 } }, { recorder: recorder.registration });

    await waitFor(async () => (await checkpoint(env.stream)) === sequenceNumbers[239], "the checkpoint");
    assert.equal(overlaps, 0, "no key in two batches at once");
    assert.ok(mostBatchesAtOnce >= 2, `batches ran concurrently (at most ${mostBatchesAtOnce} at once)`);
    for (const [k, key] of keys.entries()) {
      assert.deepEqual(seenByKey.get(key), Array.from({ length: 30 }, (_, i) => k + i * keys.length), `order of ${key}`);
    }
  });

  it("moves the checkpoint only over a contiguous prefix of completed records", async (t) => {
    const env = await setup(t);
    const [slowKey, fastKey] = ["a", "b", "c", "d", "e"].filter((key, i, all) => all.findIndex((other) => laneOf(other, 2) === laneOf(key, 2)) === i);
    assert.ok(slowKey && fastKey, "two keys in different lanes");
    // Few enough records to fit the read-ahead bound: a stuck lane holds the reader at one batch ahead.
    const sequenceNumbers = await putValues(env.stream, [{ key: slowKey, value: { n: 0 } }, ...numbered(5, fastKey, 1)]);
    let slowKeyFails = true;
    const recorder = recordingBuiltin<{ n: number }>(async (records) => {
      if (slowKeyFails && records.some((record) => record.partitionKey === slowKey)) throw new Error("not yet");
    });
    await deploy(t, env, { recorder: { parallelizationFactor: 2, batchSize: 3 } }, { recorder: recorder.registration });

    await waitFor(() => recorder.invocations.flat().filter((record) => record.partitionKey === fastKey).length === 5, "the fast lane to finish");
    await sleep(50);
    assert.equal(await checkpoint(env.stream), undefined, "the first record is not done, so nothing is committed");
    slowKeyFails = false;
    await waitFor(async () => (await checkpoint(env.stream)) === sequenceNumbers[5], "the checkpoint");
  });

  it("starts at TRIM_HORIZON, LATEST or AT_TIMESTAMP when there is no checkpoint", async (t) => {
    const env = await setup(t);
    await putValues(env.stream, numbered(2, "k", 0));
    await sleep(20);
    const middleMs = Date.now();
    await sleep(5);
    await putValues(env.stream, numbered(2, "k", 2));
    const recorders = { fromStart: recordingBuiltin<{ n: number }>(), fromLatest: recordingBuiltin<{ n: number }>(), fromTime: recordingBuiltin<{ n: number }>() };
    const runtime = await deploy(
      t,
      env,
      {
        fromStart: { startingPosition: "TRIM_HORIZON" },
        fromLatest: { startingPosition: "LATEST" },
        fromTime: { startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: new Date(middleMs).toISOString() },
      },
      Object.fromEntries(Object.entries(recorders).map(([name, recorder]) => [name, recorder.registration])),
    );
    // A LATEST mapping starts at the tip when it first reads, and pins it: nothing to process is no lag.
    await waitFor(async () => (await runtime.lag())["function:fromLatest"] === 0, "the LATEST mapping to start");
    const [last] = (await putValues(env.stream, numbered(1, "k", 4))).slice(-1);
    for (const name of Object.keys(recorders)) await waitFor(async () => (await checkpoint(env.stream, name)) === last, `${name}'s checkpoint`);
    const seen = (recorder: RecordingBuiltin<{ n: number }>) => recorder.invocations.flat().map((record) => record.value.n);
    assert.deepEqual(seen(recorders.fromStart), [0, 1, 2, 3, 4]);
    assert.deepEqual(seen(recorders.fromLatest), [4]);
    assert.deepEqual(seen(recorders.fromTime), [2, 3, 4]);
  });

  it("gathers records for maximumBatchingWindowMs, and invokes at once with a full batch", async (t) => {
    const env = await setup(t);
    const windowed = recordingBuiltin<{ n: number }>();
    const eager = recordingBuiltin<{ n: number }>();
    const full = recordingBuiltin<{ n: number }>();
    await deploy(
      t,
      env,
      { windowed: { maximumBatchingWindowMs: 500 }, eager: { maximumBatchingWindowMs: 0 }, full: { maximumBatchingWindowMs: 60_000, batchSize: 3 } },
      { windowed: windowed.registration, eager: eager.registration, full: full.registration },
    );
    const started = Date.now();
    let last: string | undefined;
    for (let n = 0; n < 3; n++) {
      [last] = await putValues(env.stream, numbered(1, "k", n));
      await sleep(60);
    }
    for (const name of ["windowed", "eager", "full"]) await waitFor(async () => (await checkpoint(env.stream, name)) === last, `${name}'s checkpoint`);
    assert.equal(windowed.invocations.length, 1);
    assert.deepEqual(numbersOf(windowed, 0), [0, 1, 2]);
    assert.ok(eager.invocations.length >= 2, "without a window each append is invoked soon");
    assert.deepEqual(numbersOf(full, 0), [0, 1, 2]);
    assert.ok(Date.now() - started < 5_000, "a full batch does not wait out the window");
  });

  it("fails a built-in that overruns its timeout and aborts its signal", async (t) => {
    const env = await setup(t);
    let aborted = false;
    const recorder = recordingBuiltin<{ n: number }>(async (_records, context) => {
      if (recorder.invocations.length > 1) return;
      await new Promise((resolve) => context.signal.addEventListener("abort", resolve));
      aborted = true;
    });
    const sequenceNumbers = await putValues(env.stream, numbered(2));
    await deploy(t, env, { recorder: { timeoutSec: 1 } }, { recorder: recorder.registration });
    await waitFor(async () => (await checkpoint(env.stream)) === sequenceNumbers[1], "the checkpoint after the retry");
    assert.equal(aborted, true);
    assert.equal(recorder.invocations.length, 2);
  });

  it("lets the batch in flight finish and commit on stop, and resumes after the checkpoint", async (t) => {
    const env = await setup(t);
    const first = recordingBuiltin<{ n: number }>(async () => sleep(200));
    const sequenceNumbers = await putValues(env.stream, numbered(3));
    const runtime = await deployFunctions({ stream: env.stream, functionsConfig: {}, builtins: { recorder: first.registration }, baseDir: "." });
    await runtime.start();
    await waitFor(() => first.invocations.length === 1, "the first invocation");
    await runtime.stop();
    assert.equal(await checkpoint(env.stream), sequenceNumbers[2]);

    const more = await putValues(env.stream, numbered(2, "k", 3));
    const second = recordingBuiltin<{ n: number }>();
    await deploy(t, env, {}, { recorder: second.registration });
    await waitFor(async () => (await checkpoint(env.stream)) === more[1], "the checkpoint after the restart");
    assert.deepEqual(second.invocations.flat().map((record) => record.value.n), [3, 4]);
  });

  it("gives a Lambda handler the same semantics: bisection, partial failures and the destination", async (t) => {
    const env = await setup(t);
    const recordFile = join(env.dir, "seen.ndjson");
    const values = numbered(8).map((entry) => (entry.value.n === 5 ? { ...entry, value: { n: 5, fail: true } } : entry));
    const sequenceNumbers = await putValues(env.stream, values);
    await deploy(t, env, {
      consumer: {
        handler: "./kinesis-recorder.mjs",
        stream: "events",
        environment: { RECORD_FILE: recordFile },
        functionResponseTypes: ["ReportBatchItemFailures"],
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 0,
        destinationConfig: { onFailure: { destination: "failures" } },
      },
    });
    const seen = () => readFileSync(recordFile, "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { values: Array<{ n: number; fail?: boolean }> }).values);
    await waitFor(async () => (await checkpoint(env.stream, "consumer")) === sequenceNumbers[7], "the checkpoint");
    const succeeded = seen().filter((values) => !values.some((v) => v.fail)).flatMap((values) => values.map((v) => v.n));
    assert.deepEqual(succeeded, [0, 1, 2, 3, 4, 6, 7]);
    const [poison, ...none] = await failureRecords(env.queue);
    assert.equal(none.length, 0);
    assert.equal(poison!.KinesisBatchInfo.startSequenceNumber, sequenceNumbers[5]);
    assert.equal(poison!.KinesisBatchInfo.batchSize, 1);

    // n=10 is reported failed: 8 and 9 are kept, the batch is split there, and 10 alone is retried (and,
    // with no retries allowed, discarded).
    const partial = await putValues(env.stream, [...numbered(2, "k", 8), { key: "k", value: { n: 10, reportFailure: true } }]);
    await waitFor(async () => (await checkpoint(env.stream, "consumer")) === partial[2], "the checkpoint past the partial batch");
    assert.deepEqual(seen().slice(-2).map((values) => values.map((v) => v.n)), [[8, 9, 10], [10]]);
    const [reported] = await failureRecords(env.queue);
    assert.equal(reported!.KinesisBatchInfo.startSequenceNumber, partial[2]);
    assert.equal(reported!.requestContext.approximateInvokeCount, 2);
    assert.equal(reported!.responseContext.functionError, undefined, "the handler answered; it reported a failure");
  });

  it("retries a batch whose handler timed out or took its worker down, like any failed batch", async (t) => {
    const env = await setup(t);
    const recordFile = join(env.dir, "seen.ndjson");
    const sequenceNumbers = await putValues(env.stream, [
      { key: "a", value: { n: 0, exitOnce: true } },
      { key: "a", value: { n: 1 } },
    ]);
    await deploy(t, env, { consumer: { handler: "./kinesis-recorder.mjs", stream: "events", batchSize: 1, timeoutSec: 1, environment: { RECORD_FILE: recordFile } } });
    await waitFor(async () => (await checkpoint(env.stream, "consumer")) === sequenceNumbers[1], "the checkpoint past the crash");
    const more = await putValues(env.stream, [{ key: "a", value: { n: 2, hangOnce: true } }]);
    await waitFor(async () => (await checkpoint(env.stream, "consumer")) === more[0], "the checkpoint past the timeout", 5_000);
    const completed = readFileSync(recordFile, "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { values: Array<{ n: number }> }).values[0]!.n);
    assert.deepEqual(completed, [0, 1, 2], "each record completed once, in order, after its failed attempt");
  });
});
