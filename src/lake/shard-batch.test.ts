// A shard's batch staged from blocks (Stream.readBlock) holds exactly what it holds when staged record by
// record: the same lines for DuckDB, the same records refused before DuckDB, the same sequence numbers,
// partition keys and arrival times for names and error lines, however a flush splits a block.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { tempDir } from "../test-support/temp-dir.js";
import { SqliteStream, type StartingPosition } from "../stream/index.js";
import { ShardBatch } from "./shard-batch.js";

const SHARD = "shardId-000000000000";

/** Records that each take a different path through the checks. */
const TRICKY: Buffer[] = [
  Buffer.from('{"event_id":"a","type":"page_view"}'),
  Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), // not UTF-8
  // Valid UTF-8 only when joined: a character cut in two across two records.
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe2, 0x82]),
  Buffer.from([0xac, 0x22, 0x7d]),
  Buffer.from('{\n  "event_id": "pretty",\n  "type": "page_view"\n}'), // JSON over lines: re-encoded on one
  Buffer.from("not json\nover two lines"), // refused
  Buffer.from('{"event_id":"café ☕","type":"page_view"}'),
  Buffer.from('{"event_id":"sep\u001f","type":"page_view"}'), // a raw control character: not JSON
  Buffer.alloc(0), // empty
  Buffer.from('{"event_id":"last","type":"page_view"}'),
];

async function streamOf(records: readonly Buffer[], path = ":memory:"): Promise<SqliteStream> {
  const stream = new SqliteStream({ path });
  await stream.createStream("s", { shardCount: 1 });
  const results = await stream.putRecords("s", records.map((data, i) => ({ partitionKey: `key-${i}-é`, data })));
  assert.ok(results.every((result) => "sequenceNumber" in result));
  return stream;
}

/** Every record of the shard, staged record by record or in blocks of `blockSize`, in batches of at most `maxBytes`. */
async function stage(stream: SqliteStream, how: "records" | "blocks", blockSize: number, maxBytes: number): Promise<ShardBatch[]> {
  const batches = [new ShardBatch("s", SHARD, "json")];
  let position: StartingPosition = { type: "TRIM_HORIZON" };
  for (;;) {
    if (how === "records") {
      const read = await stream.read("s", SHARD, position, blockSize);
      for (const record of read.records) {
        batches.at(-1)!.add(record, 0);
        if (batches.at(-1)!.bytes >= maxBytes) batches.push(new ShardBatch("s", SHARD, "json"));
      }
      position = read.next;
      if (read.records.length < blockSize) break;
    } else {
      const block = await stream.readBlock("s", SHARD, position, blockSize);
      for (let from = 0; from < block.count; ) {
        from = batches.at(-1)!.addBlock(block, from, 0, maxBytes);
        if (batches.at(-1)!.bytes >= maxBytes) batches.push(new ShardBatch("s", SHARD, "json"));
      }
      position = block.next;
      if (block.count < blockSize) break;
    }
  }
  return batches.filter((batch) => !batch.isEmpty);
}

/** What a batch hands on: its lines, refused records and every record's origin. */
function contents(batch: ShardBatch) {
  return {
    lines: batch.lines.bytes().toString("latin1"),
    refused: batch.refused,
    origins: Array.from({ length: batch.recordCount }, (_, index) => {
      const { data, ...origin } = batch.origin(index, "d");
      return { ...origin, data: Buffer.from(data).toString("hex") };
    }),
    range: batch.range,
  };
}

