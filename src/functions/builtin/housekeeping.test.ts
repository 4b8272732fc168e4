// The serving store's bookkeeping is pruned past its horizon and kept within it, on SQLite and PostgreSQL:
// idempotency claims (a redelivery inside the horizon is still a duplicate), stock-level rows (a crashed
// batch's replay inside the horizon still appends its levels) and early payments (dropped, counted, logged).
// The clock is injected: a pass "days later" is a pass with a later now.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { pino, type Logger } from "pino";
import type { CuratedEvent } from "../../events/index.js";
import { registry } from "../../monitor/index.js";
import { coreMigrations, migrate, type ServingStore } from "../../store/index.js";
import { SqliteStream, type Stream } from "../../stream/index.js";
import { failingOnce } from "../test-support/harness.js";
import { postgres } from "../../test-support/backends.js";
import { openTestPostgresStore } from "../../test-support/postgres-store.js";
import { openTestSqliteStore } from "../../test-support/sqlite-store.js";
import { tempDir } from "../../test-support/temp-dir.js";
import type { BatchContext, CheckpointRef, DecodedRecord } from "../types.js";
import { StoreHousekeeping } from "./housekeeping.js";
import { createOrdersFunction } from "./orders.js";

const HOUR_MS = 3_600_000;
const SHARD = "shardId-000000000000";
/** When the first batches are processed; the passes run hours or days after it. */
const T0 = Date.UTC(2026, 0, 6);
/** events and curated keep 24 h each, the margin is 60 minutes: claims go 49 h after they were made. */
const HORIZON_MS = 49 * HOUR_MS;
const MINUTE_MS = 60_000;
const CONFIG = { safetyMarginMinutes: 60, earlyPaymentMaxAgeHours: 168, deleteChunkRows: 2 };

const backends: Array<{ name: string; skip: string | undefined; open(t: TestContext): Promise<ServingStore> }> = [
  {
    name: "sqlite",
    skip: undefined,
    open: (t) => openTestSqliteStore(t),
  },
  { name: "postgres", skip: (await postgres()).skip, open: (t) => openTestPostgresStore(t) },
];

/** The serving store with one product stocked at one store (10 on hand, reorder point 3). */
async function openStore(backend: (typeof backends)[number], t: TestContext): Promise<ServingStore> {
  const store = await backend.open(t);
  await migrate(store, coreMigrations);
  await store.run("INSERT INTO products (product_id, name, category, price) VALUES ('p-1', 'Mug', 'home', 10)");
  await store.run("INSERT INTO stores (store_id, name, city, region, country) VALUES ('s-1', 'One', 'A', 'R', 'US')");
  await store.run("INSERT INTO inventory (store_id, product_id, on_hand, reserved, reorder_point, target_level, updated_at) VALUES ('s-1', 'p-1', 10, 0, 3, 20, 0)");
  return store;
}

/** The pipeline's two streams, one shard each, with their default retention (24 h). */
async function openStreams(t: TestContext): Promise<SqliteStream> {
  const stream = new SqliteStream({ path: join(tempDir(t), "stream.db") });
  t.after(() => stream.close());
  await stream.ensureStream("events", { shardCount: 1 });
  await stream.ensureStream("curated", { shardCount: 1 });
  return stream;
}

function event(type: CuratedEvent["type"], eventId: string, payload: Record<string, unknown>): CuratedEvent {
  const at = new Date(T0).toISOString();
  return { event_id: eventId, type, occurred_at: at, ingested_at: at, payload };
}

const placed = (eventId: string, orderId: string, quantity: number) =>
  event("order_placed", eventId, { order_id: orderId, customer_id: "c-1", store_id: "s-1", currency: "USD", items: [{ product_id: "p-1", quantity, unit_price: 10 }], total: quantity * 10 });

const paid = (eventId: string, orderId: string) => event("payment_authorized", eventId, { order_id: orderId, payment_id: `pay-${eventId}`, amount: 1, method: "card" });

/** The events as stream records numbered from `first`: the same numbers are a redelivery of the same records. */
function records(events: CuratedEvent[], first: number): DecodedRecord<CuratedEvent>[] {
  return events.map((value, i) => ({ sequenceNumber: String(first + i), partitionKey: "c-1", approximateArrivalTimestamp: T0, value }));
}

const context = (sequenceNumber = "0"): BatchContext => {
  const checkpoint: CheckpointRef = { consumer: "orders", stream: "curated", shardId: SHARD, sequenceNumber };
  return { functionName: "orders", stream: "curated", shardId: SHARD, checkpoint, signal: new AbortController().signal };
};

