// Per-minute KPIs by event time: the window sums and ratios, late events within the allowed lateness
// updating their window, later ones dropped from it but kept (kpi_minute_late, the metric), the watermark
// over shards, and the series the dashboard reads.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../errors/index.js";
import type { ServingStore } from "../store/index.js";
import { createCustomersFunction } from "./customers-function.js";
import { kpiSeries } from "./kpi-series.js";
import { kpiLateEvents } from "../monitor/index.js";
import { at, feed, openTestStore, orderPlaced, pageView, T0_MS } from "./test-support.js";

interface MinuteRow {
  minute_start_ms: number;
  orders: number;
  revenue: number;
  aov: number | null;
  sessions: number;
  converted_sessions: number;
  conversion: number | null;
  late_events: number;
}

const windows = async (store: ServingStore) =>
  (await store.all<MinuteRow>("SELECT * FROM kpi_minute ORDER BY minute_start_ms")).map((r) => ({
    minute: (r.minute_start_ms - T0_MS) / 60_000,
    orders: r.orders,
    revenue: r.revenue,
    aov: r.aov,
    sessions: r.sessions,
    converted: r.converted_sessions,
    conversion: r.conversion,
    late: r.late_events,
  }));

const order = (id: string, minute: number, session: string, total: number) =>
  orderPlaced({ id, at: at(minute), customer: `c-${session}`, session, order: `order-${id}`, lines: [{ product: "P1", quantity: 1, unitPrice: total }], total });

async function lateCount(outcome: "applied" | "dropped"): Promise<number> {
  return (await kpiLateEvents.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

describe("per-minute KPI windows", () => {
  it("sums orders, revenue and sessions per minute of event time, with AOV and conversion", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [
      pageView({ id: "1", at: at(0), session: "s1" }),
      pageView({ id: "2", at: at(0.2), session: "s2" }),
      order("3", 0.5, "s1", 100),
      pageView({ id: "4", at: at(1), session: "s3" }),
      order("5", 1.2, "s3", 50),
      order("6", 1.5, "s3", 30),
    ]);
    assert.deepEqual(await windows(store), [
      { minute: 0, orders: 1, revenue: 100, aov: 100, sessions: 2, converted: 1, conversion: 0.5, late: 0 },
      // A second order in a session is an order, not a second conversion.
      { minute: 1, orders: 2, revenue: 80, aov: 40, sessions: 1, converted: 1, conversion: 1, late: 0 },
    ]);
    // Later batches add to a window and recompute its ratios.
    await feed(fn, [pageView({ id: "7", at: at(1.9), session: "s4" })]);
    assert.deepEqual((await windows(store))[1], { minute: 1, orders: 2, revenue: 80, aov: 40, sessions: 2, converted: 1, conversion: 0.5, late: 0 });
  });

  it("updates a window with a late event within the allowed lateness, and keeps later ones apart", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store }); // 10 minutes of allowed lateness
    const [appliedBefore, droppedBefore] = [await lateCount("applied"), await lateCount("dropped")];
    await feed(fn, [pageView({ id: "1", at: at(0), session: "s1" }), pageView({ id: "2", at: at(20), session: "s2" })]);
    await feed(fn, [
      // The watermark is at 10:20. The 10:12 window ends at 10:13, 7 minutes ago: it still takes events.
      order("late-ok", 12.5, "s3", 70),
      // The 10:05 window ended 14 minutes ago: closed.
      order("too-late", 5.5, "s4", 40),
    ]);
    assert.deepEqual(await windows(store), [
      { minute: 0, orders: 0, revenue: 0, aov: null, sessions: 1, converted: 0, conversion: 0, late: 0 },
      { minute: 12, orders: 1, revenue: 70, aov: 70, sessions: 1, converted: 1, conversion: 1, late: 1 },
      { minute: 20, orders: 0, revenue: 0, aov: null, sessions: 1, converted: 0, conversion: 0, late: 0 },
    ]);
    const dropped = await store.all("SELECT minute_start_ms, events, orders, revenue, sessions, converted_sessions FROM kpi_minute_late");
    assert.deepEqual(dropped, [{ minute_start_ms: T0_MS + 5 * 60_000, events: 1, orders: 1, revenue: 40, sessions: 1, converted_sessions: 1 }]);
    assert.equal((await lateCount("applied")) - appliedBefore, 1);
    assert.equal((await lateCount("dropped")) - droppedBefore, 1);
    // Only the window is closed: the order still counts for its customer and its session.
    const booked = await store.get<{ total: number }>("SELECT total FROM customer_orders WHERE order_id = 'order-too-late'");
    assert.equal(booked?.total, 40);
    const session = await store.get<{ orders: number }>("SELECT orders FROM customer_sessions WHERE session_id = 's4'");
    assert.equal(session?.orders, 1);
  });

  it("takes the watermark as the slowest shard's, so a shard that is behind keeps its events", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [pageView({ id: "a1", at: at(0), session: "sa" })], "shard-a");
    await feed(fn, [pageView({ id: "a2", at: at(30), session: "sa" })], "shard-a");
    // Shard b catches up from 10:01: its events are late for shard a, not for the stream.
    await feed(fn, [order("b1", 1, "sb", 10), pageView({ id: "b2", at: at(28), session: "sc" })], "shard-b");
    // Both shards are past 10:28 now; a 10:02 event from either is beyond the lateness.
    await feed(fn, [order("b3", 2, "sd", 99)], "shard-b");
    const rows = await windows(store);
    assert.deepEqual(
      rows.map((r) => [r.minute, r.orders, r.revenue, r.sessions]),
      [
        [0, 0, 0, 1],
        [1, 1, 10, 1],
        [28, 0, 0, 1],
      ],
    );
    const dropped = await store.get<{ revenue: number }>("SELECT revenue FROM kpi_minute_late WHERE minute_start_ms = ?", [T0_MS + 2 * 60_000]);
    assert.equal(dropped?.revenue, 99);
  });

  it("judges a direct invocation's events by the shards' watermark without letting them hold it back", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [pageView({ id: "1", at: at(30), session: "s1" })]);
    await feed(fn, [order("2", 0, "s2", 10), order("3", 29, "s3", 20)], "", "");
    const shards = await store.all<{ shard_key: string }>("SELECT shard_key FROM kpi_watermarks");
    assert.deepEqual(shards, [{ shard_key: "curated/shardId-000000000000" }]);
    assert.deepEqual((await windows(store)).map((r) => [r.minute, r.revenue]), [[29, 20], [30, 0]]);
    const dropped = await store.get<{ revenue: number }>("SELECT SUM(revenue) AS revenue FROM kpi_minute_late");
    assert.equal(dropped?.revenue, 10);
  });

  it("drops every event behind the watermark with zero lateness, once its minute is over", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store, config: { sessionGapMinutes: 30, allowedLatenessSec: 0, rfm: { intervalSec: 0, lookbackDays: 365 } } });
    await feed(fn, [pageView({ id: "1", at: at(5.5), session: "s1" }), pageView({ id: "2", at: at(5.1), session: "s2" }), pageView({ id: "3", at: at(4.9), session: "s3" })]);
    assert.deepEqual((await windows(store)).map((r) => [r.minute, r.sessions]), [[5, 2]]);
  });
});

