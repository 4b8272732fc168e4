// Dynamic partitioning (Firehose's partitionKeyFromQuery): records go to the objects of their own partition,
// one object per partition per flush (a buffer per partition, flushed with the shard's buffer), and a
// record whose key is missing or cannot name a folder goes to the error prefix.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, it } from "node:test";
import { DEFAULT_TABLES_CONFIG } from "./config.js";
import { appendRecords, orderPlaced, pageView } from "./test-events.js";
import { listKeys, openTestLake, queryLake } from "./test-lake.js";

const at = (minute: number, hour = 8) => `2026-01-05T${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}:00.000Z`;

describe("dynamic partitioning", () => {
  it("writes one object per partition, holding only its records, in stream order", async (t) => {
    const lake = await openTestLake(t, { shards: 1, streams: ["events"] });
    const records = [
      { event_id: "a1", type: "page_view", occurred_at: at(1), shop: "north" },
      { event_id: "b1", type: "page_view", occurred_at: at(2), shop: "south" },
      { event_id: "a2", type: "page_view", occurred_at: at(3, 9), shop: "north" },
      { event_id: "a3", type: "page_view", occurred_at: at(4), shop: "north" },
      { event_id: "x1", type: "page_view", occurred_at: at(5), shop: "../etc" },
      { event_id: "x2", type: "page_view", occurred_at: at(6) },
    ].map((record) => JSON.stringify(record));
    await appendRecords(lake.stream, "events", records);
    const delivery = lake.delivery({
      name: "raw",
      config: {
        compression: "gzip",
        prefix: "raw/shop=!{partitionKeyFromQuery:shop}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/",
        dynamicPartitioning: { keys: { shop: "shop" } },
        timestampField: "occurred_at",
      },
    });
    await delivery.start();
    await delivery.flush();

    const keys = await listKeys(lake.store, "raw/");
    const byFolder = new Map<string, string[]>();
    for (const key of keys) {
      const lines = gunzipSync(await readFile(join(lake.lakeDir, key))).toString("utf8").trim().split("\n");
      byFolder.set(key.slice(0, key.lastIndexOf("/") + 1), lines.map((line) => (JSON.parse(line) as { event_id: string }).event_id));
    }
    assert.deepEqual(Object.fromEntries(byFolder), {
      "raw/shop=north/dt=2026-01-05/hour=08/": ["a1", "a3"],
      "raw/shop=north/dt=2026-01-05/hour=09/": ["a2"],
      "raw/shop=south/dt=2026-01-05/hour=08/": ["b1"],
    });
    const errorKeys = await listKeys(lake.store, "errors/raw/");
    assert.equal(errorKeys.length, 1);
    assert.match(errorKeys[0]!, /^errors\/raw\/invalid_partition_key\//);
    const refused = (await readFile(join(lake.lakeDir, errorKeys[0]!), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, string>);
    assert.deepEqual(refused.map((line) => JSON.parse(line["raw_data"]!).event_id), ["x1", "x2"]);
    assert.match(refused[0]!["error_message"]!, /partition key shop \(shop\): .*got \.\.\/etc/);
    assert.match(refused[1]!["error_message"]!, /got nothing/);
  });

  it("places records by their time truncated to the prefix's finest unit, before 1970 as after and on the edges", async (t) => {
    const lake = await openTestLake(t, { shards: 1, streams: ["events"] });
    const times = ["1969-12-31T23:59:30.500Z", "1970-01-01T00:00:00.000Z", "2026-01-05T08:59:59.999Z", "2026-01-05T09:00:00.000Z", "2026-01-05T09:00:59.999Z"];
    await appendRecords(lake.stream, "events", times.map((occurred_at, n) => JSON.stringify({ event_id: `e${n}`, type: "page_view", occurred_at })));
    const delivery = lake.delivery({
      name: "raw",
      config: { compression: "gzip", prefix: "raw/dt=!{timestamp:yyyy-MM-dd}/hm=!{timestamp:HH-mm}/", timestampField: "occurred_at" },
    });
    await delivery.start();
    await delivery.flush();

    const byFolder: Record<string, string[]> = {};
    for (const key of await listKeys(lake.store, "raw/")) {
      const lines = gunzipSync(await readFile(join(lake.lakeDir, key))).toString("utf8").trim().split("\n");
      byFolder[key.slice(0, key.lastIndexOf("/") + 1)] = lines.map((line) => (JSON.parse(line) as { event_id: string }).event_id);
    }
    assert.deepEqual(byFolder, {
      "raw/dt=1969-12-31/hm=23-59/": ["e0"],
      "raw/dt=1970-01-01/hm=00-00/": ["e1"],
      "raw/dt=2026-01-05/hm=08-59/": ["e2"],
      "raw/dt=2026-01-05/hm=09-00/": ["e3", "e4"],
    });
  });

  it("partitions a Parquet table by a record field as a Hive column that queries filter on", async (t) => {
    const lake = await openTestLake(t, { shards: 2 });
    const tables = structuredClone(DEFAULT_TABLES_CONFIG);
    tables.orders.prefix = "curated/orders/store=!{partitionKeyFromQuery:store}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/";
    const order = (id: string, store: "S001" | "S002") =>
      orderPlaced({ id, at: at(10), order: `O-${id}`, customer: `C-${id}`, store, total: 10, lines: [{ product: "P001", quantity: 1, unitPrice: 10 }] });
    await appendRecords(lake.stream, "curated", [order("1", "S001"), order("2", "S002"), order("3", "S001"), pageView({ id: "pv", at: at(11), session: "s", page: "/" })]);
    const delivery = lake.delivery({ config: { dynamicPartitioning: { keys: { type: "type", store: "store_id" } } }, tables });
    await delivery.start();
    await delivery.flush();

    assert.deepEqual(await queryLake(lake.lakeDir, "select store, count(*) from orders group by store order by store"), [
      ["S001", 2],
      ["S002", 1],
    ]);
    assert.ok((await listKeys(lake.store, "curated/orders/store=S002/dt=2026-01-05/hour=08/")).length > 0);
    // Keys are read from every record, as Firehose does: a page view has no store, so it is refused whole.
    assert.deepEqual(await queryLake(lake.lakeDir, "select count(*) from events"), [[3]]);
    const errorKeys = await listKeys(lake.store, "errors/curated/");
    assert.equal(errorKeys.length, 1);
    assert.match(errorKeys[0]!, /^errors\/curated\/invalid_partition_key\//);
  });
});
