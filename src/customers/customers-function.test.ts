// The customers function as a whole: idempotent replay, records it cannot trust, and seeded simulator
// traffic (curated as enrich does) whose totals must agree with the raw events, both fed directly and
// through the real function runtime reading a SQLite stream with several shards.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { partitionKeyOf, type CuratedEvent, type ShopEvent } from "../events/index.js";
import { deployFunctions } from "../functions/index.js";
import type { ServingStore } from "../store/index.js";
import { SqliteStream } from "../stream/index.js";
import { tempDir } from "../test-support/temp-dir.js";
import { createCustomersFunction } from "./customers-function.js";
import { funnelConversion } from "./funnel.js";
import { at, feed, feedInBatches, openTestStore, pageView, simulatedCuratedEvents } from "./test-support.js";

const TABLES = [
  "customer_sessions",
  "session_orders",
  "customer_orders",
  "customer_order_lines",
  "customer_order_adjustments",
  "customer_profiles",
  "customer_category_spend",
  "kpi_minute",
  "kpi_minute_late",
  "kpi_watermarks",
];

/** Every row the function writes, without the wall-clock columns. */
async function snapshot(store: ServingStore): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = await store.all<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY 1, 2`);
    tables[table] = rows.map(({ updated_at_ms: _updated, ...row }) => row);
  }
  return tables;
}

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} ≠ ${expected}`);

