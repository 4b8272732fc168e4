// The reorder policy over a small lake whose numbers are chosen by hand: planning's single statement uses
// derived levels where a store and product sold in the window and the snapshot's elsewhere, and the
// refresher writes the same derived levels into the serving store, and takes them back when sales stop.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { openAnalytics, type AnalyticsEngine } from "../analytics/index.js";
import { writeLakeObject } from "../analytics/test-lake.js";
import { SqliteQueue } from "../queue/index.js";
import { coreMigrations, migrate, SqliteStore } from "../store/index.js";
import { tempDir } from "../test-support/temp-dir.js";
import { DEFAULT_INVENTORY_CONFIG, type InventoryConfig } from "./config.js";
import { planningMigrations, reorderPolicyMigrations } from "./migrations.js";
import { runPlanning } from "./planner.js";
import { ReorderLevelRefresher } from "./reorder-levels.js";
import { reorderPolicyOf } from "./reorder-policy.js";

const HOUR_MS = 3_600_000;
const NOW_MS = Date.parse("2026-01-10T00:00:00Z");
const at = (hoursBefore: number) => new Date(NOW_MS - hoursBefore * HOUR_MS).toISOString();
const partitionOf = (iso: string) => ({ dt: iso.slice(0, 10), hour: iso.slice(11, 13) });

/**
 * A 4-day window ending at NOW. S1/P1 sells 6, 2, 0 and 4 units on days 0…3 (day 0 is the last 24 h), and
 * 100 units six days back (outside the window, before the snapshot). S2/P1 sells 8 units on day 0 only.
 * S1/P2 sells nothing. Snapshots are 4.5 days old.
 */
async function writeShop(lakeDir: string): Promise<void> {
  let n = 0;
  const line = (store: string, product: string, quantity: number, hoursBefore: number) => ({
    order_id: `O${++n}`,
    line_no: 1,
    product_id: product,
    quantity,
    unit_price: 1,
    line_total: quantity,
    store_id: store,
    customer_id: "C1",
    occurred_at: at(hoursBefore),
    event_id: `ev-O${n}`,
  });
  const lines = [
    line("S1", "P1", 5, 2),
    line("S1", "P1", 1, 20),
    line("S1", "P1", 2, 26),
    line("S1", "P1", 4, 77),
    line("S1", "P1", 100, 144),
    line("S2", "P1", 8, 3),
  ];
  for (const row of lines) await writeLakeObject(lakeDir, "order_items", partitionOf(row.occurred_at), [row]);
  const snapshotAt = at(108);
  const snapshot = (store: string, product: string, onHand: number, reorderPoint: number, targetLevel: number) => ({
    event_id: `snap-${store}-${product}`,
    occurred_at: snapshotAt,
    store_id: store,
    product_id: product,
    on_hand: onHand,
    reorder_point: reorderPoint,
    extra: { target_level: targetLevel },
  });
  await writeLakeObject(lakeDir, "inventory_snapshots", partitionOf(snapshotAt), [
    snapshot("S1", "P1", 20, 5, 30),
    snapshot("S2", "P1", 25, 3, 10),
    snapshot("S1", "P2", 2, 5, 20),
  ]);
}

/** The hand computation, for a window of 4 days, z = 1.65 and 7 review days. */
function expectedLevels(dailyUnits: number[], leadTimeDays: number): { avg: number; reorderPoint: number; targetLevel: number } {
  const avg = dailyUnits.reduce((a, b) => a + b, 0) / dailyUnits.length;
  const sigma = Math.sqrt(dailyUnits.reduce((sum, units) => sum + (units - avg) ** 2, 0) / dailyUnits.length);
  const reorderPoint = Math.ceil(avg * leadTimeDays + 1.65 * sigma * Math.sqrt(leadTimeDays));
  return { avg, reorderPoint, targetLevel: reorderPoint + Math.ceil(avg * 7) };
}
// S1/P1: avg 3, σ = √5, lead 2 → ⌈6 + 1.65·√10⌉ = ⌈11.22⌉ = 12, target 12 + 21 = 33.
const S1P1 = expectedLevels([6, 2, 0, 4], 2);
// S2/P1 with its own lead time of 4 days: avg 2, σ = √12 → ⌈8 + 1.65·√12·2⌉ = ⌈19.43⌉ = 20, target 20 + 14 = 34.
const S2P1 = expectedLevels([8, 0, 0, 0], 4);