describe("ShardBatch", () => {
  it("stages blocks exactly as it stages records one by one, refusals included", async (t) => {
    const stream = await streamOf(TRICKY);
    t.after(() => stream.close());
    const [byRecord] = await stage(stream, "records", 1000, Infinity);
    const [byBlock] = await stage(stream, "blocks", 1000, Infinity);
    assert.deepEqual(contents(byBlock!), contents(byRecord!));
    assert.deepEqual(
      byBlock!.refused.map((refused) => [refused.index, refused.message.split(":")[0]]),
      [
        [1, "record is not valid UTF-8"],
        [2, "record is not valid UTF-8"],
        [3, "record is not valid UTF-8"],
        [5, "record is not JSON"],
        [7, "record is not JSON"],
        [8, "record is empty"],
      ],
    );
    assert.match(byBlock!.lines.bytes().toString("utf8"), /\{"i":4,"t":\d+,"r":\{"event_id":"pretty","type":"page_view"\}\}\n/);
    assert.equal(byBlock!.origin(6, "d").partitionKey, "key-6-é");
  });

  it("splits a block between batches where the buffer fills, losing and repeating nothing", async (t) => {
    const records = Array.from({ length: 50 }, (_, i) => Buffer.from(JSON.stringify({ event_id: `e${i}`, type: "page_view", pad: "x".repeat(i) })));
    const stream = await streamOf(records);
    t.after(() => stream.close());
    const byRecord = await stage(stream, "records", 7, 400);
    const byBlock = await stage(stream, "blocks", 7, 400);
    assert.ok(byBlock.length > 3, `expected several batches, got ${byBlock.length}`);
    assert.deepEqual(byBlock.map(contents), byRecord.map(contents));
    assert.equal(byBlock[1]!.lastIndexAtOrBelow(byBlock[1]!.range.firstSequenceNumber), 0);
    assert.equal(byBlock[1]!.lastIndexAtOrBelow(byBlock[0]!.range.lastSequenceNumber), -1);
  });

  it("stages into a delivered batch's buffer, and into room made up front, as into a fresh buffer", async (t) => {
    const records = Array.from({ length: 60 }, (_, i) => Buffer.from(JSON.stringify({ event_id: `e${i}`, type: "page_view", pad: "y".repeat(i % 9) })));
    const stream = await streamOf(records);
    t.after(() => stream.close());
    const fresh = (await stage(stream, "blocks", 7, 300)).map(contents);
    // As a shard delivery does while a backlog lasts: each batch takes the buffer of the batch delivered
    // before the one in flight, and the first makes its room at once.
    const seen: Array<ReturnType<typeof contents>> = [];
    const batches = [new ShardBatch("s", SHARD, "json")];
    batches[0]!.lines.ensureCapacity(64 * 1024 * 1024);
    const firstBuffer = batches[0]!.lines.bytes().buffer;
    let reused = 0;
    let position: StartingPosition = { type: "TRIM_HORIZON" };
    for (;;) {
      const block = await stream.readBlock("s", SHARD, position, 7);
      for (let from = 0; from < block.count; ) {
        from = batches.at(-1)!.addBlock(block, from, 0, 300);
        if (batches.at(-1)!.bytes < 300) continue;
        const delivered = batches.length >= 2 ? batches[batches.length - 2] : undefined;
        let recycled: Buffer | undefined;
        if (delivered) {
          if (delivered === batches[0]) assert.equal(delivered.lines.bytes().buffer, firstBuffer, "the first batch's buffer never grew");
          seen.push(contents(delivered));
          recycled = delivered.lines.release();
        }
        batches.push(new ShardBatch("s", SHARD, "json", undefined, recycled));
        if (recycled && batches.at(-1)!.lines.bytes().buffer === recycled.buffer) reused++;
      }
      position = block.next;
      if (block.count < 7) break;
    }
    for (const batch of batches.slice(-2)) if (!batch.isEmpty) seen.push(contents(batch));
    assert.ok(reused >= 3, `expected buffers to be reused, got ${reused}`);
    assert.deepEqual(seen, fresh);
  });

  it("sizes its staging buffer for a full buffer once a quarter full, rather than doubling past it", () => {
    const hint = 1024 * 1024;
    const record = (i: number) => ({ shardId: SHARD, sequenceNumber: String(i + 1), partitionKey: "k", data: Buffer.from(JSON.stringify({ event_id: `e${i}`, pad: "x".repeat(300) })), approximateArrivalTimestamp: 0 });
    const fill = (bufferSizeBytes: number | undefined) => {
      const batch = new ShardBatch("s", SHARD, "json", undefined, undefined, bufferSizeBytes);
      for (let i = 0; batch.bytes < hint; i++) batch.add(record(i), 0);
      return { staged: batch.lines.bytes().byteLength, capacity: batch.lines.bytes().buffer.byteLength };
    };
    const sized = fill(hint);
    assert.ok(sized.capacity >= sized.staged && sized.capacity < sized.staged * 1.3, `capacity ${sized.capacity} for ${sized.staged} staged bytes`);
    // Without the hint the buffer grows by doubling: just past a full buffer, to nearly twice its lines.
    const doubled = fill(undefined);
    assert.equal(doubled.staged, sized.staged);
    assert.ok(doubled.capacity > doubled.staged * 1.5, `capacity ${doubled.capacity} for ${doubled.staged} staged bytes`);
  });

  it("lets a recycled buffer go when it is far larger than the batch asks for", () => {
    const asked = 1024 * 1024;
    // A buffer that grew by doubling just past a full batch: nearly twice what the next batch needs.
    const doubled = Buffer.alloc(2 * asked);
    const fresh = new ShardBatch("s", SHARD, "fields", asked, doubled);
    assert.notEqual(fresh.lines.bytes().buffer, doubled.buffer);
    // A little over what is asked (the batch's own slack) is reused, as is any buffer when nothing is asked.
    const near = Buffer.alloc(Math.ceil(asked * 1.2));
    assert.equal(new ShardBatch("s", SHARD, "fields", asked, near).lines.bytes().buffer, near.buffer);
    assert.equal(new ShardBatch("s", SHARD, "fields", undefined, doubled).lines.bytes().buffer, doubled.buffer);
    // Too small is never reused.
    const small = Buffer.alloc(asked / 2);
    assert.notEqual(new ShardBatch("s", SHARD, "fields", asked, small).lines.bytes().buffer, small.buffer);
  });

  it("keeps each record's own sequence number where the shard's counters have gaps", async (t) => {
    const path = join(tempDir(t, "shopstream-shard-batch-"), "stream.db");
    const records = Array.from({ length: 12 }, (_, i) => Buffer.from(JSON.stringify({ event_id: `e${i}`, type: "page_view" })));
    await (await streamOf(records, path)).close();
    const db = new Database(path);
    const [{ name }] = db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'log_%'").all() as [{ name: string }];
    db.prepare(`DELETE FROM ${name} WHERE seq IN (3, 4, 9)`).run();
    db.close();
    // Opened again, as after a restart: the gaps are read from the file, not from the writer's memory.
    const stream = new SqliteStream({ path });
    t.after(() => stream.close());
    const [byRecord] = await stage(stream, "records", 5, Infinity);
    const [byBlock] = await stage(stream, "blocks", 5, Infinity);
    assert.equal(byBlock!.recordCount, 9);
    assert.deepEqual(contents(byBlock!), contents(byRecord!));
  });
});
