// The built-in functions on PostgreSQL do what they do on SQLite: one seeded simulated run goes through
// orders, customers and fraud on each backend (with a replayed batch), and every serving-store figure the
// dashboard and the APIs read (orders, revenue, inventory levels, alerts, profiles, KPIs, RFM, fraud
// alerts, planning's inventory views) comes out the same.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { cohorts, computeRfm, createCustomersFunction, customerMigrations, funnelConversion, kpiSeries, topCustomers } from "../customers/index.js";
import type { CuratedEvent, IngestedEvent } from "../events/index.js";
import { createFraudFunction, fraudMigrations, fraudAlertSummary, recentFraudAlerts } from "../fraud/index.js";
import { createOrdersFunction, curate } from "../functions/index.js";
import type { BatchContext, DecodedRecord } from "../functions/index.js";
import { loadReferenceData, seedReferenceData } from "../pipeline/index.js";
import { applyBackorderConfig, inventoryGrid, lowStock, planningMigrations, reorderPolicyMigrations } from "../planning/index.js";
import { DEFAULT_CATALOG_SEED, generateCatalog, generateEvents } from "../simulator/index.js";
import { postgres } from "../test-support/backends.js";
import { openTestPostgresStore } from "../test-support/postgres-store.js";
import { tempDir } from "../test-support/temp-dir.js";
import { coreMigrations, migrate, SqliteStore, type ServingStore } from "./index.js";

const EVENTS = 10_000;
const BATCH_SIZE = 250;
const NOW_MS = Date.UTC(2026, 0, 6);
const catalog = generateCatalog(DEFAULT_CATALOG_SEED);
const context: BatchContext = { functionName: "parity", stream: "curated", shardId: "shardId-000000000000", signal: new AbortController().signal };

function curatedBatches(): DecodedRecord<CuratedEvent>[][] {
  const reference = { stores: new Map(catalog.stores.map((s) => [s.store_id, s])), products: new Map(catalog.products.map((p) => [p.product_id, p])) };
  const events = generateEvents({ seed: 7, catalog }, EVENTS).map((event, index) => ({
    sequenceNumber: String(index + 1).padStart(20, "0"),
    partitionKey: event.event_id,
    approximateArrivalTimestamp: NOW_MS,
    value: curate({ ...event, ingested_at: new Date(NOW_MS).toISOString() } as IngestedEvent, reference as never),
  }));
  const batches: DecodedRecord<CuratedEvent>[][] = [];
  for (let start = 0; start < events.length; start += BATCH_SIZE) batches.push(events.slice(start, start + BATCH_SIZE));
  return batches;
}

const round = (value: unknown) => Math.round(Number(value) * 100) / 100;

/** Runs the functions over the batches, then reads back what a user would look at. */
async function runAndRead(store: ServingStore): Promise<Record<string, unknown>> {
  await migrate(store, [...coreMigrations, ...customerMigrations, ...fraudMigrations, ...planningMigrations, ...reorderPolicyMigrations]);
  await seedReferenceData(store, catalog);
  const firstStore = catalog.stores[0]?.store_id as string;
  await applyBackorderConfig(store, { allowBackorder: false, stores: { [firstStore]: { allowBackorder: true } } } as never);
  await loadReferenceData(store);
  const orders = createOrdersFunction(store, { clock: () => NOW_MS });
  const customers = createCustomersFunction({ store });
  const fraud = createFraudFunction({ store, clock: () => NOW_MS });
  const batches = curatedBatches();
  for (const [index, batch] of batches.entries()) {
    await Promise.all([orders.handleBatch(batch, context), customers.handleBatch(batch, context), fraud.handleBatch(batch, context)]);
    // A batch delivered twice (a retry after a crash) changes nothing the second time.
    if (index === 3) for (const fn of [orders, customers, fraud]) await fn.handleBatch(batch, context);
  }
  const rfm = await computeRfm(store, { asOfMs: NOW_MS, lookbackDays: 365 });
  const totals = await store.get<{ orders: number; revenue: number; units: number }>("SELECT count(*) AS orders, sum(total) AS revenue, sum(units) AS units FROM orders");
  return {
    totals: { orders: Number(totals?.orders), revenue: round(totals?.revenue), units: Number(totals?.units) },
    byStatus: await store.all("SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status"),
    items: await store.all("SELECT sum(quantity) AS quantity, sum(reserved) AS reserved, sum(committed) AS committed, sum(restocked) AS restocked, sum(shortfall) AS shortfall FROM order_items"),
    inventory: await store.all("SELECT store_id, product_id, on_hand, reserved FROM inventory ORDER BY store_id, product_id"),
    lowStockAlerts: await store.all("SELECT alert_id, available, reorder_point FROM low_stock_alerts ORDER BY alert_id"),
    stockLevels: await store.all("SELECT level_id, on_hand, reserved, moves FROM stock_levels ORDER BY level_id"),
    earlyPayments: await store.all("SELECT event_id FROM early_payments ORDER BY event_id"),
    processed: await store.all("SELECT consumer, count(*) AS n FROM processed_events GROUP BY consumer ORDER BY consumer"),
    topCustomers: (await topCustomers(store, { limit: 20 })).map((c) => ({ ...c, lifetimeValue: round((c as { lifetimeValue?: number }).lifetimeValue) })),
    sessions: await store.get("SELECT count(*) AS n, sum(event_count) AS events, sum(orders) AS orders FROM customer_sessions"),
    kpis: await kpiSeries(store, { fromMs: Date.UTC(2026, 0, 5), toMs: Date.UTC(2026, 0, 5, 6) }),
    funnel: await funnelConversion(store),
    cohorts: await cohorts(store),
    rfm,
    fraudAlerts: (await recentFraudAlerts(store, { limit: 1000 })).map((a) => ({ ...a, score: round(a.score) })),
    fraudSummary: await fraudAlertSummary(store),
    inventoryGrid: await inventoryGrid(store, { limitProducts: 10 }),
    lowStock: await lowStock(store, { limit: 25 }),
  };
}

describe("the built-in functions on PostgreSQL", { skip: (await postgres()).skip }, () => {
  it("leave the serving store as they leave it on SQLite, over a seeded simulated run", async (t: TestContext) => {
    const sqlite = new SqliteStore({ path: join(tempDir(t), "store.db") });
    t.after(() => sqlite.close());
    const pg = await openTestPostgresStore(t, { poolSize: 4 });
    const [onSqlite, onPostgres] = [await runAndRead(sqlite), await runAndRead(pg)];
    const totals = onSqlite["totals"] as { orders: number };
    assert.ok(totals.orders > 40, `only ${totals.orders} orders: the run is too small to compare`);
    assert.ok((onSqlite["lowStockAlerts"] as unknown[]).length > 0, "the run raised no low-stock alert");
    const count = (key: string) => (onSqlite[key] as unknown[]).length;
    t.diagnostic(
      `${JSON.stringify(totals)}; ${count("inventory")} inventory rows, ${count("lowStockAlerts")} low-stock alerts, ${count("stockLevels")} stock levels, ` +
        `${count("fraudAlerts")} fraud alerts, ${count("topCustomers")} top customers, ${JSON.stringify(onSqlite["sessions"])} sessions`,
    );
    for (const key of Object.keys(onSqlite)) assert.deepEqual(onPostgres[key], onSqlite[key], `${key} differs`);
  });
});
