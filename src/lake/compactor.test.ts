// Compaction: a partition's small objects merge into one while queries run, with no row seen twice or
// missed at any moment; the merged sources go once their grace period is over; and a restart after a
// compaction still delivers each record exactly once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { LakeCompactor, mergeRuns } from "./compactor.js";
import type { CompactionConfig } from "./config.js";
import { parseObjectKey } from "./object-names.js";
import type { ObjectInfo } from "./object-store.js";
import { objectVisibility } from "./object-visibility.js";
import { appendRecords, eventMix } from "./test-events.js";
import { listKeys, openTestLake, queryLake } from "./test-lake.js";

const COUNTS = "select (select count(*) from events), (select count(distinct event_id) from events), (select count(*) from order_items), (select sum(total) from orders)";

function compaction(overrides: Partial<CompactionConfig> = {}): CompactionConfig {
  return { enabled: true, intervalMs: 60_000, minFiles: 2, targetFileBytes: 64 * 1024 * 1024, deleteSourcesAfterMs: 0, ...overrides };
}

async function parquetKeys(lake: { store: Parameters<typeof listKeys>[0] }, prefix: string): Promise<string[]> {
  return (await listKeys(lake.store, prefix)).filter((key) => key.endsWith(".parquet"));
}

describe("LakeCompactor", () => {
  it("merges small objects while queries run, and no query ever sees a row twice or misses one", async (t) => {
    const lake = await openTestLake(t, { shards: 1 });
    const events = eventMix(400);
    await appendRecords(lake.stream, "curated", events);
    const recordBytes = Buffer.byteLength(JSON.stringify(events[0]));
    const delivery = lake.delivery({ config: { bufferSizeBytes: 25 * recordBytes, compaction: compaction({ deleteSourcesAfterMs: 400 }) } });
    await delivery.start();
    await delivery.flush();
    const expected = await queryLake(lake.lakeDir, COUNTS);
    const before = await parquetKeys(lake, "curated/events/type=page_view/");
    assert.ok(before.length >= 10, `expected many small objects, got ${before.length}`);

    let querying = true;
    const seen: string[] = [];
    const queries = (async () => {
      while (querying) seen.push(JSON.stringify(await queryLake(lake.lakeDir, COUNTS)));
    })();
    const compactor = new LakeCompactor({ store: lake.store, stagingDir: `${lake.dir}/staging`, deliveries: [delivery] });
    const merged = await compactor.compactOnce();
    await sleep(500);
    const swept = await compactor.compactOnce();
    await sleep(100);
    querying = false;
    await queries;

    assert.ok(seen.length >= 3, `only ${seen.length} queries ran`);
    assert.deepEqual([...new Set(seen)], [JSON.stringify(expected)], "a query saw different rows during compaction");
    assert.ok(merged.merges > 0 && merged.mergedObjects >= before.length, JSON.stringify(merged));
    assert.equal(swept.deletedObjects, merged.mergedObjects, "the sources are deleted after their grace period");
    // One object per partition, named after the range its sources covered.
    const folder = (key: string) => key.slice(0, key.lastIndexOf("/") + 1);
    const after = await parquetKeys(lake, "curated/events/type=page_view/");
    assert.deepEqual(after.map(folder), [...new Set(before.map(folder))], after.join("\n"));
    for (const key of after) {
      const sources = before.filter((source) => folder(source) === folder(key)).map((source) => parseObjectKey(source)!);
      const merged = parseObjectKey(key)!;
      assert.equal(merged.firstSequenceNumber, sources.map((source) => source.firstSequenceNumber).sort()[0]);
      assert.equal(merged.lastSequenceNumber, sources.map((source) => source.lastSequenceNumber).sort().at(-1));
    }
    assert.deepEqual(await queryLake(lake.lakeDir, COUNTS), expected);
  });

  it("leaves merged sources to readers until their grace period ends, and readers skip them", async (t) => {
    const lake = await openTestLake(t, { shards: 1 });
    const events = eventMix(100);
    await appendRecords(lake.stream, "curated", events);
    const delivery = lake.delivery({ config: { bufferSizeBytes: 20 * Buffer.byteLength(JSON.stringify(events[0])), compaction: compaction({ deleteSourcesAfterMs: 3_600_000 }) } });
    await delivery.start();
    await delivery.flush();
    const expected = await queryLake(lake.lakeDir, COUNTS);
    const before = await parquetKeys(lake, "curated/");
    await new LakeCompactor({ store: lake.store, stagingDir: `${lake.dir}/staging`, deliveries: [delivery] }).compactOnce();
    const objects: ObjectInfo[] = [];
    for await (const object of lake.store.list("curated/")) objects.push(object);
    const { covered } = objectVisibility(objects);
    assert.deepEqual(covered.map(({ object }) => object.key).sort(), before.filter((key) => covered.some(({ object }) => object.key === key)).sort());
    assert.ok(covered.length > 0, "the sources are still there");
    assert.deepEqual(await queryLake(lake.lakeDir, COUNTS), expected, "sources and merged objects side by side: each row once");
  });

  it("merges only objects at or below the checkpoint, so a restart delivers each record exactly once", async (t) => {
    const lake = await openTestLake(t, { shards: 2 });
    const events = eventMix(300);
    await appendRecords(lake.stream, "curated", events);
    const recordBytes = Buffer.byteLength(JSON.stringify(events[0]));
    const first = lake.delivery({ config: { bufferSizeBytes: 15 * recordBytes, compaction: compaction() } });
    await first.start();
    // Some flushes published and checkpointed; the rest dropped as a crash drops them.
    while ((await first.progress()).some((shard) => shard.recordsDelivered < 60)) await sleep(10);
    await first.stop({ flush: false });
    const summary = await new LakeCompactor({ store: lake.store, stagingDir: `${lake.dir}/staging`, deliveries: [first] }).compactOnce();
    assert.ok(summary.merges > 0);

    const second = lake.delivery({ config: { compaction: compaction() } });
    await second.start();
    await second.flush();
    await second.stop();
    assert.deepEqual(await queryLake(lake.lakeDir, "select count(*), count(distinct event_id) from events"), [[300, 300]]);
    assert.deepEqual(await queryLake(lake.lakeDir, "select count(*), count(distinct order_id) from orders"), [[30, 30]]);
  });
});

