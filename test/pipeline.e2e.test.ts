// End to end over real HTTP, SQLite and DuckDB: a seeded batch posted to ingest ends up, exactly, in the
// serving store and in SQL over the Parquet lake; a stop in the middle of the stream loses and duplicates
// nothing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openAnalytics, toRowObjects } from "../src/analytics/index.js";
import type { ShopEvent } from "../src/events/index.js";
import { generateEvents } from "../src/simulator/index.js";
import { startTestServer, waitFor, type TestServer } from "../src/test-support/server.js";
import { tempDir } from "../src/test-support/temp-dir.js";

const cents = (n: number) => Math.round(n * 100);

function expected(events: ShopEvent[]) {
  const orders = events.filter((e) => e.type === "order_placed") as Array<ShopEvent<"order_placed">>;
  return { events: events.length, orders: orders.length, revenueCents: orders.reduce((sum, o) => sum + cents(o.payload.total), 0) };
}

async function postAll(url: string, events: ShopEvent[], batch = 1000): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < events.length; i += batch) {
    const body = events.slice(i, i + batch).map((e) => JSON.stringify(e)).join("\n");
    const res = await fetch(`${url}/v1/events`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body });
    accepted += ((await res.json()) as { accepted: number }).accepted;
  }
  return accepted;
}

async function storeTotals(server: TestServer) {
  const row = await server.pipeline.store.get<{ n: number; revenue: number | null }>("SELECT count(*) AS n, sum(total) AS revenue FROM orders");
  return { orders: Number(row?.n ?? 0), revenueCents: cents(Number(row?.revenue ?? 0)) };
}

async function lakeTotals(lakeDir: string) {
  const engine = await openAnalytics({ lakeDir });
  try {
    const [row] = toRowObjects(
      await engine.query("SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM orders) AS orders, (SELECT sum(total) FROM orders) AS revenue, (SELECT count(DISTINCT event_id) FROM events) AS distinct_events"),
    );
    return { events: Number(row!["events"]), distinctEvents: Number(row!["distinct_events"]), orders: Number(row!["orders"]), revenueCents: cents(Number(row!["revenue"] ?? 0)) };
  } finally {
    await engine.close();
  }
}

describe("the pipeline end to end", () => {
  it("delivers a seeded batch exactly into the serving store and the lake", async (t) => {
    const server = await startTestServer(t);
    const events = generateEvents({ seed: 11 }, 6000);
    const want = expected(events);
    assert.ok(want.orders > 20, "the seeded batch has orders to check");
    const invalid = [{ event_id: "bad-1", type: "order_placed", occurred_at: "2026-01-05T08:00:00Z", payload: { order_id: "x" } }];
    const accepted = await postAll(server.url, [...events, ...(invalid as unknown as ShopEvent[])]);
    assert.equal(accepted, events.length);

    await waitFor(async () => (await storeTotals(server)).orders === want.orders, 20_000, "orders in the serving store");
    assert.deepEqual(await storeTotals(server), { orders: want.orders, revenueCents: want.revenueCents });

    const lakeDir = server.pipeline.paths.lakeDir;
    await waitFor(async () => (await lakeTotals(lakeDir)).events === want.events, 20_000, "events in the lake");
    assert.deepEqual(await lakeTotals(lakeDir), { events: want.events, distinctEvents: want.events, orders: want.orders, revenueCents: want.revenueCents });

    const stats = (await (await fetch(`${server.url}/v1/stats`)).json()) as { store: { orders: number } };
    assert.equal(stats.store.orders, want.orders);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of ["shopstream_function_records_total{function=\"orders\"", "shopstream_stream_lag_records{consumer=", "shopstream_lake_records_total{table=\"orders\"}"]) {
      assert.ok(metrics.includes(name), `metrics include ${name}`);
    }
  });

  it("loses and duplicates nothing across a stop in the middle of the stream", async (t) => {
    const dataDir = tempDir(t);
    const events = generateEvents({ seed: 12 }, 8000);
    const want = expected(events);

    const first = await startTestServer(t, { dataDir });
    assert.equal(await postAll(first.url, events.slice(0, 5000)), 5000);
    await first.stop(); // consumers are mid-stream: lag is not zero yet

    const second = await startTestServer(t, { dataDir });
    assert.equal(await postAll(second.url, events.slice(5000)), 3000);
    await waitFor(async () => (await storeTotals(second)).orders === want.orders, 20_000, "orders after restart");
    await waitFor(async () => (await lakeTotals(second.pipeline.paths.lakeDir)).distinctEvents === want.events, 20_000, "lake after restart");
    assert.deepEqual(await storeTotals(second), { orders: want.orders, revenueCents: want.revenueCents });
    await second.stop();
    const lake = await lakeTotals(second.pipeline.paths.lakeDir);
    assert.deepEqual(lake, { events: want.events, distinctEvents: want.events, orders: want.orders, revenueCents: want.revenueCents }, "every accepted event is in the lake once");
  });
});
