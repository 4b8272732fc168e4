// The query API over HTTP (Fastify's inject, no socket): start, follow, page and cancel queries; named
// queries; the catalog; errors as {error: {code, message}} with 4xx statuses.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { ShopstreamError } from "../errors/index.js";
import { tempDir } from "../test-support/temp-dir.js";
import { openAnalytics } from "./index.js";
import { NamedQueryStore } from "./named-queries.js";
import { QueryService } from "./query-service.js";
import { registerQueryRoutes } from "./routes.js";
import { writeSampleShop } from "./test-lake.js";

async function openApi(t: TestContext): Promise<FastifyInstance> {
  const dir = tempDir(t, "shopstream-query-api-");
  await writeSampleShop(join(dir, "lake"));
  const engine = await openAnalytics({ lakeDir: join(dir, "lake"), maxConcurrentQueries: 1 });
  const service = new QueryService({ engine, namedQueries: new NamedQueryStore(join(dir, "named-queries.json")) });
  const app = Fastify({ logger: false });
  // The server's mapping of typed errors (src/server/errors.ts), which the server installs for every route.
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error instanceof ShopstreamError) return reply.code(error.httpStatus).send({ error: { code: error.code, message: error.message } });
    return reply.code(error.statusCode ?? 500).send({ error: { code: String(error.code ?? "internal_error").toLowerCase(), message: error.message } });
  });
  await registerQueryRoutes(app, service);
  t.after(async () => {
    await app.close();
    await service.close();
    await engine.close();
  });
  return app;
}

async function call(app: FastifyInstance, method: "GET" | "POST" | "DELETE", url: string, payload?: unknown) {
  const response = await app.inject({ method, url, ...(payload !== undefined && { payload: payload as object }) });
  return { status: response.statusCode, body: response.body === "" ? undefined : response.json() };
}

async function finished(app: FastifyInstance, id: string): Promise<Record<string, unknown>> {
  for (;;) {
    const { body } = await call(app, "GET", `/v1/queries/${id}`);
    if (!["QUEUED", "RUNNING"].includes(body.state)) return body;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("query routes", () => {
  it("starts a query, follows it to SUCCEEDED and pages its typed results", async (t) => {
    const app = await openApi(t);
    const started = await call(app, "POST", "/v1/queries", { sql: "SELECT store_id, revenue FROM store_revenue WHERE dt = DATE '2026-01-05' ORDER BY store_id" });
    assert.equal(started.status, 200);
    assert.deepEqual(Object.keys(started.body), ["queryExecutionId", "state"]);
    const execution = await finished(app, started.body.queryExecutionId);
    assert.equal(execution["state"], "SUCCEEDED");
    const page = await call(app, "GET", `/v1/queries/${started.body.queryExecutionId}/results?maxResults=1`);
    assert.deepEqual(page.body.columns, [{ name: "store_id", type: "VARCHAR" }, { name: "revenue", type: "DECIMAL(38,4)" }]);
    assert.deepEqual(page.body.rows, [["S1", 50]]);
    const rest = await call(app, "GET", `/v1/queries/${started.body.queryExecutionId}/results?nextToken=${page.body.nextToken}`);
    assert.deepEqual([rest.body.rows, rest.body.nextToken], [[["S2", 10]], undefined]);
    const history = await call(app, "GET", "/v1/queries?state=SUCCEEDED");
    assert.equal(history.body.queryExecutions[0].queryExecutionId, started.body.queryExecutionId);
  });

  it("reports a SQL error in the execution, with its position, and cancels with DELETE", async (t) => {
    const app = await openApi(t);
    const bad = await call(app, "POST", "/v1/queries", { sql: "SELECT * FROM nope" });
    const failed = await finished(app, bad.body.queryExecutionId);
    assert.equal(failed["state"], "FAILED");
    assert.deepEqual(failed["error"], {
      code: "invalid_query",
      errorType: "Catalog",
      message: (failed["error"] as { message: string }).message,
      position: { offset: 14, line: 1, column: 15 },
    });
    const results = await call(app, "GET", `/v1/queries/${bad.body.queryExecutionId}/results`);
    assert.equal(results.status, 409);
    assert.equal(results.body.error.code, "query_not_succeeded");

    const endless = await call(app, "POST", "/v1/queries", { sql: "SELECT count(*) FROM range(100000000000) t(x) WHERE x % 7 = 3" });
    const cancelled = await call(app, "DELETE", `/v1/queries/${endless.body.queryExecutionId}`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.state, "CANCELLED");
  });

  it("answers 4xx with {error: {code, message}} for bad requests and unknown ids", async (t) => {
    const app = await openApi(t);
    const noSql = await call(app, "POST", "/v1/queries", {});
    assert.equal(noSql.status, 400);
    assert.match(noSql.body.error.message, /either sql or namedQueryId/);
    const unknown = await call(app, "GET", "/v1/queries/00000000-0000-4000-8000-000000000000");
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, "query_not_found"]);
    assert.equal((await call(app, "GET", "/v1/queries?maxResults=0")).status, 400);
    assert.equal((await call(app, "GET", "/v1/queries?state=DONE")).status, 400);
    assert.equal((await call(app, "GET", "/v1/tables/nope")).status, 404);
  });

  it("creates, lists, reads, runs and deletes named queries", async (t) => {
    const app = await openApi(t);
    const created = await call(app, "POST", "/v1/named-queries", { name: "stock", sql: "SELECT count(*) AS n FROM low_stock" });
    assert.equal(created.status, 201);
    const id = created.body.namedQueryId;
    assert.deepEqual((await call(app, "GET", `/v1/named-queries/${id}`)).body, created.body);
    assert.deepEqual((await call(app, "GET", "/v1/named-queries")).body.namedQueries, [created.body]);
    const run = await call(app, "POST", "/v1/queries", { namedQueryId: id });
    await finished(app, run.body.queryExecutionId);
    assert.deepEqual((await call(app, "GET", `/v1/queries/${run.body.queryExecutionId}/results`)).body.rows, [[2]]);
    assert.equal((await call(app, "DELETE", `/v1/named-queries/${id}`)).status, 204);
    assert.equal((await call(app, "GET", `/v1/named-queries/${id}`)).status, 404);
  });

  it("lists the catalog: tables, views, columns and partitions", async (t) => {
    const app = await openApi(t);
    const { body } = await call(app, "GET", "/v1/tables");
    assert.deepEqual(
      body.tables.map((table: { name: string; kind: string }) => `${table.kind} ${table.name}`),
      [
        "table events",
        "table orders",
        "table order_items",
        "table page_views",
        "table inventory_snapshots",
        "table reviews",
        "table payments",
        "table fraud_alerts",
        "table stock_levels",
        "table low_stock_alerts",
        "view daily_sales",
        "view hourly_sales",
        "view funnel",
        "view top_products",
        "view store_revenue",
        "view latest_inventory",
        "view low_stock",
      ],
    );
    const orders = await call(app, "GET", "/v1/tables/orders");
    assert.deepEqual(orders.body.partitionKeys, ["dt", "hour"]);
    const partitions = await call(app, "GET", "/v1/tables/orders/partitions?maxResults=2");
    assert.deepEqual(partitions.body.partitions.map((partition: { location: string }) => partition.location), [
      "curated/orders/dt=2026-01-05/hour=08/",
      "curated/orders/dt=2026-01-05/hour=09/",
    ]);
    assert.ok(partitions.body.nextToken);
  });
});
