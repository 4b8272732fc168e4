// RFM: quintile scores with ties, the segment rules (the same in TypeScript and SQL), and computeRfm on a
// small known population (with the lookback and cancellations left out), read back through segmentCounts
// and the customer profile.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCustomersFunction } from "./customers-function.js";
import { customerProfile } from "./profile-queries.js";
import { computeRfm, segmentCounts } from "./rfm.js";
import { quintileScoreSql, segmentOf, segmentSql } from "./rfm-scores.js";
import { at, feed, openTestStore, orderCancelled, orderPlaced } from "./test-support.js";

const DAY_MINUTES = 24 * 60;

describe("RFM scores", () => {
  it("scores by quintile, equal values sharing a score", async (t) => {
    const store = await openTestStore(t);
    const scores = async (values: number[]) =>
      (
        await store.all<{ score: number }>(
          `WITH t(v) AS (VALUES ${values.map(() => "(?)").join(", ")}) SELECT ${quintileScoreSql("v")} AS score FROM t ORDER BY v`,
          values,
        )
      ).map((row) => row.score);
    assert.deepEqual(await scores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // Most customers on one order all get 1; the first above them jumps to where it ranks.
    assert.deepEqual(await scores([1, 1, 1, 2, 3]), [1, 1, 1, 4, 5]);
    assert.deepEqual(await scores([7, 7]), [1, 1]);
  });

  it("names segments by the first rule that matches, in TypeScript and in SQL alike", async (t) => {
    assert.equal(segmentOf({ r: 5, f: 5, m: 4 }), "champions");
    assert.equal(segmentOf({ r: 3, f: 4, m: 1 }), "loyal");
    assert.equal(segmentOf({ r: 5, f: 1, m: 5 }), "new");
    assert.equal(segmentOf({ r: 4, f: 3, m: 2 }), "potential_loyalists");
    assert.equal(segmentOf({ r: 2, f: 3, m: 5 }), "at_risk");
    assert.equal(segmentOf({ r: 1, f: 2, m: 5 }), "hibernating");
    assert.equal(segmentOf({ r: 3, f: 2, m: 2 }), "needs_attention");
    const store = await openTestStore(t);
    const sql = `SELECT ${segmentSql({ r: "r", f: "f", m: "m" })} AS segment FROM (SELECT ? AS r, ? AS f, ? AS m) scores`;
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        for (let m = 1; m <= 5; m++) assert.equal((await store.get<{ segment: string }>(sql, [r, f, m]))?.segment, segmentOf({ r, f, m }), `r=${r} f=${f} m=${m}`);
      }
    }
  });
});

describe("computeRfm", () => {
  // customer: day of the last order, orders, net spend (spread evenly over the orders, one a day back).
  const population: Array<[string, number, number, number]> = [
    ["c01", 99, 5, 500],
    ["c02", 98, 1, 20],
    ["c03", 97, 4, 300],
    ["c04", 96, 2, 60],
    ["c05", 80, 3, 90],
    ["c06", 70, 1, 15],
    ["c07", 50, 5, 450],
    ["c08", 40, 1, 10],
    ["c09", 30, 2, 40],
    ["c10", 20, 1, 25],
  ];

  async function shop(t: Parameters<typeof openTestStore>[0]) {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    const events = population.flatMap(([customer, lastDay, orders, spend]) =>
      Array.from({ length: orders }, (_, i) => {
        const id = `${customer}-${i}`;
        const total = spend / orders;
        return orderPlaced({ id, at: at((lastDay - i) * DAY_MINUTES), customer, order: id, lines: [{ product: "P1", quantity: 1, unitPrice: total }], total });
      }),
    );
    events.push(
      // Too old for a 365-day lookback from day 100, and cancelled: neither customer is scored.
      orderPlaced({ id: "old", at: at(-400 * DAY_MINUTES), customer: "c11", order: "old", lines: [{ product: "P1", quantity: 1, unitPrice: 9 }], total: 9 }),
      orderPlaced({ id: "gone", at: at(95 * DAY_MINUTES), customer: "c12", order: "gone", lines: [{ product: "P1", quantity: 1, unitPrice: 9 }], total: 9 }),
      orderCancelled({ id: "gone-x", at: at(95.5 * DAY_MINUTES), order: "gone" }),
    );
    await feed(fn, events);
    return store;
  }

  it("scores the customers with orders in the lookback and names their segments", async (t) => {
    const store = await shop(t);
    const summary = await computeRfm(store, { asOfMs: Date.parse(at(100 * DAY_MINUTES)), lookbackDays: 365 });
    assert.equal(summary.customers, 10);
    const rows = await store.all<{ customer_id: string; r_score: number; f_score: number; m_score: number; segment: string }>(
      "SELECT customer_id, r_score, f_score, m_score, segment FROM customer_rfm ORDER BY customer_id",
    );
    assert.deepEqual(
      rows.map((r) => [r.customer_id, `${r.r_score}${r.f_score}${r.m_score}`, r.segment]),
      [
        ["c01", "555", "champions"],
        ["c02", "512", "new"],
        ["c03", "444", "champions"],
        ["c04", "433", "potential_loyalists"],
        ["c05", "344", "loyal"],
        ["c06", "311", "needs_attention"],
        ["c07", "255", "at_risk"],
        ["c08", "211", "hibernating"],
        ["c09", "133", "at_risk"],
        ["c10", "112", "hibernating"],
      ],
    );
    assert.deepEqual(
      summary.segments.map((s) => [s.segment, s.customers]),
      [
        ["champions", 2],
        ["loyal", 1],
        ["potential_loyalists", 1],
        ["new", 1],
        ["needs_attention", 1],
        ["at_risk", 2],
        ["hibernating", 2],
      ],
    );
    assert.equal(summary.segments[0]?.monetary, 800);
    assert.deepEqual(await segmentCounts(store), summary);
    const c05 = await customerProfile(store, "c05");
    assert.deepEqual(c05?.rfm, { asOf: at(100 * DAY_MINUTES), recencyDays: 20, frequency: 3, monetary: 90, r: 3, f: 4, m: 4, segment: "loyal" });
    assert.equal(c05?.segment, "loyal");
  });

  it("measures recency from the latest event time by default, and replaces the previous run", async (t) => {
    const store = await shop(t);
    await computeRfm(store, { asOfMs: Date.parse(at(1000 * DAY_MINUTES)), lookbackDays: 3650 });
    const summary = await computeRfm(store);
    assert.equal(summary.asOf, at(99 * DAY_MINUTES));
    assert.equal(summary.customers, 10);
    const scored = await store.get<{ n: number }>("SELECT COUNT(*) AS n FROM customer_rfm WHERE customer_id = 'c11'");
    assert.equal(scored?.n, 0);
  });

  it("reports every segment empty before the first run", async (t) => {
    const store = await openTestStore(t);
    const summary = await segmentCounts(store);
    assert.equal(summary.asOf, null);
    assert.ok(summary.segments.every((s) => s.customers === 0 && s.share === 0));
  });
});
