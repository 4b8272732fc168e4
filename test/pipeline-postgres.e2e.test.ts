// The pipeline with its serving store on PostgreSQL (store.backend: postgres): a seeded batch posted to
// ingest ends up exactly in the pipeline's schema, the HTTP APIs that read the store answer from it, and
// what was committed is still there after the pipeline stops.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ShopEvent } from "../src/events/index.js";
import { generateEvents } from "../src/simulator/index.js";
import { PostgresStore } from "../src/store/index.js";
import { postgres, POSTGRES_URL } from "../src/test-support/backends.js";
import { dropSchemaAfter, uniqueSchemaName } from "../src/test-support/postgres-store.js";
import { startTestServer, waitFor } from "../src/test-support/server.js";

const cents = (n: number) => Math.round(n * 100);

describe("the pipeline on PostgreSQL", { skip: (await postgres()).skip }, () => {
  it("writes a seeded batch exactly into its schema, serves it, and keeps it after a stop", async (t) => {
    const schema = uniqueSchemaName("e2e");
    const yaml = [
      "simulator: { ratePerSec: 0 }",
      "server: { port: 0 }",
      "dispatch: { enabled: false }",
      "store:",
      "  backend: postgres",
      "  postgres:",
      `    url: \${env:SHOPSTREAM_TEST_POSTGRES_URL:-${POSTGRES_URL}}`,
      `    schema: ${schema}`,
      "    poolSize: 4",
      "",
    ].join("\n");
    const server = await startTestServer(t, { yaml });
    dropSchemaAfter(t, schema); // registered after the server's hook: runs once the pipeline has stopped
    assert.equal(server.pipeline.store.dialect, "postgres");

    const events = generateEvents({ seed: 21 }, 5000);
    const orders = events.filter((e) => e.type === "order_placed") as Array<ShopEvent<"order_placed">>;
    const want = { orders: orders.length, revenueCents: orders.reduce((sum, o) => sum + cents(o.payload.total), 0) };
    assert.ok(want.orders > 20, "the seeded batch has orders to check");
    const body = events.map((e) => JSON.stringify(e)).join("\n");
    const posted = await fetch(`${server.url}/v1/events`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body });
    assert.equal(((await posted.json()) as { accepted: number }).accepted, events.length);

    const totals = async (store: { get: PostgresStore["get"] }) => {
      const row = await store.get<{ n: number; revenue: number | null }>("SELECT count(*) AS n, sum(total) AS revenue FROM orders");
      return { orders: Number(row?.n ?? 0), revenueCents: cents(Number(row?.revenue ?? 0)) };
    };
    await waitFor(async () => (await totals(server.pipeline.store)).orders === want.orders, 30_000, "orders in PostgreSQL");
    assert.deepEqual(await totals(server.pipeline.store), want);

    const stats = (await (await fetch(`${server.url}/v1/stats`)).json()) as { store: { orders: number; revenue: number } };
    assert.equal(stats.store.orders, want.orders);
    assert.equal(cents(stats.store.revenue), want.revenueCents);
    for (const path of ["/v1/inventory?limit_products=5", "/v1/inventory/low-stock", "/v1/customers/top", "/v1/customers/segments", "/v1/kpis/minute", "/v1/funnel", "/v1/cohorts", "/v1/fraud/summary", "/v1/fraud/alerts"]) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    }
    const inventory = (await (await fetch(`${server.url}/v1/inventory?limit_products=5`)).json()) as { cells: unknown[] };
    assert.ok(inventory.cells.length > 0);
    const planning = await fetch(`${server.url}/v1/planning/run`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(planning.status, 200, await planning.clone().text());

    await server.stop();
    // The data outlives the process: another node (here, a plain store) reads the same schema.
    const reader = await PostgresStore.open({ url: POSTGRES_URL, schema, poolSize: 1 });
    try {
      assert.deepEqual(await totals(reader), want);
      const processed = await reader.get<{ n: number }>("SELECT count(*) AS n FROM processed_events WHERE consumer = 'orders'");
      assert.ok(Number(processed?.n) >= want.orders);
    } finally {
      await reader.close();
    }
  });
});
