// The KPI views over a small shop whose every number is known (writeSampleShop): what the dashboard reads.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { tempDir } from "../test-support/temp-dir.js";
import { openAnalytics, toRowObjects, type JsonValue } from "./index.js";
import { writeSampleShop } from "./test-lake.js";

describe("KPI views", () => {
  it("daily_sales: orders, units, revenue, average order value and customers per day", async (t) => {
    const rows = await sampleShopRows(t);
    assert.deepEqual(await rows("SELECT * FROM daily_sales ORDER BY dt"), [
      { dt: "2026-01-05", currency: "USD", orders: 3, units: 6, revenue: 60, average_order_value: 20, customers: 2 },
      { dt: "2026-01-06", currency: "USD", orders: 1, units: 5, revenue: 50, average_order_value: 50, customers: 1 },
    ]);
  });

  it("hourly_sales: the same per hour, with the hour's start", async (t) => {
    const rows = await sampleShopRows(t);
    assert.deepEqual(await rows("SELECT hour, hour_start, orders, units, revenue, average_order_value FROM hourly_sales WHERE dt = DATE '2026-01-05' ORDER BY hour"), [
      { hour: 8, hour_start: "2026-01-05T08:00:00.000Z", orders: 2, units: 4, revenue: 40, average_order_value: 20 },
      { hour: 9, hour_start: "2026-01-05T09:00:00.000Z", orders: 1, units: 2, revenue: 20, average_order_value: 20 },
    ]);
  });

  it("funnel: distinct sessions per step, payment counted for the day's orders whenever it was authorized", async (t) => {
    const rows = await sampleShopRows(t);
    assert.deepEqual(await rows("SELECT step_no, step, sessions, conversion_from_previous, conversion_from_start FROM funnel WHERE dt = '2026-01-05' ORDER BY step_no"), [
      { step_no: 1, step: "page_view", sessions: 4, conversion_from_previous: null, conversion_from_start: 1 },
      { step_no: 2, step: "product_view", sessions: 3, conversion_from_previous: 0.75, conversion_from_start: 0.75 },
      { step_no: 3, step: "add_to_cart", sessions: 3, conversion_from_previous: 1, conversion_from_start: 0.75 },
      { step_no: 4, step: "checkout_started", sessions: 3, conversion_from_previous: 1, conversion_from_start: 0.75 },
      { step_no: 5, step: "order_placed", sessions: 3, conversion_from_previous: 1, conversion_from_start: 0.75 },
      { step_no: 6, step: "payment_authorized", sessions: 2, conversion_from_previous: 0.6667, conversion_from_start: 0.5 },
    ]);
  });

  it("top_products: units, revenue, orders and the rank within the day", async (t) => {
    const rows = await sampleShopRows(t);
    assert.deepEqual(await rows("SELECT dt, product_id, product_name, category, units, revenue, orders, revenue_rank FROM top_products ORDER BY dt, revenue_rank"), [
      { dt: "2026-01-05", product_id: "P1", product_name: "Product P1", category: "home", units: 4, revenue: 40, orders: 2, revenue_rank: 1 },
      { dt: "2026-01-05", product_id: "P2", product_name: "Product P2", category: "toys", units: 2, revenue: 20, orders: 2, revenue_rank: 2 },
      { dt: "2026-01-06", product_id: "P2", product_name: "Product P2", category: "toys", units: 5, revenue: 50, orders: 1, revenue_rank: 1 },
    ]);
  });

  it("store_revenue: per day and store, with the store's region", async (t) => {
    const rows = await sampleShopRows(t);
    assert.deepEqual(await rows("SELECT store_id, region, orders, units, revenue FROM store_revenue WHERE dt = DATE '2026-01-05' ORDER BY store_id"), [
      { store_id: "S1", region: "east", orders: 2, units: 5, revenue: 50 },
      { store_id: "S2", region: "west", orders: 1, units: 1, revenue: 10 },
    ]);
  });

  it("latest_inventory: the newest snapshot of each shelf, whole, the later event id breaking a tie", async (t) => {
    const rows = await sampleShopRows(t);
    assert.deepEqual(await rows("SELECT store_id, product_id, on_hand, reorder_point, snapshot_at FROM latest_inventory ORDER BY store_id, product_id"), [
      { store_id: "S1", product_id: "P1", on_hand: 3, reorder_point: 5, snapshot_at: "2026-01-05T09:00:00.000Z" },
      { store_id: "S1", product_id: "P2", on_hand: 8, reorder_point: 5, snapshot_at: "2026-01-06T10:00:00.000Z" },
      { store_id: "S2", product_id: "P1", on_hand: 0, reorder_point: 4, snapshot_at: "2026-01-05T08:00:00.000Z" },
      { store_id: "S2", product_id: "P2", on_hand: 9, reorder_point: 6, snapshot_at: "2026-01-05T09:00:00.000Z" },
    ]);
  });

  it("low_stock: latest snapshots below the reorder point, with the units short", async (t) => {
    const rows = await sampleShopRows(t);
    assert.deepEqual(await rows("SELECT store_id, product_id, region, on_hand, reorder_point, units_short FROM low_stock ORDER BY units_short DESC"), [
      { store_id: "S2", product_id: "P1", region: "west", on_hand: 0, reorder_point: 4, units_short: 4 },
      { store_id: "S1", product_id: "P1", region: "east", on_hand: 3, reorder_point: 5, units_short: 2 },
    ]);
  });

  it("every view answers on an empty lake, with no rows", async (t) => {
    const dir = tempDir(t, "shopstream-views-");
    mkdirSync(join(dir, "lake"));
    const empty = await openAnalytics({ lakeDir: join(dir, "lake") });
    t.after(() => empty.close());
    for (const view of ["daily_sales", "hourly_sales", "funnel", "top_products", "store_revenue", "latest_inventory", "low_stock"]) {
      assert.deepEqual((await empty.query(`SELECT * FROM ${view}`)).rows, [], view);
    }
  });
});

/** A query function over the sample shop; the engine stops before its directory goes (hooks run in order). */
async function sampleShopRows(t: TestContext): Promise<(sql: string) => Promise<Array<Record<string, JsonValue>>>> {
  const lakeDir = join(tempDir(t, "shopstream-views-"), "lake");
  await writeSampleShop(lakeDir);
  const engine = await openAnalytics({ lakeDir });
  t.after(() => engine.close());
  return async (sql) => toRowObjects(await engine.query(sql));
}
