// The catalog over a lake: partition filters prune files (counted by EXPLAIN ANALYZE), through the KPI
// views too; new objects show up; tables, views, columns and partitions are listed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { tempDir } from "../test-support/temp-dir.js";
import { openAnalytics, type AnalyticsEngine } from "./index.js";
import { writeLakeObject, writeSampleShop } from "./test-lake.js";

async function openSampleShop(t: TestContext): Promise<{ engine: AnalyticsEngine; lakeDir: string }> {
  const lakeDir = join(tempDir(t, "shopstream-catalog-"), "lake");
  await writeSampleShop(lakeDir);
  const engine = await openAnalytics({ lakeDir });
  t.after(() => engine.close());
  return { engine, lakeDir };
}

/** The Parquet files a query opened, from DuckDB's profile: the sum of its scans' "Total Files Read". */
async function filesRead(engine: AnalyticsEngine, sql: string): Promise<number> {
  const plan = String((await engine.query(`EXPLAIN ANALYZE ${sql}`)).rows[0]?.[1]);
  const counts = [...plan.matchAll(/Total Files Read: (\d+)/g)].map((match) => Number(match[1]));
  assert.ok(counts.length > 0, `no file scan in the plan of ${sql}`);
  return counts.reduce((sum, count) => sum + count, 0);
}

describe("table registry", () => {
  it("reads only the files of the partitions a filter on dt, hour or type names", async (t) => {
    const { engine } = await openSampleShop(t);
    // orders has three objects: 2026-01-05 hours 08 and 09, 2026-01-06 hour 10. (A bare count(*) would be
    // answered from the files' metadata, without a scan to count.)
    assert.equal(await filesRead(engine, "SELECT sum(total) FROM orders"), 3);
    assert.equal(await filesRead(engine, "SELECT sum(total) FROM orders WHERE dt = DATE '2026-01-05'"), 2);
    assert.equal(await filesRead(engine, "SELECT sum(total) FROM orders WHERE dt = '2026-01-05' AND hour = 9"), 1);
    assert.equal(await filesRead(engine, "SELECT sum(total) FROM orders WHERE dt > DATE '2026-01-05'"), 1);
    // events is partitioned by type first: one type of one day is one object here.
    assert.equal(await filesRead(engine, "SELECT count(DISTINCT session_id) FROM events WHERE type = 'page_view' AND dt = DATE '2026-01-05'"), 1);
    assert.equal(await filesRead(engine, "SELECT count(DISTINCT session_id) FROM events WHERE type IN ('page_view', 'add_to_cart')"), 2);
    assert.deepEqual((await engine.query("SELECT count(*) FROM orders WHERE dt = DATE '2026-01-05' AND hour = 9")).rows, [[1]]);
  });

  it("prunes through the KPI views: a day of daily_sales and funnel reads that day's files", async (t) => {
    const { engine } = await openSampleShop(t);
    assert.equal(await filesRead(engine, "SELECT * FROM daily_sales WHERE dt = DATE '2026-01-06'"), 1);
    assert.equal(await filesRead(engine, "SELECT * FROM hourly_sales WHERE dt = DATE '2026-01-05'"), 2);
    assert.equal(await filesRead(engine, "SELECT * FROM top_products WHERE dt = DATE '2026-01-06'"), 1);
    // funnel: the day's five step types of events (6 objects), its orders (2) and every payment (2), since a
    // payment may come on a later day.
    assert.equal(await filesRead(engine, "SELECT * FROM funnel WHERE dt = DATE '2026-01-05'"), 6 + 2 + 2);
  });

  it("sees objects that appear after it opened", async (t) => {
    const { engine, lakeDir } = await openSampleShop(t);
    assert.deepEqual((await engine.query("SELECT count(*) FROM reviews")).rows, [[0]]);
    await writeLakeObject(lakeDir, "reviews", { dt: "2026-01-06", hour: "11" }, [{ event_id: "r1", review_id: "R1", rating: 5, occurred_at: "2026-01-06T11:00:00.000Z" }]);
    await writeLakeObject(lakeDir, "orders", { dt: "2026-01-07", hour: "00" }, [{ order_id: "O5", total: 5, currency: "USD", units: 1, occurred_at: "2026-01-07T00:00:00.000Z" }]);
    assert.deepEqual((await engine.query("SELECT count(*), avg(rating) FROM reviews")).rows, [[1, 5]]);
    assert.deepEqual((await engine.query("SELECT dt, orders FROM daily_sales WHERE dt = DATE '2026-01-07'")).rows, [["2026-01-07", 1]]);
  });

  it("lists tables, views and their columns, with partition keys and descriptions", async (t) => {
    const { engine } = await openSampleShop(t);
    const tables = await engine.tables();
    const orders = tables.find((table) => table.name === "orders");
    assert.equal(orders?.kind, "table");
    assert.equal(orders?.source, "lake");
    assert.equal(orders?.location, "curated/orders/");
    assert.deepEqual(orders?.partitionKeys, ["dt", "hour"]);
    assert.deepEqual(orders?.columns.find((column) => column.name === "total"), {
      name: "total",
      type: "DECIMAL(18,4)",
      description: "order total including shipping and tax",
      partitionKey: false,
    });
    assert.equal(orders?.columns.find((column) => column.name === "dt")?.partitionKey, true);
    const funnel = await engine.table("funnel");
    assert.equal(funnel.kind, "view");
    assert.equal(funnel.source, "kpi");
    assert.deepEqual(
      funnel.columns.map((column) => column.name),
      ["dt", "step_no", "step", "sessions", "conversion_from_previous", "conversion_from_start"],
    );
    assert.ok(funnel.sql?.includes("FROM events"));
    assert.deepEqual(
      tables.filter((table) => table.kind === "view").map((table) => table.name),
      ["daily_sales", "hourly_sales", "funnel", "top_products", "store_revenue", "latest_inventory", "low_stock"],
    );
    await assert.rejects(engine.table("nope"), /no table or view named nope/);
  });

  it("lists a table's partitions that hold files, in key order", async (t) => {
    const { engine } = await openSampleShop(t);
    assert.deepEqual(await engine.partitions("orders"), [
      { values: { dt: "2026-01-05", hour: "08" }, location: "curated/orders/dt=2026-01-05/hour=08/" },
      { values: { dt: "2026-01-05", hour: "09" }, location: "curated/orders/dt=2026-01-05/hour=09/" },
      { values: { dt: "2026-01-06", hour: "10" }, location: "curated/orders/dt=2026-01-06/hour=10/" },
    ]);
    const events = await engine.partitions("events");
    assert.deepEqual(events[0], { values: { type: "add_to_cart", dt: "2026-01-05", hour: "08" }, location: "curated/events/type=add_to_cart/dt=2026-01-05/hour=08/" });
    assert.equal(events.length, 6);
    assert.deepEqual(await engine.partitions("daily_sales"), [], "a view has no partitions");
  });
});
