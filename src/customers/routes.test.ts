// The customer analytics API over HTTP (Fastify's inject, no socket): each route's JSON, query-string
// checks answering 400, and an unknown customer answering 404.
import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { ShopstreamError } from "../errors/index.js";
import { createCustomersFunction } from "./customers-function.js";
import { registerCustomerRoutes } from "./routes.js";
import { at, feed, openTestStore, orderPlaced, pageView, paymentAuthorized, T0_MS } from "./test-support.js";

async function openApi(t: TestContext): Promise<FastifyInstance> {
  const store = await openTestStore(t);
  const fn = createCustomersFunction({ store });
  await feed(fn, [
    pageView({ id: "1", at: at(0), session: "s1", customer: "c1" }),
    orderPlaced({ id: "2", at: at(1), session: "s1", customer: "c1", order: "o1", lines: [{ product: "P1", category: "books", quantity: 2, unitPrice: 15 }], total: 33 }),
    paymentAuthorized({ id: "3", at: at(1.1), order: "o1" }),
    pageView({ id: "4", at: at(2), session: "s2" }),
  ]);
  const app = Fastify({ logger: false });
  // The server's mapping of typed errors (src/server/errors.ts), which the server installs for every route.
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error instanceof ShopstreamError) return reply.code(error.httpStatus).send({ error: { code: error.code, message: error.message } });
    return reply.code(error.statusCode ?? 500).send({ error: { code: String(error.code ?? "internal_error").toLowerCase(), message: error.message } });
  });
  await registerCustomerRoutes(app, store);
  t.after(() => app.close());
  return app;
}

async function call(app: FastifyInstance, method: "GET" | "POST", url: string, payload?: unknown) {
  const response = await app.inject({ method, url, ...(payload !== undefined && { payload: payload as object }) });
  return { status: response.statusCode, body: response.json() };
}

describe("customer routes", () => {
  it("serves top customers, one customer, and a 404 for a stranger", async (t) => {
    const app = await openApi(t);
    const top = await call(app, "GET", "/v1/customers/top?limit=5");
    assert.equal(top.status, 200);
    assert.deepEqual(
      top.body.customers.map((c: { customerId: string; lifetimeValue: number; favouriteCategories: unknown }) => [c.customerId, c.lifetimeValue, c.favouriteCategories]),
      [["c1", 33, [{ category: "books", spend: 30 }]]],
    );
    const one = await call(app, "GET", "/v1/customers/c1");
    assert.deepEqual([one.status, one.body.orders, one.body.recentSessions.length, one.body.rfm], [200, 1, 1, null]);
    const stranger = await call(app, "GET", "/v1/customers/nobody");
    assert.deepEqual([stranger.status, stranger.body.error.code], [404, "not_found"]);
    assert.equal((await call(app, "GET", "/v1/customers/top?limit=0")).status, 400);
    assert.equal((await call(app, "GET", "/v1/customers/top?by=charm")).status, 400);
  });

  it("recomputes RFM on demand and serves the segment counts", async (t) => {
    const app = await openApi(t);
    const before = await call(app, "GET", "/v1/customers/segments");
    assert.deepEqual([before.status, before.body.asOf, before.body.customers], [200, null, 0]);
    const run = await call(app, "POST", "/v1/customers/rfm", { asOf: at(60) });
    assert.deepEqual([run.status, run.body.asOf, run.body.customers], [200, at(60), 1]);
    const after = await call(app, "GET", "/v1/customers/segments");
    assert.deepEqual(after.body, run.body);
    // Without a body, recency is measured from the latest event time seen.
    const fromLatest = await call(app, "POST", "/v1/customers/rfm");
    assert.deepEqual([fromLatest.status, fromLatest.body.asOf], [200, at(2)]);
    assert.equal((await call(app, "POST", "/v1/customers/rfm", { asOf: "soon" })).status, 400);
  });

  it("serves per-minute KPIs, the funnel and cohorts for a range given as RFC 3339 or epoch ms", async (t) => {
    const app = await openApi(t);
    const kpis = await call(app, "GET", `/v1/kpis/minute?from=${encodeURIComponent(at(0))}&to=${T0_MS + 3 * 60_000}`);
    assert.equal(kpis.status, 200);
    assert.deepEqual(
      kpis.body.minutes.map((m: { minute: string; orders: number; sessions: number }) => [m.minute, m.orders, m.sessions]),
      [
        [at(0), 0, 1],
        [at(1), 1, 0],
        [at(2), 0, 1],
      ],
    );
    assert.deepEqual(kpis.body.totals, { orders: 1, revenue: 33, aov: 33, sessions: 2, convertedSessions: 1, conversion: 0.5 });
    const funnel = await call(app, "GET", "/v1/funnel");
    assert.deepEqual(
      funnel.body.steps.map((s: { step: string; sessions: number }) => s.sessions),
      [2, 0, 0, 0, 0, 0],
    );
    assert.deepEqual(
      funnel.body.steps.map((s: { reached: number }) => s.reached),
      [2, 0, 0, 0, 1, 1],
    );
    const cohorts = await call(app, "GET", "/v1/cohorts");
    assert.deepEqual(cohorts.body, { cohorts: [{ cohort: "2026-01", customers: 1, retention: [{ monthOffset: 0, customers: 1, rate: 1 }] }] });
    const backwards = await call(app, "GET", `/v1/funnel?from=${encodeURIComponent(at(5))}&to=${encodeURIComponent(at(1))}`);
    assert.deepEqual([backwards.status, backwards.body.error.code], [400, "validation_error"]);
    assert.equal((await call(app, "GET", "/v1/kpis/minute?from=yesterday")).status, 400);
  });
});