const housekeepingAt = (store: ServingStore, stream: Stream, nowMs: number, log?: Logger) =>
  new StoreHousekeeping({ store, stream, config: CONFIG, clock: () => nowMs, ...(log !== undefined && { log }) });

const claims = async (store: ServingStore) =>
  (await store.all<{ consumer: string; event_id: string }>("SELECT consumer, event_id FROM processed_events ORDER BY consumer, event_id")).map((r) => `${r.consumer}:${r.event_id}`);

const stockLevelIds = async (store: ServingStore) => (await store.all<{ level_id: string }>("SELECT level_id FROM stock_levels ORDER BY level_id")).map((r) => r.level_id);

const stock = (store: ServingStore) => store.get<{ on_hand: number; reserved: number }>("SELECT on_hand, reserved FROM inventory WHERE store_id = 's-1' AND product_id = 'p-1'");

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const matches = (metric?.values ?? []).filter((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value));
  return matches.reduce((sum, v) => sum + v.value, 0);
}

async function derivedIds(stream: Stream): Promise<string[]> {
  const { records: read } = await stream.read("curated", SHARD, { type: "TRIM_HORIZON" }, 1_000);
  return read.map((record) => (JSON.parse(Buffer.from(record.data).toString("utf8")) as CuratedEvent).event_id);
}