/** Checks the tables against the raw events they came from. */
async function assertAgreesWithEvents(store: ServingStore, events: readonly CuratedEvent[]): Promise<void> {
  const orders = events.filter((e) => e.type === "order_placed");
  const orderTotal = orders.reduce((sum, e) => sum + (e.payload["total"] as number), 0);
  const sessionIds = new Set(events.flatMap((e) => (e.session_id !== undefined ? [e.session_id] : [])));
  const kpis = await store.get<{ revenue: number; orders: number; sessions: number; converted: number }>(
    `SELECT SUM(revenue) AS revenue, SUM(orders) AS orders, SUM(sessions) AS sessions, SUM(converted_sessions) AS converted FROM
       (SELECT revenue, orders, sessions, converted_sessions FROM kpi_minute UNION ALL SELECT revenue, orders, sessions, converted_sessions FROM kpi_minute_late) windows`,
  );
  close(kpis?.revenue ?? 0, orderTotal);
  assert.equal(kpis?.orders, orders.length);
  // Simulated visits never go quiet for 30 minutes, so the sessions with an id are the session ids.
  const sessions = await store.get<{ n: number; identified: number; events: number }>(
    "SELECT COUNT(*) AS n, COUNT(session_id) AS identified, SUM(event_count) AS events FROM customer_sessions",
  );
  assert.equal(sessions?.identified, sessionIds.size);
  assert.equal(kpis?.sessions, sessions?.n);
  const activity = events.filter((e) => ["page_view", "product_view", "add_to_cart", "checkout_started", "order_placed"].includes(e.type));
  assert.equal(sessions?.events, activity.length);

  const funnel = await funnelConversion(store);
  const sessionsWith = (type: string) => new Set(events.filter((e) => e.type === type).map((e) => e.session_id)).size;
  const paidOrders = new Set(events.filter((e) => e.type === "payment_authorized").map((e) => e.order_id));
  const paidSessions = new Set(orders.filter((e) => paidOrders.has(e.order_id)).map((e) => e.session_id)).size;
  assert.deepEqual(
    funnel.steps.map((s) => s.reached),
    [sessionsWith("page_view"), sessionsWith("product_view"), sessionsWith("add_to_cart"), sessionsWith("checkout_started"), sessionsWith("order_placed"), paidSessions],
  );
  assert.equal(kpis?.converted, sessionsWith("order_placed"));

  const profiles = await store.get<{ orders: number; gross: number; cancelled: number; ltv: number; refunds: number }>(
    "SELECT SUM(orders) AS orders, SUM(gross_revenue) AS gross, SUM(cancelled_orders) AS cancelled, SUM(lifetime_value) AS ltv, SUM(refunds) AS refunds FROM customer_profiles",
  );
  assert.equal(profiles?.orders, orders.length);
  close(profiles?.gross ?? 0, orderTotal);
  assert.equal(profiles?.cancelled, new Set(events.filter((e) => e.type === "order_cancelled").map((e) => e.order_id)).size);
  // A profile's lifetime value is what its orders kept after refunds.
  const kept = await store.get<{ kept: number; refunded: number }>("SELECT SUM(total - refunded) AS kept, SUM(refunded) AS refunded FROM customer_orders");
  close(profiles?.ltv ?? 0, kept?.kept ?? 0);
  close(profiles?.refunds ?? 0, kept?.refunded ?? 0);
  const mismatched = await store.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM customer_profiles p
     JOIN (SELECT customer_id, SUM(total - refunded) AS kept, COUNT(*) AS orders, MIN(placed_at_ms) AS first_order FROM customer_orders GROUP BY customer_id) o
       ON o.customer_id = p.customer_id
     WHERE ABS(p.lifetime_value - o.kept) > 0.000001 OR p.orders <> o.orders OR p.first_order_at_ms <> o.first_order OR p.first_seen_at_ms > p.first_order_at_ms`,
  );
  assert.equal(mismatched?.n, 0);
}

describe("customers function", () => {
  it("changes nothing when a batch is replayed, whole or in part", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    const events = simulatedCuratedEvents(3, 6_000);
    await feedInBatches(fn, events.slice(0, 3_500), 500);
    const partial = await snapshot(store);
    // A crash after some commits: the runtime replays from an older checkpoint, with other batch bounds.
    await feedInBatches(fn, events.slice(0, 3_500), 333);
    assert.deepEqual(await snapshot(store), partial);
    await feedInBatches(fn, events, 250);
    const once = await snapshot(store);
    await feedInBatches(fn, events, 700);
    assert.deepEqual(await snapshot(store), once);
    await assertAgreesWithEvents(store, events);
    // A producer that sends the same event twice in one batch is deduplicated too.
    const repeated = pageView({ id: "dup", at: at(1_000), session: "s-dup" });
    await feed(fn, [repeated, repeated]);
    const row = await store.get<{ event_count: number }>("SELECT event_count FROM customer_sessions WHERE session_id = 's-dup'");
    assert.equal(row?.event_count, 1);
  });

  it("skips records it cannot trust, and ignores event types it does not use", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    const broken = { ...pageView({ id: "bad-time", at: at(0), session: "s1" }), occurred_at: "yesterday" };
    const noTotal = { event_id: "bad-order", type: "order_placed", occurred_at: at(0), payload: { order_id: "o1", customer_id: "c1" } };
    const snapshotEvent = { event_id: "inv", type: "inventory_snapshot", occurred_at: at(0), payload: { store_id: "S1", product_id: "P1", on_hand: 3 } };
    await feed(fn, [broken, noTotal, "not an event", snapshotEvent, pageView({ id: "ok", at: at(1), session: "s1" })]);
    const sessions = await store.all<{ session_key: string }>("SELECT session_key FROM customer_sessions");
    assert.deepEqual(sessions, [{ session_key: "ok" }]);
    const claimed = await store.all<{ event_id: string }>("SELECT event_id FROM processed_events WHERE consumer = 'customers'");
    assert.deepEqual(claimed, [{ event_id: "ok" }]);
  });

  it("agrees with the raw events of a seeded simulator run", async (t) => {
    const store = await openTestStore(t);
    const events = simulatedCuratedEvents(11, 40_000);
    await feedInBatches(createCustomersFunction({ store }), events, 500);
    await assertAgreesWithEvents(store, events);
    const late = await store.get<{ n: number }>("SELECT COUNT(*) AS n FROM kpi_minute_late");
    assert.equal(late?.n, 0);
  });

  it("runs end to end under the function runtime, reading a stream with four shards", async (t) => {
    const dir = tempDir(t, "shopstream-customers-e2e-");
    const stream = new SqliteStream({ path: join(dir, "stream.db") });
    t.after(() => stream.close());
    await stream.createStream("curated", { shardCount: 4 });
    const events = simulatedCuratedEvents(5, 12_000);
    for (let i = 0; i < events.length; i += 500) {
      // Keyed as ingest keys them: anonymous browsing by session, the rest by customer.
      const records = events.slice(i, i + 500).map((event) => ({ partitionKey: partitionKeyOf(event as unknown as ShopEvent), data: Buffer.from(JSON.stringify(event)) }));
      await stream.putRecords("curated", records);
    }
    const store = await openTestStore(t);
    const runtime = await deployFunctions({
      stream,
      functionsConfig: {},
      baseDir: dir,
      builtins: { customers: { fn: createCustomersFunction({ store }), defaultStream: "curated" } },
    });
    await runtime.start();
    try {
      const deadline = Date.now() + 60_000;
      while ((await runtime.lag())["function:customers"] !== 0) {
        assert.ok(Date.now() < deadline, "the customers function did not catch up within a minute");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await runtime.stop();
    }
    await assertAgreesWithEvents(store, events);
  });
});