describe("kpiSeries", () => {
  it("returns every minute of the range, totals from the summed counts, and what was dropped", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [pageView({ id: "1", at: at(0), session: "s1" }), order("2", 0.5, "s1", 100), pageView({ id: "3", at: at(2), session: "s2" }), order("4", 2.5, "s2", 50)]);
    await feed(fn, [pageView({ id: "5", at: at(30), session: "s3" })]);
    await feed(fn, [order("6", 1, "s4", 25)]);
    const series = await kpiSeries(store, { fromMs: T0_MS, toMs: T0_MS + 3 * 60_000 });
    assert.deepEqual([series.from, series.to, series.watermark], [at(0), at(3), at(30)]);
    assert.deepEqual(
      series.minutes.map((m) => [m.minute, m.orders, m.revenue, m.sessions, m.conversion]),
      [
        [at(0), 1, 100, 1, 1],
        [at(1), 0, 0, 0, null],
        [at(2), 1, 50, 1, 1],
      ],
    );
    assert.deepEqual(series.totals, { orders: 2, revenue: 150, aov: 75, sessions: 2, convertedSessions: 2, conversion: 1 });
    assert.deepEqual(series.droppedLate, { events: 1, orders: 1, revenue: 25, sessions: 1 });
  });

  it("defaults to the hour up to the latest minute, and refuses ranges over a day", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [pageView({ id: "1", at: at(90.5), session: "s1" })]);
    const series = await kpiSeries(store);
    assert.deepEqual([series.from, series.to, series.minutes.length, series.minutes.at(-1)?.sessions], [at(31), at(91), 60, 1]);
    await assert.rejects(kpiSeries(store, { fromMs: T0_MS, toMs: T0_MS + 25 * 3_600_000 }), ValidationError);
  });
});
