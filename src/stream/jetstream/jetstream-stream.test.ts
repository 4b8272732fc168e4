// What the JetStream stream adds to the contract: idempotent puts by key or by checkpoint (a crashed
// function's retry is dropped by Nats-Msg-Id), frames split at the server's max_payload, and a second
// connection (another process) sees the same streams, records and checkpoints.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it, type TestContext } from "node:test";
import { nats, NATS_SERVERS } from "../../test-support/backends.js";
import { JetStreamStream } from "./jetstream-stream.js";

const availability = await nats();
const rec = (partitionKey: string, body: string | Buffer) => ({ partitionKey, data: Buffer.from(body) });
const shardId = "shardId-000000000000";

async function open(t: TestContext, prefix = `test-${randomBytes(6).toString("hex")}`): Promise<JetStreamStream> {
  const stream = await JetStreamStream.open({ servers: NATS_SERVERS, subjectPrefix: prefix });
  t.after(async () => {
    await stream.destroyAll().catch(() => undefined);
    await stream.close();
  });
  return stream;
}

async function readBodies(stream: JetStreamStream, name: string): Promise<string[]> {
  const { records } = await stream.read(name, shardId, { type: "TRIM_HORIZON" }, 10_000);
  return records.map((r) => Buffer.from(r.data).toString("utf8"));
}

describe("JetStream stream", { skip: availability.skip }, () => {
  it("stores a put repeated with the same idempotency key once, and answers with the same sequence numbers", async (t) => {
    const stream = await open(t);
    await stream.createStream("s", { shardCount: 1 });
    const first = await stream.putRecords("s", [rec("k", "a"), rec("k", "b")], { idempotencyKey: "request-1" });
    const again = await stream.putRecords("s", [rec("k", "a"), rec("k", "b")], { idempotencyKey: "request-1" });
    assert.deepEqual(again, first);
    await stream.putRecords("s", [rec("k", "c")], { idempotencyKey: "request-2" });
    assert.deepEqual(await readBodies(stream, "s"), ["a", "b", "c"]);
  });

  it("drops the output of a retried batch whose checkpoint never committed (a crash between publish and checkpoint)", async (t) => {
    const stream = await open(t);
    await stream.createStream("in", { shardCount: 1 });
    await stream.createStream("out", { shardCount: 2 });
    const [input] = await stream.putRecords("in", [rec("k", "v")]);
    const checkpoint = { consumer: "enrich", stream: "in", shardId, sequenceNumber: (input as { sequenceNumber: string }).sequenceNumber };
    const output = Array.from({ length: 20 }, (_, i) => rec(`key-${i}`, `derived-${i}`));
    const first = await stream.putRecords("out", output, { checkpoint });
    // the retry after a crash publishes the same output for the same input position
    const retry = await stream.putRecords("out", output, { checkpoint });
    assert.deepEqual(retry, first);
    let total = 0;
    for (const shard of (await stream.describeStream("out")).shards) total += await stream.countAfter("out", shard.shardId, undefined);
    assert.equal(total, 20);
    assert.equal(await stream.getCheckpoint("enrich", "in", shardId), checkpoint.sequenceNumber);
  });

  it("splits a shard's records over several messages when they exceed the server's max_payload", async (t) => {
    const stream = await open(t);
    await stream.createStream("s", { shardCount: 1 });
    const big = Buffer.alloc(400 * 1024, "x");
    const results = await stream.putRecords("s", [rec("k", big), rec("k", big), rec("k", big), rec("k", "small")]);
    assert.ok(results.every((r) => "sequenceNumber" in r));
    const { records } = await stream.read("s", shardId, { type: "TRIM_HORIZON" }, 100);
    assert.deepEqual(records.map((r) => r.data.byteLength), [big.length, big.length, big.length, 5]);
    assert.deepEqual(records.map((r) => r.sequenceNumber), results.map((r) => (r as { sequenceNumber: string }).sequenceNumber));
    const [tooBig] = await stream.putRecords("s", [rec("k", Buffer.alloc(2 * 1024 * 1024))]);
    assert.ok(tooBig && "errorCode" in tooBig, "a record larger than the server takes fails alone");
  });

  it("shares streams, records and checkpoints with another connection under the same prefix", async (t) => {
    const writer = await open(t);
    const reader = await JetStreamStream.open({ servers: NATS_SERVERS, subjectPrefix: (writer as unknown as { prefix: string }).prefix });
    t.after(() => reader.close());
    await writer.createStream("s", { shardCount: 1 });
    const woke = new Promise<void>((resolve) => {
      const off = reader.onAppend("s", () => {
        off();
        resolve();
      });
    });
    await writer.putRecords("s", [rec("k", "from the writer")]);
    await woke;
    assert.deepEqual(await reader.listStreams(), ["s"]);
    assert.deepEqual(await readBodies(reader, "s"), ["from the writer"]);
    await writer.setCheckpoint("c", "s", shardId, "49000000000000000000000000000000000000000000000000001000");
    assert.equal(await reader.getCheckpoint("c", "s", shardId), "49000000000000000000000000000000000000000000000000001000");
    await assert.rejects(reader.createStream("s", { shardCount: 1 }), { name: "ConflictError" });
  });
});
