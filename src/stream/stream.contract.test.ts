// The Stream contract: one behaviour suite that every backend runs. A new backend joins `backends`.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { randomBytes } from "node:crypto";
import { nats, NATS_SERVERS } from "../test-support/backends.js";
import { tempDir } from "../test-support/temp-dir.js";
import { compareSequenceNumbers, JetStreamStream, SqliteStream, type Stream } from "./index.js";

interface Backend {
  name: string;
  open(t: TestContext): Promise<Stream>;
  /** why the suite is skipped (a server that is not running), if it is */
  skip?: string | undefined;
}

const backends: Backend[] = [
  {
    name: "sqlite",
    async open(t) {
      const stream = new SqliteStream({ path: join(tempDir(t), "stream.db"), maxRecordBytes: 1024 });
      t.after(() => stream.close());
      return stream;
    },
  },
  {
    name: "jetstream",
    skip: (await nats()).skip,
    async open(t) {
      // a prefix of its own per test: its streams, subjects and checkpoint bucket, all removed after
      const stream = await JetStreamStream.open({ servers: NATS_SERVERS, subjectPrefix: `test-${randomBytes(6).toString("hex")}`, maxRecordBytes: 1024 });
      t.after(async () => {
        await stream.destroyAll();
        await stream.close();
      });
      return stream;
    },
  },
];

const text = (data: Uint8Array) => Buffer.from(data).toString("utf8");
const rec = (partitionKey: string, body: string) => ({ partitionKey, data: Buffer.from(body) });

async function readAll(stream: Stream, name: string, shardId: string): Promise<string[]> {
  const out: string[] = [];
  let position: Parameters<Stream["read"]>[2] = { type: "TRIM_HORIZON" };
  for (;;) {
    const result = await stream.read(name, shardId, position, 7);
    if (result.records.length === 0) return out;
    out.push(...result.records.map((r) => text(r.data)));
    position = result.next;
  }
}

