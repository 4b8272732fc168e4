// The tail cache changes where readBlock's records come from, never what they are: every block read through
// it equals the block SQLite answers for the same position and limit (a second connection to the same file
// with no cache), through appends, evictions, gaps and trims.
import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { tempDir } from "../../test-support/temp-dir.js";
import type { RecordBlock, StartingPosition } from "../types.js";
import { SqliteStream } from "./sqlite-stream.js";
import { ShardTailCache } from "./tail-cache.js";

/** The parts of a block a consumer reads, as plain values (the lag apart: the reading connection's own view). */
function contents(block: RecordBlock) {
  const records = Array.from({ length: block.count }, (_, k) => ({
    data: block.data.subarray(k === 0 ? 0 : block.dataEnds[k - 1], block.dataEnds[k]).toString("utf8"),
    key: block.partitionKeys.subarray(k === 0 ? 0 : block.partitionKeyEnds[k - 1], block.partitionKeyEnds[k]).toString("utf8"),
    arrivalMs: block.arrivalTimestamps[k],
    sequenceNumber: block.sequenceNumberOf(block.sequenceCounters[k]!),
  }));
  return { records, next: block.next };
}

async function openPair(t: { after(fn: () => unknown): void }, tailCacheBytes: number) {
  const path = join(tempDir(t as never), "stream.db");
  const cached = new SqliteStream({ path, tailCacheBytes });
  await cached.createStream("s", { shardCount: 2 });
  const uncached = new SqliteStream({ path, tailCacheBytes: 0 });
  t.after(async () => {
    await cached.close();
    await uncached.close();
  });
  return { cached, uncached };
}

it("blocks read from the tail cache equal SQLite's, at every position and limit", async (t) => {
  // Small enough that older appends are evicted and some reads go to SQLite.
  const { cached, uncached } = await openPair(t, 4096);
  const shards = (await cached.describeStream("s")).shards.map((shard) => shard.shardId);
  const positions = new Map<string, StartingPosition>(shards.map((shardId) => [shardId, { type: "TRIM_HORIZON" }]));
  let n = 0;
  for (let put = 0; put < 60; put++) {
    const size = 1 + ((put * 37) % 23);
    // Multi-byte keys and records of varying length check the byte offsets.
    await cached.putRecords(
      "s",
      Array.from({ length: size }, () => ({ partitionKey: `clé-${n % 7}`, data: Buffer.from(JSON.stringify({ n: n++, pad: "é".repeat(n % 13) })) })),
    );
    for (const shardId of shards) {
      const limit = 1 + ((put * 11) % 17);
      const position = positions.get(shardId)!;
      const fromCache = await cached.readBlock("s", shardId, position, limit);
      const fromSqlite = await uncached.readBlock("s", shardId, position, limit);
      assert.deepEqual(contents(fromCache), contents(fromSqlite));
      positions.set(shardId, fromCache.next);
      if ((await cached.readBlock("s", shardId, fromCache.next, 1)).count === 0) assert.equal(fromCache.millisBehindLatest, 0, "a reader at the tip is not behind");
      // A fresh reader from the start, and one a few records back, too.
      assert.deepEqual(contents(await cached.readBlock("s", shardId, { type: "TRIM_HORIZON" }, 5)), contents(await uncached.readBlock("s", shardId, { type: "TRIM_HORIZON" }, 5)));
    }
  }
  // Read to the end: everything appended, once, in order.
  let total = 0;
  for (const shardId of shards) {
    for (let block = await cached.readBlock("s", shardId, { type: "TRIM_HORIZON" }, 7); block.count > 0; block = await cached.readBlock("s", shardId, block.next, 7)) {
      total += block.count;
    }
  }
  assert.equal(total, n);
});

it("a read at the tip answers empty without records, and a trimmed cache falls back to SQLite", async (t) => {
  const { cached, uncached } = await openPair(t, 1 << 20);
  const [put] = await cached.putRecords("s", [{ partitionKey: "a", data: Buffer.from('{"x":1}') }]);
  assert.ok(put && "sequenceNumber" in put);
  const { shardId, sequenceNumber } = put;
  const tip = await cached.readBlock("s", shardId, { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber }, 10);
  assert.equal(tip.count, 0);
  assert.deepEqual(tip.next, { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber });
  // Everything is older than the retention two days from now: trimmed from SQLite and from the cache.
  await cached.trimExpired(Date.now() + 48 * 3_600_000);
  const afterTrim = await cached.readBlock("s", shardId, { type: "TRIM_HORIZON" }, 10);
  assert.equal(afterTrim.count, 0);
  assert.deepEqual(contents(afterTrim).records, contents(await uncached.readBlock("s", shardId, { type: "TRIM_HORIZON" }, 10)).records);
});

it("an append that does not follow the cached counters starts the cache over", () => {
  const cache = new ShardTailCache(1 << 20);
  const context = { sequenceNumberOf: (counter: number) => String(counter), lastCounter: 6 };
  // Rows as the append inserts them: counter, partition key, data, arrival ms.
  const rows = (first: number, values: string, arrivalMs: number) => [...values].flatMap((value, k) => [first + k, "k", Buffer.from(value), arrivalMs]);
  cache.add(rows(1, "abc", 1));
  assert.equal(cache.read(0, 10, context)?.count, 3);
  // Counter 4 was handed out to an append that rolled back: 5 and 6 follow a gap.
  cache.add(rows(5, "ef", 2));
  assert.equal(cache.read(0, 10, context), undefined);
  assert.equal(cache.read(3, 10, context), undefined);
  const block = cache.read(4, 10, context)!;
  assert.deepEqual([block.count, block.data.toString(), block.millisBehindLatest], [2, "ef", 0]);
});
