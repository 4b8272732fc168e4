// GET /v1/kpis/views/:view over real HTTP: the KPI views' rows as the lake holds them, newest first; an
// unknown view is a 404 and a bad limit a 400. And `/` says how to build the dashboard when it is not built.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { generateEvents } from "../simulator/index.js";
import { makeTempDir, removeDir } from "../test-support/temp-dir.js";
import { startTestServer, waitFor } from "../test-support/server.js";
import { registerDashboardRoutes } from "./dashboard-routes.js";

describe("GET /v1/kpis/views/:view", () => {
  it("answers a KPI view's columns and rows, matching SQL over the lake", async (t) => {
    const server = await startTestServer(t);
    const events = generateEvents({ seed: 5 }, 1500);
    const posted = await fetch(`${server.url}/v1/events`, { method: "POST", body: events.map((e) => JSON.stringify(e)).join("\n") });
    assert.equal(posted.status, 200);
    const orders = events.filter((e) => e.type === "order_placed").length;
    assert.ok(orders > 0);
    const lakeOrders = async () => Number((await server.pipeline.analytics.query("SELECT count(*) FROM orders")).rows[0]?.[0] ?? 0);
    await waitFor(async () => (await lakeOrders()) === orders, 20_000, "orders in the lake");

    const response = await fetch(`${server.url}/v1/kpis/views/daily_sales?limit=5`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { view: string; columns: Array<{ name: string; type: string }>; rows: unknown[][] };
    assert.equal(body.view, "daily_sales");
    const ordersColumn = body.columns.findIndex((column) => column.name === "orders");
    assert.ok(ordersColumn >= 0 && body.columns.some((column) => column.name === "dt"));
    assert.equal(body.rows.reduce((sum, row) => sum + Number(row[ordersColumn]), 0), orders);

    const hours = (await (await fetch(`${server.url}/v1/kpis/views/hourly_sales?limit=2`)).json()) as { rows: unknown[][]; columns: Array<{ name: string }> };
    assert.ok(hours.rows.length <= 2);
    const start = hours.columns.findIndex((column) => column.name === "hour_start");
    const starts = hours.rows.map((row) => String(row[start]));
    assert.deepEqual(starts, [...starts].sort().reverse(), "newest hour first");

    for (const view of ["funnel", "top_products", "store_revenue", "latest_inventory", "low_stock"]) {
      assert.equal((await fetch(`${server.url}/v1/kpis/views/${view}`)).status, 200, view);
    }
    const unknown = await fetch(`${server.url}/v1/kpis/views/orders`);
    assert.equal(unknown.status, 404, "a lake table is not a KPI view");
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, "not_found");
    assert.equal((await fetch(`${server.url}/v1/kpis/views/daily_sales?limit=0`)).status, 400);
    assert.equal((await fetch(`${server.url}/v1/kpis/views/daily_sales;DROP`)).status, 404);
  });
});

describe("the dashboard's routes", () => {
  it("answer 503 with the build command when the dashboard is not built", async (t) => {
    const dir = makeTempDir();
    t.after(() => removeDir(dir));
    const app = Fastify();
    await registerDashboardRoutes(app, { distDir: dir });
    t.after(() => app.close());
    const json = await app.inject({ method: "GET", url: "/" });
    assert.equal(json.statusCode, 503);
    assert.match(json.json<{ error: { message: string } }>().error.message, /npm run build/);
    const html = await app.inject({ method: "GET", url: "/", headers: { accept: "text/html" } });
    assert.equal(html.statusCode, 503);
    assert.match(html.body, /npm run build/);
    assert.equal((await app.inject({ method: "GET", url: "/assets/..%2Fsecret.js" })).statusCode, 404);
    const features = (await app.inject({ method: "GET", url: "/v1/dashboard/features" })).json<Record<string, boolean>>();
    assert.equal(features["inventory"], false, "no inventory route on this bare app");
  });
});
