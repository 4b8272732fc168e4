// On JetStream a function's output is published before its checkpoint is written. A restart between the
// two must replay exactly the batch that was running, or the output would be published again under other
// message ids (appended twice): the batch intent makes the replay the same batch however many records
// arrived since.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { componentLogger } from "../monitor/index.js";
import { JetStreamStream, type StreamRecord } from "../stream/index.js";
import { nats, NATS_SERVERS } from "../test-support/backends.js";
import { waitFor } from "../test-support/server.js";
import type { FunctionInvoker, StreamBatchSource } from "./invoker.js";
import { DEFAULT_RETRY_BACKOFF } from "./retry-backoff.js";
import { ShardConsumer } from "./shard-consumer.js";
import { streamMapping } from "./test-support/harness.js";

const availability = await nats();
const CONSUMER = "function:copy";

/** A function that appends a copy of each record to `out` with its checkpoint, as enrich does. */
function copyingInvoker(stream: JetStreamStream, batches: number[][]): FunctionInvoker {
  return {
    async invokeStreamBatch(records: readonly StreamRecord[], source: StreamBatchSource) {
      batches.push(records.map((record) => Number(record.data.toString())));
      await stream.putRecords("out", records.map((record) => ({ partitionKey: "k", data: record.data })), { checkpoint: source.checkpoint });
      return { ok: true, requestId: String(batches.length), response: null };
    },
    invokeEvent: () => Promise.reject(new Error("not used")),
    close: () => Promise.resolve(),
  };
}

async function allOf(stream: JetStreamStream, name: string): Promise<number[]> {
  const values: number[] = [];
  for (let read = await stream.read(name, "shardId-000000000000", { type: "TRIM_HORIZON" }, 1000); read.records.length > 0; read = await stream.read(name, "shardId-000000000000", read.next, 1000)) {
    values.push(...read.records.map((record) => Number(record.data.toString())));
  }
  return values;
}

describe("batch intent on JetStream", { skip: availability.skip }, () => {
  it("replays exactly the batch that was running, so its output is not appended twice", async (t) => {
    const stream = await JetStreamStream.open({ servers: NATS_SERVERS, subjectPrefix: `test-${randomBytes(6).toString("hex")}` });
    t.after(async () => {
      await stream.destroyAll();
      await stream.close();
    });
    await stream.createStream("in", { shardCount: 1 });
    await stream.createStream("out", { shardCount: 1 });
    const put = async (from: number, to: number) => {
      const results = await stream.putRecords("in", Array.from({ length: to - from + 1 }, (_, k) => ({ partitionKey: "k", data: Buffer.from(String(from + k)) })));
      return results.map((result) => ("sequenceNumber" in result ? result.sequenceNumber : assert.fail(result.errorMessage)));
    };
    const [shardId] = (await stream.describeStream("in")).shards.map((shard) => shard.shardId);
    // Records 1–5 are done. The batch 6–15 ran: its output was published, then the process died before
    // its checkpoint was written. Then 16–22 arrived.
    const done = await put(1, 5);
    await stream.setCheckpoint(CONSUMER, "in", shardId!, done.at(-1)!);
    const crashed = await put(6, 15);
    await stream.setCheckpoint(`${CONSUMER}#batch`, "in", shardId!, crashed.at(-1)!);
    await stream.putRecords("out", Array.from({ length: 10 }, (_, k) => ({ partitionKey: "k", data: Buffer.from(String(6 + k)) })), {
      checkpoint: { consumer: CONSUMER, stream: "in", shardId: shardId!, sequenceNumber: crashed.at(-1)! },
    });
    await stream.setCheckpoint(CONSUMER, "in", shardId!, done.at(-1)!);
    await put(16, 22);

    const batches: number[][] = [];
    const consumer = new ShardConsumer({
      stream,
      shardId: shardId!,
      consumerName: CONSUMER,
      functionName: "copy",
      mapping: streamMapping("in"),
      invoker: copyingInvoker(stream, batches),
      destination: undefined,
      backoff: DEFAULT_RETRY_BACKOFF,
      clock: Date.now,
      log: componentLogger("test"),
    });
    const running = consumer.run();
    await waitFor(async () => batches.flat().includes(22), 20_000, "the consumer to reach record 22");
    consumer.stop();
    await running;
    assert.deepEqual(batches[0], [6, 7, 8, 9, 10, 11, 12, 13, 14, 15], "the replay is the batch that was running");
    assert.deepEqual(batches.flat(), Array.from({ length: 17 }, (_, k) => 6 + k));
    assert.deepEqual(await allOf(stream, "out"), Array.from({ length: 17 }, (_, k) => 6 + k), "every input copied once");
  });
});
