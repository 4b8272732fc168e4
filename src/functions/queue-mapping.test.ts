// SQS event source mappings: Lambda's SQS event, successful messages deleted, failed ones back after the
// visibility timeout and on to the dead-letter queue, and ReportBatchItemFailures by message id.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors/index.js";
import type { SqliteQueue } from "../queue/index.js";
import { queueArn } from "./arn.js";
import type { FunctionConfigInput } from "./config.js";
import { deployFunctions } from "./deploy.js";
import type { SqsEventRecord } from "./sqs-event.js";
import { FAST_RETRY, openQueue, openStream, waitFor } from "./test-support/harness.js";

const HANDLERS_DIR = fileURLToPath(new URL("./test-support/handlers/", import.meta.url));

async function setup(t: TestContext): Promise<{ queue: SqliteQueue; recordFile: string; deploy: (config: FunctionConfigInput) => Promise<void> }> {
  const { stream, dir } = await openStream(t);
  const queue = openQueue(t, dir);
  await queue.createQueue("orders-dlq");
  await queue.createQueue("orders", { visibilityTimeoutSec: 1, redrivePolicy: { deadLetterQueue: "orders-dlq", maxReceiveCount: 2 } });
  const recordFile = join(dir, "seen.ndjson");
  const deploy = async (config: FunctionConfigInput) => {
    const runtime = await deployFunctions({
      stream,
      queue,
      baseDir: HANDLERS_DIR,
      retryBackoff: FAST_RETRY,
      functionsConfig: { dispatcher: { handler: "./sqs-consumer.mjs", queue: "orders", timeoutSec: 1, environment: { RECORD_FILE: recordFile }, ...config } },
    });
    t.after(() => runtime.stop());
    await runtime.start();
  };
  return { queue, recordFile, deploy };
}

function seen(recordFile: string): SqsEventRecord[] {
  return readFileSync(recordFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as SqsEventRecord);
}

async function isEmpty(queue: SqliteQueue, name: string): Promise<boolean> {
  const counts = await queue.counts(name);
  return counts.visible + counts.inFlight + counts.delayed === 0;
}

describe("queue event source mapping", () => {
  it("invokes with Lambda's SQS event and deletes the messages that succeeded", async (t) => {
    const { queue, recordFile, deploy } = await setup(t);
    const [sent] = await queue.send("orders", [
      { body: '{"store":"s-1"}', attributes: { priority: { dataType: "Number", stringValue: "1" }, blob: { dataType: "Binary", binaryValue: Buffer.from("hi") } } },
      { body: "second" },
    ]);
    await deploy({});
    await waitFor(() => isEmpty(queue, "orders"), "the queue to empty");

    const records = seen(recordFile);
    assert.equal(records.length, 2);
    const first = records.find((record) => record.body === '{"store":"s-1"}')!;
    assert.ok(sent && "messageId" in sent);
    assert.equal(first.messageId, sent.messageId);
    assert.equal(first.md5OfBody, sent.md5OfBody);
    assert.equal(typeof first.receiptHandle, "string");
    assert.equal(first.eventSource, "aws:sqs");
    assert.equal(first.eventSourceARN, queueArn("orders"));
    assert.equal(first.eventSourceARN, "arn:aws:sqs:us-east-1:000000000000:orders");
    assert.equal(first.awsRegion, "us-east-1");
    assert.equal(first.attributes["ApproximateReceiveCount"], "1");
    assert.equal(first.attributes["SenderId"], "000000000000");
    assert.match(first.attributes["SentTimestamp"]!, /^\d{13}$/);
    assert.match(first.attributes["ApproximateFirstReceiveTimestamp"]!, /^\d{13}$/);
    assert.deepEqual(first.messageAttributes, {
      priority: { stringValue: "1", stringListValues: [], binaryListValues: [], dataType: "Number" },
      blob: { binaryValue: Buffer.from("hi").toString("base64"), stringListValues: [], binaryListValues: [], dataType: "Binary" },
    });
    assert.equal(typeof first.md5OfMessageAttributes, "string");
  });

  it("leaves a failed batch to come back after the visibility timeout, and to the dead-letter queue after maxReceiveCount", async (t) => {
    const { queue, recordFile, deploy } = await setup(t);
    await queue.send("orders", [{ body: "throw" }]);
    await deploy({});
    await waitFor(async () => (await queue.counts("orders-dlq")).visible === 1, "the message in the dead-letter queue", 8_000);
    assert.ok(await isEmpty(queue, "orders"));
    assert.deepEqual(
      seen(recordFile).map((record) => [record.body, record.attributes["ApproximateReceiveCount"]]),
      [
        ["throw", "1"],
        ["throw", "2"],
      ],
    );
  });

  it("with ReportBatchItemFailures, deletes the rest of the batch and redelivers only the reported messages", async (t) => {
    const { queue, recordFile, deploy } = await setup(t);
    await queue.send("orders", [{ body: "ok-1" }, { body: "fail" }, { body: "ok-2" }]);
    await deploy({ functionResponseTypes: ["ReportBatchItemFailures"] });
    await waitFor(async () => (await queue.counts("orders-dlq")).visible === 1, "the failed message in the dead-letter queue", 8_000);
    assert.ok(await isEmpty(queue, "orders"));
    const bodies = seen(recordFile).map((record) => record.body);
    assert.deepEqual(bodies.slice(0, 3).sort(), ["fail", "ok-1", "ok-2"], "one batch of three");
    assert.deepEqual(bodies.slice(3), ["fail"], "only the reported message came back");
    const [dead] = await queue.receive("orders-dlq", { waitTimeSec: 0 });
    assert.equal(dead?.body, "fail");
  });

  it("refuses mappings AWS refuses: big batches without a window, and a visibility timeout below the function's", async (t) => {
    const { deploy } = await setup(t);
    await assert.rejects(deploy({ batchSize: 100 }), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /functions\.dispatcher\.batchSize: a queue batch above 10 needs maximumBatchingWindowMs of at least 1000/);
      return true;
    });
    await assert.rejects(deploy({ timeoutSec: 5 }), /functions\.dispatcher\.queue: queue orders has a visibility timeout of 1 s, less than the function's timeout of 5 s/);
    await assert.rejects(deploy({ parallelizationFactor: 2 }), /functions\.dispatcher\.parallelizationFactor: applies to stream sources only/);
  });
});