for (const backend of backends) {
  describe(`Stream contract: ${backend.name}`, { skip: backend.skip }, () => {
    it("creates, describes, lists and deletes streams with even hash-key ranges", async (t) => {
      const stream = await backend.open(t);
      const description = await stream.createStream("orders", { shardCount: 3 });
      assert.deepEqual(description.shards.map((s) => s.shardId), ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]);
      assert.equal(description.shards[0]!.startingHashKey, "0");
      assert.equal(description.shards[2]!.endingHashKey, ((1n << 128n) - 1n).toString());
      assert.equal(BigInt(description.shards[1]!.startingHashKey), BigInt(description.shards[0]!.endingHashKey) + 1n);
      assert.deepEqual(await stream.listStreams(), ["orders"]);
      await assert.rejects(stream.createStream("orders", { shardCount: 1 }), { name: "ConflictError" });
      await stream.deleteStream("orders");
      assert.deepEqual(await stream.listStreams(), []);
      await assert.rejects(stream.describeStream("orders"), { name: "NotFoundError" });
    });

    it("keeps per-shard order with increasing sequence numbers, and routes one key to one shard", async (t) => {
      const stream = await backend.open(t);
      await stream.createStream("s", { shardCount: 4 });
      const results = await stream.putRecords("s", Array.from({ length: 200 }, (_, i) => rec(`key-${i % 10}`, `${i % 10}:${i}`)));
      const shardOfKey = new Map<string, string>();
      for (const [i, result] of results.entries()) {
        assert.ok("sequenceNumber" in result);
        const key = `key-${i % 10}`;
        assert.equal(shardOfKey.get(key) ?? result.shardId, result.shardId, "a partition key always lands on one shard");
        shardOfKey.set(key, result.shardId);
        assert.match(result.sequenceNumber, /^\d{56}$/);
      }
      const description = await stream.describeStream("s");
      let total = 0;
      for (const shard of description.shards) {
        const bodies = await readAll(stream, "s", shard.shardId);
        total += bodies.length;
        const perKey = new Map<string, number>();
        for (const body of bodies) {
          const [key, i] = body.split(":").map(Number) as [number, number];
          assert.ok(i > (perKey.get(String(key)) ?? -1), "records of a key come back in put order");
          perKey.set(String(key), i);
        }
      }
      assert.equal(total, 200);
      const bySeq = results.filter((r) => "sequenceNumber" in r && r.shardId === description.shards[0]!.shardId) as Array<{ sequenceNumber: string }>;
      for (let i = 1; i < bySeq.length; i++) assert.ok(compareSequenceNumbers(bySeq[i - 1]!.sequenceNumber, bySeq[i]!.sequenceNumber) < 0);
    });

    it("routes by explicit hash key and rejects a bad one per record, not per batch", async (t) => {
      const stream = await backend.open(t);
      const description = await stream.createStream("s", { shardCount: 2 });
      const results = await stream.putRecords("s", [
        { ...rec("a", "low"), explicitHashKey: "0" },
        { ...rec("a", "high"), explicitHashKey: description.shards[1]!.startingHashKey },
        { ...rec("a", "bad"), explicitHashKey: "-5" },
        rec("", "no key"),
        rec("k", "x".repeat(2000)),
        rec("k", "fine"),
      ]);
      assert.equal((results[0] as { shardId: string }).shardId, "shardId-000000000000");
      assert.equal((results[1] as { shardId: string }).shardId, "shardId-000000000001");
      assert.ok("errorCode" in results[2]!);
      assert.ok("errorCode" in results[3]!);
      assert.ok("errorCode" in results[4]!, "records over the size limit fail alone");
      assert.ok("sequenceNumber" in results[5]!);
      await assert.rejects(stream.putRecords("s", Array.from({ length: 501 }, () => rec("k", "v"))), { name: "ValidationError" });
      await assert.rejects(stream.putRecords("nope", [rec("k", "v")]), { name: "NotFoundError" });
    });

    it("supports every iterator type and reports millis behind latest", async (t) => {
      const stream = await backend.open(t);
      await stream.createStream("s", { shardCount: 1 });
      const shardId = "shardId-000000000000";
      const first = await stream.putRecords("s", [rec("k", "a"), rec("k", "b")]);
      await new Promise((r) => setTimeout(r, 20));
      const middle = Date.now();
      await new Promise((r) => setTimeout(r, 5));
      const second = await stream.putRecords("s", [rec("k", "c"), rec("k", "d")]);
      const seqB = (first[1] as { sequenceNumber: string }).sequenceNumber;
      const read = async (position: Parameters<Stream["read"]>[2], limit = 10) =>
        (await stream.read("s", shardId, position, limit)).records.map((r) => text(r.data));
      assert.deepEqual(await read({ type: "TRIM_HORIZON" }), ["a", "b", "c", "d"]);
      assert.deepEqual(await read({ type: "AT_SEQUENCE_NUMBER", sequenceNumber: seqB }), ["b", "c", "d"]);
      assert.deepEqual(await read({ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: seqB }), ["c", "d"]);
      assert.deepEqual(await read({ type: "AT_TIMESTAMP", timestampMs: middle }), ["c", "d"]);
      const latest = await stream.read("s", shardId, { type: "LATEST" }, 10);
      assert.deepEqual(latest.records, []);
      await stream.putRecords("s", [rec("k", "e")]);
      assert.deepEqual(await read(latest.next), ["e"], "LATEST starts after the tip at the time of the read");
      const partial = await stream.read("s", shardId, { type: "TRIM_HORIZON" }, 1);
      assert.ok(partial.millisBehindLatest > 0, "a reader behind the tip is told how far");
      const caughtUp = await stream.read("s", shardId, { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: (second[1] as { sequenceNumber: string }).sequenceNumber }, 10);
      assert.equal((await stream.read("s", shardId, caughtUp.next, 10)).millisBehindLatest, 0);
    });

    it("keeps consumer checkpoints and commits one atomically with an append", async (t) => {
      const stream = await backend.open(t);
      await stream.createStream("in", { shardCount: 1 });
      await stream.createStream("out", { shardCount: 1 });
      const shardId = "shardId-000000000000";
      assert.equal(await stream.getCheckpoint("c", "in", shardId), undefined);
      const [put] = await stream.putRecords("in", [rec("k", "v")]);
      const seq = (put as { sequenceNumber: string }).sequenceNumber;
      await stream.putRecords("out", [rec("k", "derived")], { checkpoint: { consumer: "c", stream: "in", shardId, sequenceNumber: seq } });
      assert.equal(await stream.getCheckpoint("c", "in", shardId), seq);
      assert.equal(await stream.countAfter("in", shardId, seq), 0);
      assert.equal(await stream.countAfter("in", shardId, undefined), 1);
    });

    it("trims records past retention and keeps sequence numbers increasing after a trim", async (t) => {
      const stream = await backend.open(t);
      await stream.createStream("s", { shardCount: 1, retentionHours: 1 });
      const shardId = "shardId-000000000000";
      const [old] = await stream.putRecords("s", [rec("k", "old")]);
      const trimmed = await stream.trimExpired(Date.now() + 2 * 3_600_000);
      assert.equal(trimmed, 1);
      const [fresh] = await stream.putRecords("s", [rec("k", "new")]);
      assert.ok(compareSequenceNumbers((old as { sequenceNumber: string }).sequenceNumber, (fresh as { sequenceNumber: string }).sequenceNumber) < 0);
      assert.deepEqual(await readAll(stream, "s", shardId), ["new"]);
    });

    it("wakes in-process readers on append", async (t) => {
      const stream = await backend.open(t);
      await stream.createStream("s", { shardCount: 1 });
      const woke = new Promise<void>((resolve) => {
        const off = stream.onAppend("s", () => {
          off();
          resolve();
        });
      });
      await stream.putRecords("s", [rec("k", "v")]);
      await woke;
    });
  });
}