describe("mergeRuns", () => {
  const key = (first: number, last: number, prefix = "curated/orders/dt=2026-01-05/hour=08/") =>
    `${prefix}curated-shardId-000000000000-${String(first).padStart(56, "0")}-${String(last).padStart(56, "0")}.parquet`;
  const object = (first: number, last: number, sizeBytes = 1000): ObjectInfo => ({ key: key(first, last), sizeBytes, lastModifiedMs: 0 });
  const checkpoint = (n: number) => new Map([["shardId-000000000000", String(n).padStart(56, "0")]]);
  const ranges = (runs: ReturnType<typeof mergeRuns>) => runs.map((run) => run.map(({ name }) => Number(name.firstSequenceNumber)));

  it("takes runs of consecutive small objects, cut by a large one and by the checkpoint", () => {
    const objects = [object(1, 2), object(3, 4), object(5, 6, 10_000_000), object(7, 8), object(9, 9), object(10, 12), object(13, 14)];
    assert.deepEqual(ranges(mergeRuns(objects, "curated", checkpoint(12), { minFiles: 2, targetFileBytes: 5_000_000 })), [[1, 3], [7, 9, 10]]);
    assert.deepEqual(ranges(mergeRuns(objects, "curated", checkpoint(12), { minFiles: 3, targetFileBytes: 5_000_000 })), [[7, 9, 10]]);
    assert.deepEqual(ranges(mergeRuns(objects, "curated", new Map(), { minFiles: 2, targetFileBytes: 5_000_000 })), [], "nothing before a checkpoint");
  });

  it("cuts a run before it grows past the target size", () => {
    const objects = [object(1, 1, 400), object(2, 2, 400), object(3, 3, 400), object(4, 4, 400), object(5, 5, 400)];
    assert.deepEqual(ranges(mergeRuns(objects, "curated", checkpoint(9), { minFiles: 2, targetFileBytes: 1000 })), [[1, 2], [3, 4]]);
  });
});