function inventoryConfig(overrides: Partial<InventoryConfig["reorderPolicy"]> = {}): InventoryConfig {
  return {
    ...DEFAULT_INVENTORY_CONFIG,
    reorderPolicy: { ...DEFAULT_INVENTORY_CONFIG.reorderPolicy, demandWindowDays: 4, leadTimeDays: 2, safetyFactor: 1.65, reviewDays: 7, ...overrides },
    stores: { S2: { leadTimeDays: 4 } },
  };
}

interface Shop {
  analytics: AnalyticsEngine;
  store: SqliteStore;
  queue: SqliteQueue;
}

async function openShop(t: TestContext): Promise<Shop> {
  const dir = tempDir(t);
  const lakeDir = join(dir, "lake");
  await writeShop(lakeDir);
  const analytics = await openAnalytics({ lakeDir });
  const store = new SqliteStore({ path: join(dir, "store.db") });
  const queue = new SqliteQueue({ path: join(dir, "queue.db") });
  t.after(async () => {
    await analytics.close();
    await store.close();
    await queue.close();
  });
  await migrate(store, [...coreMigrations, ...planningMigrations, ...reorderPolicyMigrations]);
  await queue.ensureQueue("replenishment");
  return { analytics, store, queue };
}

describe("the reorder policy in store planning", () => {
  it("derives reorder points and targets from the window's daily sales, and keeps the snapshot's where nothing sold", async (t) => {
    const { analytics, store, queue } = await openShop(t);
    assert.deepEqual([S1P1.reorderPoint, S1P1.targetLevel, S2P1.reorderPoint, S2P1.targetLevel], [12, 33, 20, 34], "the hand computation");
    const report = await runPlanning({ analytics, queue, store, nowMs: NOW_MS, policy: reorderPolicyOf(inventoryConfig()) });
    const rows = report.belowReorderPoint.map((need) => ({
      pair: `${need.store_id}/${need.product_id}`,
      level: need.current_level,
      rp: need.reorder_point,
      target: need.target_level,
      quantity: need.quantity,
      source: need.reorder_source,
      avg: need.avg_daily_demand,
      lead: need.lead_time_days,
    }));
    assert.deepEqual(rows, [
      // 20 on hand − 12 sold since the snapshot = 8, under the derived 12 (the configured 5 would not alert)
      { pair: "S1/P1", level: 8, rp: 12, target: 33, quantity: 25, source: "derived", avg: 3, lead: 2 },
      { pair: "S1/P2", level: 2, rp: 5, target: 20, quantity: 18, source: "configured", avg: 0, lead: 2 },
      { pair: "S2/P1", level: 17, rp: 20, target: 34, quantity: 17, source: "derived", avg: 2, lead: 4 },
    ]);
    const s1p1 = report.belowReorderPoint[0]!;
    assert.equal(s1p1.recent_demand_units, 112, "recent demand keeps its own 7-day window (it reaches the 100 units six days back)");
  });

  it("uses the snapshot's levels everywhere in configured mode, still reporting demand", async (t) => {
    const { analytics, store, queue } = await openShop(t);
    const report = await runPlanning({ analytics, queue, store, nowMs: NOW_MS, policy: reorderPolicyOf(inventoryConfig({ mode: "configured" })) });
    assert.deepEqual(
      report.belowReorderPoint.map((need) => [need.store_id, need.product_id, need.reorder_point, need.target_level, need.reorder_source]),
      [["S1", "P2", 5, 20, "configured"]],
    );
    assert.equal(report.productsChecked, 3);
  });
});

