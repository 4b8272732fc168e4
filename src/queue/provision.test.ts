// The default pipeline's queues come out of the config schema and into a backend, dead-letter queue first;
// a changed config changes existing queues on the next start.
import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { Value } from "@sinclair/typebox/value";
import { tempDir } from "../test-support/temp-dir.js";
import { applyQueuesConfig, queuesConfigSchema, readQueueGauges, SqliteQueue, type QueuesConfig } from "./index.js";

it("provisions the default replenishment queue with its dead-letter queue, and applies config changes", async (t) => {
  const queue = new SqliteQueue({ path: join(tempDir(t), "queue.db") });
  t.after(() => queue.close());
  const defaults = Value.Default(queuesConfigSchema, undefined) as QueuesConfig;
  assert.ok(Value.Check(queuesConfigSchema, defaults));

  await applyQueuesConfig(queue, defaults);
  assert.deepEqual(await queue.listQueues(), ["replenishment", "replenishment-dlq"]);
  const replenishment = await queue.describeQueue("replenishment");
  assert.deepEqual(replenishment.attributes.redrivePolicy, { deadLetterQueue: "replenishment-dlq", maxReceiveCount: 5 });
  assert.equal(replenishment.attributes.visibilityTimeoutSec, 30);

  await applyQueuesConfig(queue, { ...defaults, replenishment: { ...defaults["replenishment"]!, visibilityTimeoutSec: 120, redrivePolicy: undefined } });
  const changed = await queue.describeQueue("replenishment");
  assert.equal(changed.attributes.visibilityTimeoutSec, 120);
  assert.equal(changed.attributes.redrivePolicy, undefined, "a policy removed from the config is removed from the queue");

  await queue.send("replenishment", [{ body: "alert" }]);
  assert.deepEqual(await readQueueGauges(queue), [
    { queue: "replenishment", visible: 1, inFlight: 0, delayed: 0 },
    { queue: "replenishment-dlq", visible: 0, inFlight: 0, delayed: 0 },
  ]);
});

it("rejects dead-letter queues that name each other, and a FIFO name without fifo: true", async (t) => {
  const queue = new SqliteQueue({ path: join(tempDir(t), "queue.db") });
  t.after(() => queue.close());
  await assert.rejects(
    applyQueuesConfig(queue, {
      a: { redrivePolicy: { deadLetterQueue: "b", maxReceiveCount: 3 } },
      b: { redrivePolicy: { deadLetterQueue: "a", maxReceiveCount: 3 } },
    }),
    { name: "ValidationError", message: /cycle/ },
  );
  await assert.rejects(applyQueuesConfig(queue, { "orders.fifo": { fifo: false } }), { name: "ValidationError" });
});
