// On SQLite every read, append and checkpoint resolves at once, so a consumer working off a backlog never
// waits on I/O. It must still let the event loop turn between batches: otherwise its batches run as one
// chain of microtasks, and HTTP requests (ingest's acknowledgements), timers and I/O callbacks wait until
// the backlog is gone.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { componentLogger } from "../monitor/index.js";
import type { StreamRecord } from "../stream/index.js";
import { waitFor } from "../test-support/server.js";
import type { FunctionInvoker } from "./invoker.js";
import { DEFAULT_RETRY_BACKOFF } from "./retry-backoff.js";
import { ShardConsumer } from "./shard-consumer.js";
import { openStream, putValues, streamMapping } from "./test-support/harness.js";

const RECORDS = 20_000;

describe("a consumer working off a backlog", () => {
  it("lets timers run between its batches", async (t) => {
    const { stream } = await openStream(t);
    await putValues(stream, Array.from({ length: RECORDS }, (_, k) => ({ key: "k", value: k })));
    let processed = 0;
    // A function that answers at once, as an in-process built-in on SQLite does.
    const invoker: FunctionInvoker = {
      invokeStreamBatch: (records: readonly StreamRecord[]) => {
        processed += records.length;
        return Promise.resolve({ ok: true, requestId: String(processed), response: null });
      },
      invokeEvent: () => Promise.reject(new Error("not used")),
      close: () => Promise.resolve(),
    };
    const consumer = new ShardConsumer({
      stream,
      shardId: "shardId-000000000000",
      consumerName: "function:count",
      functionName: "count",
      mapping: streamMapping("events"),
      invoker,
      destination: undefined,
      backoff: DEFAULT_RETRY_BACKOFF,
      clock: Date.now,
      log: componentLogger("test"),
    });
    const running = consumer.run();
    // Each timer is due at once: it runs at the next turn of the event loop.
    const seenByTimers: number[] = [];
    for (let k = 0; k < 5; k++) await new Promise<void>((resolve) => setTimeout(() => resolve(void seenByTimers.push(processed)), 0));
    await waitFor(() => Promise.resolve(processed === RECORDS), 20_000, "the backlog to be processed");
    consumer.stop();
    await running;
    assert.ok(seenByTimers[0]! < RECORDS, `the first timer ran only after the whole backlog (${seenByTimers.join(", ")} records processed at each timer)`);
    assert.ok(seenByTimers[4]! > seenByTimers[0]!, `the backlog progressed between the timers: ${seenByTimers.join(", ")}`);
    assert.ok(seenByTimers[4]! < RECORDS, `five turns of the event loop saw the backlog still going: ${seenByTimers.join(", ")}`);
  });
});
