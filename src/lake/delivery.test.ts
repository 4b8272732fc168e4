// The lake delivery end to end: curated events appended to a real SQLite stream land in Parquet that
// DuckDB queries, buffered by size and by age, under deterministic names, exactly once across restarts
// and crashes, with refused records in the error prefix.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { lakeErrors } from "../monitor/index.js";
import { LakeDelivery, LocalObjectStore, parseObjectKey, type ObjectStore } from "./index.js";
import { appendRecords, eventMix, inventorySnapshot, orderPlaced, pageView, payment } from "./test-events.js";
import { curatedConfig, listKeys as keys, openTestLake as openLake, queryLake as query, waitFor } from "./test-lake.js";

/** Every event id is in `events` exactly once, and the total is `expected`. */
async function assertEachEventOnce(lakeDir: string, expected: number): Promise<void> {
  const [[rows, distinct]] = (await query(lakeDir, "select count(*), count(distinct event_id) from events")) as [[number, number]];
  assert.equal(distinct, expected);
  assert.equal(rows, expected, "an event is in the lake more than once");
}

describe("LakeDelivery", () => {
  it("delivers curated events to Parquet tables that DuckDB queries with exact counts and sums", async (t) => {
    const lake = await openLake(t);
    const at = "2026-01-05T08:15:00.000Z";
    await appendRecords(lake.stream, "curated", [
      orderPlaced({
        id: "e1", at, order: "O1", customer: "C1", store: "S001", total: 129.88,
        lines: [
          { product: "P001", quantity: 1, unitPrice: 89.9 },
          { product: "P003", quantity: 2, unitPrice: 19.99 },
        ],
      }),
      orderPlaced({ id: "e2", at: "2026-01-05T09:01:00.000Z", order: "O2", customer: "C2", store: "S002", total: 24.5, lines: [{ product: "P002", quantity: 1, unitPrice: 24.5 }] }),
      payment({ id: "e3", at, order: "O1", customer: "C1", amount: 129.88 }),
      payment({ id: "e4", at, order: "O2", customer: "C2", amount: 24.5, failedReason: "card_declined" }),
      pageView({ id: "e5", at, session: "s1", page: "/" }),
      pageView({ id: "e6", at, session: "s2", customer: "C2", page: "/product/P002" }),
      inventorySnapshot({ id: "e7", at, store: "S002", product: "P002", onHand: 3, reorderPoint: 10 }),
    ]);
    const delivery = lake.delivery();
    await delivery.start();
    await delivery.flush();

    assert.deepEqual(
      await query(lake.lakeDir, "select (select count(*) from events), (select count(*) from orders), (select count(*) from order_items), (select count(*) from payments), (select count(*) from page_views), (select count(*) from inventory_snapshots), (select count(*) from reviews)"),
      [[7, 2, 3, 2, 2, 1, 0]],
    );
    assert.deepEqual(await query(lake.lakeDir, "select sum(total), sum(units), sum(item_count) from orders"), [[154.38, 4, 3]]);
    assert.deepEqual(
      await query(lake.lakeDir, "select order_id, line_no, product_name, quantity, line_total, dt, hour from order_items order by order_id, line_no"),
      [
        ["O1", 1, "Trail Runner", 1, 89.9, "2026-01-05", 8],
        ["O1", 2, "Wool Beanie", 2, 39.98, "2026-01-05", 8],
        ["O2", 1, "Canvas Tote", 1, 24.5, "2026-01-05", 9],
      ],
    );
    assert.deepEqual(await query(lake.lakeDir, "select order_id, store_region, occurred_at from orders order by 1"), [
      ["O1", "EU-West", "2026-01-05T08:15:00.000Z"],
      ["O2", "EU-North", "2026-01-05T09:01:00.000Z"],
    ]);
    assert.deepEqual(await query(lake.lakeDir, "select order_id, status, reason, amount from payments order by 1"), [
      ["O1", "authorized", null, 129.88],
      ["O2", "failed", "card_declined", 24.5],
    ]);
    assert.deepEqual(await query(lake.lakeDir, "select store_id, product_id, on_hand, reorder_point, region, product_name from inventory_snapshots"), [
      ["S002", "P002", 3, 10, "EU-North", "Canvas Tote"],
    ]);
    assert.deepEqual(await query(lake.lakeDir, "select type, count(*) from events where dt = '2026-01-05' and hour = 8 group by type order by type"), [
      ["inventory_snapshot", 1],
      ["order_placed", 1],
      ["page_view", 2],
      ["payment_authorized", 1],
      ["payment_failed", 1],
    ]);
    assert.deepEqual(await query(lake.lakeDir, "select payload->>'currency' from events where event_id = 'e1'"), [["EUR"]]);
    assert.deepEqual(
      (await delivery.progress()).map((shard) => shard.lagRecords),
      [0, 0],
    );
  });

  it("keeps payload fields that no column takes in `extra`, per order and per line", async (t) => {
    const lake = await openLake(t, { shards: 1 });
    const at = "2026-01-05T08:00:00.000Z";
    await appendRecords(lake.stream, "curated", [
      orderPlaced({
        id: "e1", at, order: "O1", customer: "C1", store: "S001", total: 80.91,
        lines: [{ product: "P001", quantity: 1, unitPrice: 89.9, extra: { discount: 8.99 } }, { product: "P002", quantity: 1, unitPrice: 0 }],
        extra: { coupon: "WINTER10", gift: { wrap: true } },
      }),
      pageView({ id: "e2", at, session: "s1", page: "/", extra: { utm_source: "newsletter" } }),
      pageView({ id: "e3", at, session: "s2", page: "/cart" }),
    ]);
    const delivery = lake.delivery();
    await delivery.start();
    await delivery.flush();
    assert.deepEqual(await query(lake.lakeDir, "select extra from orders"), [['{"coupon":"WINTER10","gift":{"wrap":true}}']]);
    assert.deepEqual(await query(lake.lakeDir, "select line_no, extra from order_items order by line_no"), [
      [1, '{"discount":8.99}'],
      [2, null],
    ]);
    assert.deepEqual(await query(lake.lakeDir, "select event_id, extra->>'utm_source' from page_views order by 1"), [
      ["e2", "newsletter"],
      ["e3", null],
    ]);
  });

  it("names objects after the stream, shard and the flush's first and last sequence numbers", async (t) => {
    const lake = await openLake(t, { shards: 1 });
    const events = eventMix(40);
    await appendRecords(lake.stream, "curated", events);
    const delivery = lake.delivery();
    await delivery.start();
    await delivery.flush();
    const [first, last] = [
      (await lake.stream.read("curated", "shardId-000000000000", { type: "TRIM_HORIZON" }, 1)).records[0]!.sequenceNumber,
      (await delivery.progress())[0]!.checkpoint!,
    ];
    const published = await keys(lake.store, "curated/");
    assert.ok(published.includes(`curated/orders/dt=2026-01-05/hour=08/curated-shardId-000000000000-${first}-${last}.parquet`), published.join("\n"));
    assert.ok(published.includes(`curated/events/type=page_view/dt=2026-01-05/hour=08/curated-shardId-000000000000-${first}-${last}.parquet`));
    for (const key of published) assert.deepEqual(parseObjectKey(key)?.lastSequenceNumber, last);

    // The same records delivered again from scratch (a new lake) give the same names.
    const again = new LocalObjectStore(join(lake.dir, "lake-again"));
    const second = new LakeDelivery({ name: "again", config: curatedConfig(), stream: lake.stream, store: again, stagingDir: join(lake.dir, "staging") });
    await second.start();
    await second.flush();
    await second.stop();
    assert.deepEqual(await keys(again, "curated/"), published);
  });

  it("flushes a shard's buffer when it reaches bufferSizeBytes", async (t) => {
    const lake = await openLake(t, { shards: 1 });
    const events = Array.from({ length: 10 }, (_, i) => pageView({ id: `e${i}`, at: "2026-01-05T08:00:00.000Z", session: "s", page: "/p" }));
    const recordBytes = Buffer.byteLength(JSON.stringify(events[0]));
    // Three records fill the buffer; the tenth waits for a flush that the huge interval never triggers.
    const delivery = lake.delivery({ config: { bufferSizeBytes: 3 * recordBytes } });
    await delivery.start();
    await appendRecords(lake.stream, "curated", events);
    await waitFor(async () => (await delivery.progress())[0]!.recordsDelivered === 9);
    await sleep(300);
    const [shard] = await delivery.progress();
    assert.equal(shard!.recordsDelivered, 9);
    assert.equal(shard!.lagRecords, 1);
    const objects = await keys(lake.store, "curated/page_views/");
    assert.equal(objects.length, 3, objects.join("\n"));
    assert.deepEqual(await query(lake.lakeDir, "select count(*) from page_views"), [[9]]);
  });

  it("holds no more than its staging budget across shards under a backlog, and delivers every record once", async (t) => {
    const lake = await openLake(t, { shards: 4 });
    const events = Array.from({ length: 800 }, (_, i) => pageView({ id: `b${String(i).padStart(4, "0")}`, at: "2026-01-05T08:00:00.000Z", session: `s${i}`, page: "/p" }));
    const recordBytes = Buffer.byteLength(JSON.stringify(events[0]));
    await appendRecords(lake.stream, "curated", events);
    // Four shards of 200 records and buffers of 20: unbounded, each shard holds a full buffer in flight
    // and another filling (160 records) while two convert.
    const delivery = lake.delivery({ config: { bufferSizeBytes: 20 * recordBytes, readBatchSize: 5 } });
    const budgetRecords = (availableParallelism() + 1) * 20;
    await delivery.start();
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await delivery.progress()).reduce((sum, shard) => sum + shard.recordsBuffered, 0));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await delivery.flush();
    sampling = false;
    await sampler;
    // Past the budget by at most a buffer that a shard with no flush in flight fills, and what each shard
    // read before it looked (one read of 5) with a buffer's last record.
    assert.ok(peak <= budgetRecords + 20 + 4 * 6, `held ${peak} records at once, budget ${budgetRecords}`);
    assert.ok(peak >= 20, `held only ${peak} records at once: the sampler saw nothing`);
    await assertEachEventOnce(lake.lakeDir, events.length);
  });

  it("flushes a shard's buffer when its oldest record is bufferIntervalMs old", async (t) => {
    const lake = await openLake(t, { shards: 1 });
    const delivery = lake.delivery({ config: { bufferIntervalMs: 300 } });
    await delivery.start();
    const appendedAt = Date.now();
    await appendRecords(lake.stream, "curated", eventMix(5));
    await sleep(100);
    assert.deepEqual(await keys(lake.store, "curated/"), [], "flushed before the interval");
    await waitFor(async () => (await delivery.lag()) === 0);
    assert.ok(Date.now() - appendedAt >= 300);
    assert.deepEqual(await query(lake.lakeDir, "select count(*) from events"), [[5]]);
  });

  it("resolves flush() only once the records appended before it are in the lake, however the reads interleave", async (t) => {
    const lake = await openLake(t, { shards: 1 });
    const delivery = lake.delivery();
    await delivery.start();
    for (let i = 1; i <= 15; i++) {
      await appendRecords(lake.stream, "curated", [pageView({ id: `e${i}`, at: "2026-01-05T08:00:00.000Z", session: "s", page: "/" })]);
      await delivery.flush();
      assert.equal((await delivery.progress())[0]!.lagRecords, 0, `flush ${i} resolved before its record was delivered`);
    }
    await assertEachEventOnce(lake.lakeDir, 15);
  });

  it("delivers everything buffered on stop, and a restart delivers nothing twice", async (t) => {
    const lake = await openLake(t);
    await appendRecords(lake.stream, "curated", eventMix(100));
    const first = lake.delivery();
    await first.start();
    // Everything is read into the buffers, and the buffering hints (5 MiB, 10 min) flush none of it.
    await waitFor(async () => (await first.progress()).reduce((sum, shard) => sum + shard.recordsBuffered, 0) === 100);
    assert.deepEqual(await keys(lake.store, "curated/"), []);
    await first.stop();
    await assertEachEventOnce(lake.lakeDir, 100);
    const objectsAfterStop = await keys(lake.store, "curated/");

    const second = lake.delivery();
    await second.start();
    await second.flush();
    assert.deepEqual(await keys(lake.store, "curated/"), objectsAfterStop);
    await appendRecords(lake.stream, "curated", eventMix(20, Date.parse("2026-01-06T10:00:00.000Z")).map((event) => ({ ...event, event_id: `late-${event.event_id}` })));
    await second.flush();
    await second.stop();
    await assertEachEventOnce(lake.lakeDir, 120);
  });

  it("leaves each record in the lake exactly once after an abrupt stop that skipped the final flush", async (t) => {
    const lake = await openLake(t, { shards: 2 });
    const events = eventMix(300);
    await appendRecords(lake.stream, "curated", events);
    const recordBytes = Buffer.byteLength(JSON.stringify(events[0]));
    // Small buffers: several flushes publish and checkpoint, and the last records are still buffered.
    const first = lake.delivery({ config: { bufferSizeBytes: 40 * recordBytes } });
    await first.start();
    await waitFor(async () => (await first.progress()).every((shard) => shard.recordsDelivered > 0));
    await first.stop({ flush: false });
    const [[deliveredBefore]] = (await query(lake.lakeDir, "select count(*) from events")) as [[number]];
    assert.ok(deliveredBefore > 0 && deliveredBefore < 300, `expected a partial delivery, got ${deliveredBefore}`);

    const second = lake.delivery();
    await second.start();
    await second.flush();
    await second.stop();
    await assertEachEventOnce(lake.lakeDir, 300);
    assert.deepEqual(await query(lake.lakeDir, "select count(*) from order_items"), [[60]]);
  });

  it("leaves each record exactly once after a crash between publishing some objects of a flush and the checkpoint", async (t) => {
    const lake = await openLake(t, { shards: 1 });
    await appendRecords(lake.stream, "curated", eventMix(200));
    // The store fails after five objects: the flush is half published and its checkpoint never commits.
    let puts = 0;
    const failing: ObjectStore = {
      backend: "failing",
      put: (key, data) => (++puts > 5 ? Promise.reject(new Error("disk full")) : lake.store.put(key, data)),
      putFile: (key, path, options) => (++puts > 5 ? Promise.reject(new Error("disk full")) : lake.store.putFile(key, path, options)),
      get: (key) => lake.store.get(key),
      list: (prefix) => lake.store.list(prefix),
      delete: (key) => lake.store.delete(key),
      locate: (key) => lake.store.locate(key),
    };
    const crashing = lake.delivery({ store: failing });
    await crashing.start();
    const flushed = crashing.flush();
    flushed.catch(() => undefined);
    await waitFor(async () => puts > 6);
    await assert.rejects(crashing.stop({ flush: false }), /disk full/);
    const halfPublished = await keys(lake.store, "curated/");
    assert.equal(halfPublished.length, 5);
    assert.equal(await lake.stream.getCheckpoint(crashing.consumerName, "curated", "shardId-000000000000"), undefined);

    const recovered = lake.delivery();
    await recovered.start();
    await recovered.flush();
    await recovered.stop();
    await assertEachEventOnce(lake.lakeDir, 200);
    assert.deepEqual(await query(lake.lakeDir, "select count(*), count(distinct order_id) from orders"), [[20, 20]]);
    assert.deepEqual(await query(lake.lakeDir, "select count(*) from order_items"), [[40]]);
    assert.deepEqual(await query(lake.lakeDir, "select count(*) from payments"), [[20]]);
  });

  it("leaves each record exactly once after the delivering process is killed with SIGKILL", async (t) => {
    const lake = await openLake(t, { shards: 2 });
    const events = eventMix(3000);
    await appendRecords(lake.stream, "curated", events);
    const recordBytes = Buffer.byteLength(JSON.stringify(events[0]));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "delivery-crash.fixture.ts"), join(lake.dir, "stream.db"), lake.lakeDir, join(lake.dir, "staging"), String(50 * recordBytes)],
      { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, SHOPSTREAM_LOG_LEVEL: "warn" } },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_, signal) => resolve(signal)));
    t.after(() => child.kill("SIGKILL"));
    // Killed mid-way: some flushes published and checkpointed, one perhaps half published, the rest unread.
    await waitFor(async () => (await keys(lake.store, "curated/events/")).length >= 20, 60_000);
    child.kill("SIGKILL");
    assert.equal(await exited, "SIGKILL");
    const [[partial]] = (await query(lake.lakeDir, "select count(*) from events")) as [[number]];
    assert.ok(partial > 0 && partial < 3000, `expected a partial delivery, got ${partial}`);

    const recovered = lake.delivery();
    await recovered.start();
    await recovered.flush();
    await recovered.stop();
    await assertEachEventOnce(lake.lakeDir, 3000);
    assert.deepEqual(await query(lake.lakeDir, "select count(*), count(distinct order_id) from orders"), [[300, 300]]);
    assert.deepEqual(await query(lake.lakeDir, "select count(*) from order_items"), [[600]]);
  });

  it("writes records it cannot convert to the error prefix, with the raw record and the reason", async (t) => {
    const lake = await openLake(t, { shards: 1 });
    const good = pageView({ id: "ok", at: "2026-01-05T08:00:00.000Z", session: "s", page: "/" });
    const badQuantity = orderPlaced({ id: "bad-qty", at: "2026-01-05T08:00:00.000Z", order: "O1", customer: "C1", store: "S001", total: 1, lines: [{ product: "P001", quantity: 1, unitPrice: 1 }] });
    ((badQuantity.payload["items"] as Array<Record<string, unknown>>)[0]!)["quantity"] = "two";
    const badDate = { ...good, event_id: "bad-date", occurred_at: "2026-02-30T08:00:00.000Z" };
    const errorsBefore = await errorCount();
    await appendRecords(lake.stream, "curated", [good, "{not json", badQuantity, badDate, JSON.stringify({ ...good, payload: "oops", event_id: "bad-payload" })]);
    const delivery = lake.delivery();
    await delivery.start();
    await delivery.flush();

    assert.deepEqual(await query(lake.lakeDir, "select event_id from events"), [["ok"]]);
    assert.deepEqual(await query(lake.lakeDir, "select count(*) from orders"), [[0]], "a refused record is in no table");
    const errorKeys = await keys(lake.store, "errors/");
    assert.deepEqual(
      errorKeys.map((key) => key.split("/")[2]),
      ["invalid_event", "invalid_json", "schema_mismatch"],
    );
    const lines = (await Promise.all(errorKeys.map(async (key) => (await readFile(join(lake.lakeDir, key), "utf8")).trim().split("\n"))))
      .flat()
      .map((line) => JSON.parse(line) as Record<string, string>);
    assert.equal(lines.length, 4);
    const byRaw = new Map(lines.map((line) => [line["raw_data"], line]));
    assert.equal(byRaw.get("{not json")?.["error_type"], "invalid_json");
    const quantity = lines.find((line) => line["raw_data"]?.includes("bad-qty"));
    assert.equal(quantity?.["error_type"], "schema_mismatch");
    assert.match(quantity?.["error_message"] ?? "", /payload\.items\[0\]\.quantity: expected INTEGER, got two/);
    assert.match(lines.find((line) => line["raw_data"]?.includes("bad-date"))?.["error_message"] ?? "", /occurred_at/);
    for (const line of lines) assert.match(line["sequence_number"] ?? "", /^\d{56}$/);
    assert.equal((await errorCount()) - errorsBefore, 4);
    assert.equal((await delivery.progress())[0]!.lagRecords, 0, "refused records are delivered too, not retried");
  });

  it("partitions by the UTC hour of the event time, whatever the zone it was sent in", async (t) => {
    const lake = await openLake(t, { shards: 1 });
    await appendRecords(lake.stream, "curated", [pageView({ id: "e1", at: "2026-01-05T23:30:00.000Z", session: "s", page: "/" })].map((event) => ({ ...event, occurred_at: "2026-01-06T01:30:00+02:00" })));
    const delivery = lake.delivery();
    await delivery.start();
    await delivery.flush();
    const objects = await keys(lake.store, "curated/page_views/");
    assert.equal(objects.length, 1);
    assert.ok(objects[0]!.startsWith("curated/page_views/dt=2026-01-05/hour=23/"), objects[0]);
    assert.deepEqual(await query(lake.lakeDir, "select dt, hour, occurred_at from page_views"), [["2026-01-05", 23, "2026-01-05T23:30:00.000Z"]]);
  });
});

async function errorCount(): Promise<number> {
  return (await lakeErrors.get()).values.reduce((sum, value) => sum + value.value, 0);
}