for (const backend of backends) {
  describe(`serving-store housekeeping: ${backend.name}`, { skip: backend.skip }, () => {
    it("deletes claims past the redelivery horizon, keeps newer ones, and a redelivery inside it is still a duplicate", async (t) => {
      const store = await openStore(backend, t);
      const stream = await openStreams(t);
      const T1 = T0 + 30 * HOUR_MS;
      let nowMs = T0;
      const orders = createOrdersFunction(store, { clock: () => nowMs });
      const first = records([placed("e-1", "o-1", 2), paid("e-2", "o-1")], 0);
      await orders.handleBatch(first, context());
      // The other built-ins' claims are pruned by the same rule.
      await store.run("INSERT INTO processed_events (consumer, event_id, processed_at) VALUES ('customers', 'e-1', ?), ('customers', 'e-3', ?)", [T0, T1]);
      nowMs = T1;
      const second = records([placed("e-3", "o-2", 1)], 2);
      await orders.handleBatch(second, context());
      assert.deepEqual(await stock(store), { on_hand: 8, reserved: 1 });

      // A minute inside the horizon of the first batch: nothing goes, and its redelivery changes nothing.
      nowMs = T0 + HORIZON_MS - MINUTE_MS;
      assert.deepEqual((await housekeepingAt(store, stream, nowMs).run()).processedEvents, 0);
      await orders.handleBatch(first, context());
      assert.deepEqual(await stock(store), { on_hand: 8, reserved: 1 }, "the redelivered order and payment were recognised as processed");
      assert.equal((await store.get<{ status: string }>("SELECT status FROM orders WHERE order_id = 'o-1'"))?.status, "paid");

      // A longer retention moves the horizon: the pass reads each stream's retention as it is now.
      await stream.setRetentionHours("events", 48);
      nowMs = T0 + HORIZON_MS + MINUTE_MS;
      assert.equal((await housekeepingAt(store, stream, nowMs).run()).processedEvents, 0, "72 h + 1 h: still inside");
      await stream.setRetentionHours("events", 24);

      // A minute past it: the first batch's claims go (every consumer's), the second batch's stay.
      const pruned = await housekeepingAt(store, stream, nowMs).run();
      assert.equal(pruned.processedEvents, 3);
      assert.deepEqual(await claims(store), ["customers:e-3", "orders:e-3"]);
      await orders.handleBatch(second, context());
      assert.deepEqual(await stock(store), { on_hand: 8, reserved: 1 }, "the second batch, inside its horizon, is still a duplicate");
    });

    it("deletes stock-level rows past the horizon, and a crashed batch's replay inside it still appends its levels", async (t) => {
      const store = await openStore(backend, t);
      const stream = await openStreams(t);
      let nowMs = T0;
      const orders = createOrdersFunction(store, { stream: failingOnce(stream), clock: () => nowMs });
      // The first attempt commits its effects and stock level, then dies before the append.
      const batch = records([placed("l-1", "lo-1", 8)], 0);
      await assert.rejects(orders.handleBatch(batch, context("0")), /stream unavailable/);
      assert.deepEqual(await stockLevelIds(store), ["stock-level:l-1:s-1:p-1"]);

      // Restarted a day later, inside the horizon: the pass keeps the row, and the replay appends it.
      nowMs = T0 + 24 * HOUR_MS;
      assert.equal((await housekeepingAt(store, stream, nowMs).run()).stockLevels, 0);
      await orders.handleBatch(batch, context("0"));
      assert.deepEqual(await derivedIds(stream), ["low-stock:l-1:s-1:p-1", "stock-level:l-1:s-1:p-1"]);
      assert.equal(await stream.getCheckpoint("orders", "curated", SHARD), "0");

      // A later batch's row is inside the horizon when the first one's is past it.
      await orders.handleBatch(records([paid("l-2", "lo-1")], 1), context("1"));
      assert.deepEqual(await stockLevelIds(store), ["stock-level:l-1:s-1:p-1", "stock-level:l-2:s-1:p-1"]);
      const pruned = await housekeepingAt(store, stream, T0 + HORIZON_MS + MINUTE_MS).run();
      assert.equal(pruned.stockLevels, 1);
      assert.deepEqual(await stockLevelIds(store), ["stock-level:l-2:s-1:p-1"]);
    });

    it("drops early payments whose order never came, counts and logs them, and keeps younger ones for their order", async (t) => {
      const store = await openStore(backend, t);
      const stream = await openStreams(t);
      let nowMs = T0;
      const orders = createOrdersFunction(store, { clock: () => nowMs });
      await orders.handleBatch(records([paid("ep-1", "never")], 0), context());
      nowMs = T0 + 6 * 24 * HOUR_MS;
      await orders.handleBatch(records([paid("ep-2", "late")], 1), context());

      const before = {
        pruned: await counter("shopstream_store_pruned_rows_total", { table: "early_payments" }),
        discarded: await counter("shopstream_component_discarded_total", { component: "function:orders", reason: "early_payment_expired" }),
      };
      const lines: Array<Record<string, unknown>> = [];
      const log = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
      // A week and a minute after the first payment.
      nowMs = T0 + CONFIG.earlyPaymentMaxAgeHours * HOUR_MS + MINUTE_MS;
      const pruned = await housekeepingAt(store, stream, nowMs, log).run();
      assert.equal(pruned.earlyPayments, 1);
      assert.deepEqual(await store.all("SELECT event_id FROM early_payments"), [{ event_id: "ep-2" }]);
      assert.equal(await counter("shopstream_store_pruned_rows_total", { table: "early_payments" }), before.pruned + 1);
      assert.equal(await counter("shopstream_component_discarded_total", { component: "function:orders", reason: "early_payment_expired" }), before.discarded + 1);
      assert.equal(lines.length, 1, "one line per pass");
      assert.equal(lines[0]?.["level"], 40, "a warning: a payment outcome was dropped");
      assert.equal(lines[0]?.["earlyPaymentsExpired"], 1);

      // The younger one still waits for its order, and applies when it comes.
      await orders.handleBatch(records([placed("ep-3", "late", 2)], 2), context());
      assert.equal((await store.get<{ status: string }>("SELECT status FROM orders WHERE order_id = 'late'"))?.status, "paid");
      assert.deepEqual(await store.all("SELECT event_id FROM early_payments"), []);
    });

    it("prunes nothing when the streams could not be trimmed or it was stopped, and runs one pass at a time", async (t) => {
      const store = await openStore(backend, t);
      const streams = await openStreams(t);
      await createOrdersFunction(store, { clock: () => T0 }).handleBatch(records([placed("f-1", "fo-1", 1)], 0), context());
      const unreachable = Object.create(streams, { trimExpired: { value: async () => Promise.reject(new Error("stream unreachable")) } }) as Stream;
      await assert.rejects(housekeepingAt(store, unreachable, T0 + 10 * HORIZON_MS).run(), /stream unreachable/);
      assert.deepEqual(await claims(store), ["orders:f-1"]);
      // A shutdown stops a pass between chunks; this one had not reached its first.
      const stopped = housekeepingAt(store, streams, T0 + 10 * HORIZON_MS);
      const stoppedPass = stopped.run();
      await stopped.stop();
      assert.deepEqual(await stoppedPass, { processedEvents: 0, stockLevels: 0, earlyPayments: 0 });
      assert.deepEqual(await claims(store), ["orders:f-1"]);

      const housekeeping = housekeepingAt(store, streams, T0 + 10 * HORIZON_MS);
      const pass = housekeeping.run();
      assert.equal(housekeeping.run(), pass, "a call during a pass gets that pass");
      assert.deepEqual(await pass, { processedEvents: 1, stockLevels: 1, earlyPayments: 0 });
    });
  });
}