describe("the reorder level refresher", () => {
  async function seed(store: SqliteStore): Promise<void> {
    for (const [storeId, productId, onHand, reorderPoint, targetLevel] of [
      ["S1", "P1", 40, 5, 30],
      ["S2", "P1", 40, 3, 10],
      ["S1", "P2", 40, 5, 20],
    ] as const) {
      await store.run(
        "INSERT INTO inventory (store_id, product_id, on_hand, reserved, reorder_point, target_level, updated_at) VALUES (?, ?, ?, 0, ?, ?, 0)",
        [storeId, productId, onHand, reorderPoint, targetLevel],
      );
    }
  }

  async function levels(store: SqliteStore) {
    return store.all<{ pair: string; reorder_point: number; target_level: number; reorder_source: string; avg_daily_demand: number | null; lead_time_days: number | null }>(
      `SELECT store_id || '/' || product_id AS pair, reorder_point, target_level, reorder_source, avg_daily_demand, lead_time_days
       FROM inventory ORDER BY store_id, product_id`,
    );
  }

  it("writes the derived levels into the serving store's inventory and restores the configured ones when sales stop", async (t) => {
    const { analytics, store } = await openShop(t);
    await seed(store);
    const refresher = new ReorderLevelRefresher({ analytics, store, policy: reorderPolicyOf(inventoryConfig()) });
    const first = await refresher.refresh(NOW_MS);
    assert.deepEqual([first.selling, first.derived, first.reverted], [2, 2, 0]);
    assert.deepEqual(await levels(store), [
      { pair: "S1/P1", reorder_point: 12, target_level: 33, reorder_source: "derived", avg_daily_demand: 3, lead_time_days: 2 },
      { pair: "S1/P2", reorder_point: 5, target_level: 20, reorder_source: "configured", avg_daily_demand: null, lead_time_days: null },
      { pair: "S2/P1", reorder_point: 20, target_level: 34, reorder_source: "derived", avg_daily_demand: 2, lead_time_days: 4 },
    ]);
    const policyStamp = await store.get<{ policy_updated_at: number }>("SELECT policy_updated_at FROM inventory WHERE store_id = 'S1' AND product_id = 'P1'");
    assert.ok(Number(policyStamp?.policy_updated_at) > 0);

    // A month later nothing sold in the window: the configured levels are back.
    const later = await refresher.refresh(NOW_MS + 30 * 24 * HOUR_MS);
    assert.deepEqual([later.selling, later.derived, later.reverted], [0, 0, 2]);
    assert.deepEqual(
      (await levels(store)).map((row) => [row.pair, row.reorder_point, row.target_level, row.reorder_source, row.avg_daily_demand]),
      [
        ["S1/P1", 5, 30, "configured", 0],
        ["S1/P2", 5, 20, "configured", null],
        ["S2/P1", 3, 10, "configured", 0],
      ],
    );
  });

  it("in configured mode writes demand and lead time but leaves the levels alone", async (t) => {
    const { analytics, store } = await openShop(t);
    await seed(store);
    const refresher = new ReorderLevelRefresher({ analytics, store, policy: reorderPolicyOf(inventoryConfig({ mode: "configured" })) });
    const result = await refresher.refresh(NOW_MS);
    assert.deepEqual([result.selling, result.derived], [2, 0]);
    assert.deepEqual(
      (await levels(store)).map((row) => [row.pair, row.reorder_point, row.target_level, row.reorder_source, row.avg_daily_demand, row.lead_time_days]),
      [
        ["S1/P1", 5, 30, "configured", 3, 2],
        ["S1/P2", 5, 20, "configured", null, null],
        ["S2/P1", 3, 10, "configured", 2, 4],
      ],
    );
  });
});
