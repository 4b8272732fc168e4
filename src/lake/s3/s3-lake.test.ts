// The lake on S3 (a real S3-compatible server, s3rver): delivery publishes to the bucket and into the local
// mirror, compaction merges and deletes in the bucket, and a mirror that starts empty (another machine, or
// the same one after its data dir was lost) reads every row back from the bucket alone.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { s3Server } from "../../test-support/backends.js";
import { startS3Server, type S3TestServer } from "../../test-support/s3-server.js";
import { tempDir } from "../../test-support/temp-dir.js";
import { LakeCompactor } from "../compactor.js";
import { appendRecords, eventMix } from "../test-events.js";
import { listKeys, openTestLake, queryLake } from "../test-lake.js";
import { createS3Client } from "./s3-client.js";
import { MirroredObjectStore } from "./mirrored-object-store.js";
import { S3ObjectStore } from "./s3-object-store.js";

const COUNTS = "select (select count(*) from events), (select count(distinct event_id) from events), (select count(*) from order_items), (select sum(total) from orders)";

describe("the lake on S3", { skip: (await s3Server()).skip }, () => {
  let server: S3TestServer;
  before(async () => {
    server = await startS3Server();
  });
  after(() => server?.stop());

  async function openBucket(): Promise<{ remote: S3ObjectStore; mirrored: (mirrorDir: string) => MirroredObjectStore }> {
    const config = server.config(await server.createBucket(), { prefix: "shop/" });
    const remote = new S3ObjectStore({ ...config, client: createS3Client(config) });
    return { remote, mirrored: (mirrorDir) => new MirroredObjectStore({ remote, mirrorDir, mirroredPrefixes: ["curated/"] }) };
  }

  it("delivers to the bucket, compacts there, and an empty mirror reads it all back", async (t) => {
    const lake = await openTestLake(t, { shards: 1 });
    const { remote, mirrored } = await openBucket();
    const store = mirrored(lake.lakeDir);
    const events = eventMix(300);
    await appendRecords(lake.stream, "curated", events);
    const recordBytes = Buffer.byteLength(JSON.stringify(events[0]));
    const compaction = { enabled: true, intervalMs: 60_000, minFiles: 2, targetFileBytes: 64 * 1024 * 1024, deleteSourcesAfterMs: 0 };
    const delivery = lake.delivery({ store, config: { bufferSizeBytes: 25 * recordBytes, compaction } });
    await delivery.start();
    await delivery.flush();

    const inBucket = (await listKeys(remote, "curated/events/type=page_view/")).filter((key) => key.endsWith(".parquet"));
    assert.ok(inBucket.length >= 5, `many small objects in the bucket, got ${inBucket.length}`);
    const raw = await server.client().send(new ListObjectsV2Command({ Bucket: remote.bucket, Prefix: "shop/curated/events/" }));
    assert.ok((raw.Contents ?? []).length >= inBucket.length, "under the configured key prefix");
    const expected = await queryLake(lake.lakeDir, COUNTS);
    assert.deepEqual(expected.map((row) => row.slice(0, 2)), [[300, 300]], "the mirror already has what was written through it");

    const summary = await new LakeCompactor({ store, stagingDir: join(lake.dir, "staging"), deliveries: [delivery] }).compactOnce();
    assert.ok(summary.merges > 0 && summary.mergedObjects >= inBucket.length, `merged: ${JSON.stringify(summary)}`);
    // Sources go once their grace period (0 here) is over: the next pass deletes them from the bucket.
    const cleanup = await new LakeCompactor({ store, stagingDir: join(lake.dir, "staging"), deliveries: [delivery] }).compactOnce(Date.now() + 1000);
    assert.ok(cleanup.deletedObjects >= summary.mergedObjects);
    const afterCompaction = (await listKeys(remote, "curated/events/type=page_view/")).filter((key) => key.endsWith(".parquet"));
    const partitions = new Set(afterCompaction.map((key) => key.slice(0, key.lastIndexOf("/"))));
    assert.equal(afterCompaction.length, partitions.size, "one merged object per partition (one shard)");
    assert.ok(afterCompaction.length < inBucket.length);

    await store.syncMirror();
    assert.deepEqual(await queryLake(lake.lakeDir, COUNTS), expected, "the synced mirror: no row twice, none missing");
    const fresh = join(tempDir(t), "lake");
    await mirrored(fresh).syncMirror();
    assert.deepEqual(await queryLake(fresh, COUNTS), expected, "a mirror made from the bucket alone");
  });

  it("mirrors only the curated zone, and follows objects another writer adds and deletes", async (t) => {
    const { remote, mirrored } = await openBucket();
    const mirrorDir = join(tempDir(t), "lake");
    const store = mirrored(mirrorDir);
    await remote.put("curated/orders/a.parquet", Buffer.from("a"));
    await remote.put("raw/dt=2026-01-05/x.ndjson.zst", Buffer.from("x"));
    await store.syncMirror();
    assert.deepEqual(await listKeys(store.mirror, ""), ["curated/orders/a.parquet"]);
    assert.match(store.locate("raw/dt=2026-01-05/x.ndjson.zst"), /^s3:\/\//, "not mirrored: read from the bucket");

    await remote.delete("curated/orders/a.parquet");
    await remote.put("curated/orders/b.parquet", Buffer.from("bb"));
    await remote.put("curated/orders/c.parquet", Buffer.from("ccc"));
    assert.deepEqual(await listKeys(store, "curated/orders/"), ["curated/orders/b.parquet", "curated/orders/c.parquet"]);
    assert.deepEqual(await listKeys(store.mirror, ""), ["curated/orders/b.parquet", "curated/orders/c.parquet"], "listing synced the mirror");

    // Syncs asked for while one runs share the next one, and none removes what was written meanwhile.
    await Promise.all([store.syncMirror(), store.put("curated/orders/d.parquet", Buffer.from("d")), store.syncMirror(), store.syncMirror()]);
    assert.deepEqual(await listKeys(store.mirror, ""), ["curated/orders/b.parquet", "curated/orders/c.parquet", "curated/orders/d.parquet"]);
  });
});
