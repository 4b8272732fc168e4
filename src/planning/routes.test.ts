// The dashboard's inventory and fleet routes over real HTTP on a real pipeline: the shapes the dashboard
// codes against, the orderings, the query-string checks, and derived reorder levels reaching the orders
// function's real-time low-stock alerts.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { writeLakeObject } from "../analytics/test-lake.js";
import { generateCatalog } from "../simulator/index.js";
import { startTestServer, waitFor, type TestServer } from "../test-support/server.js";

const BASE = "simulator:\n  ratePerSec: 0\nserver:\n  port: 0\n";

async function getJson(server: TestServer, path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: await response.json() };
}

async function expectValidationError(server: TestServer, path: string): Promise<void> {
  const { status, body } = await getJson(server, path);
  assert.equal(status, 400, path);
  assert.equal(body.error.code, "validation_error", path);
}

describe("GET /v1/trucks", () => {
  it("lists depots, stores and every truck idle at its depot, with empty happenings", async (t) => {
    const server = await startTestServer(t, { yaml: BASE });
    await server.pipeline.dispatcher.stop();
    const catalog = generateCatalog(server.pipeline.config.simulator.catalogSeed);
    const { status, body } = await getJson(server, "/v1/trucks");
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), ["at", "depots", "recent", "stores", "totals", "trucks"]);
    assert.ok(!Number.isNaN(Date.parse(body.at)));
    assert.deepEqual(body.depots[0], { depot_id: catalog.depots[0]!.depot_id, name: catalog.depots[0]!.name, lat: catalog.depots[0]!.lat, lon: catalog.depots[0]!.lon });
    assert.equal(body.stores.length, catalog.stores.length);
    assert.equal(body.trucks.length, catalog.depots.length * server.pipeline.config.dispatch.trucksPerDepot);
    assert.deepEqual(body.trucks[0], {
      truck_id: `${catalog.depots[0]!.depot_id}-truck-1`,
      depot_id: catalog.depots[0]!.depot_id,
      state: "idle",
      lat: catalog.depots[0]!.lat,
      lon: catalog.depots[0]!.lon,
      load_units: 0,
    });
    assert.deepEqual(body.recent, []);
    assert.deepEqual(body.totals, { dispatched: 0, arrived: 0, delivered_units: 0 });
    await expectValidationError(server, "/v1/trucks?verbose=1");
  });
});

describe("GET /v1/inventory and /v1/inventory/low-stock", () => {
  it("answers a stores × products grid, most-below products first, and the low-stock list furthest below first", async (t) => {
    const server = await startTestServer(t, { yaml: BASE });
    const { store } = server.pipeline;
    const catalog = generateCatalog(server.pipeline.config.simulator.catalogSeed);
    const [s1, s2, s3] = catalog.stores;
    assert.ok(s1 && s2 && s3);
    // Every shelf comfortably stocked, then three store products pushed under their reorder point.
    await store.run("UPDATE inventory SET on_hand = reorder_point + 10, reserved = 0");
    const [pA, pB] = [catalog.products[7]!.product_id, catalog.products[3]!.product_id];
    const setLevel = (storeId: string, productId: string, onHand: number, reserved: number, reorderPoint: number) =>
      store.run("UPDATE inventory SET on_hand = ?, reserved = ?, reorder_point = ? WHERE store_id = ? AND product_id = ?", [onHand, reserved, reorderPoint, storeId, productId]);
    await setLevel(s1.store_id, pA, 3, 1, 10); // available 2, 8 below
    await setLevel(s2.store_id, pA, 9, 0, 10); // available 9, 1 below
    await setLevel(s3.store_id, pB, 0, 0, 30); // available 0, 30 below
    await store.run(
      "INSERT INTO low_stock_alerts (alert_id, event_id, store_id, product_id, available, reorder_point, occurred_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ["test-alert", "ev-test", s3.store_id, pB, 0, 30, "2026-03-02T10:00:00.000Z", Date.now()],
    );

    const grid = await getJson(server, "/v1/inventory?limit_products=3");
    assert.equal(grid.status, 200);
    assert.deepEqual(Object.keys(grid.body).sort(), ["cells", "products", "stores"]);
    const firstOther = catalog.products.map((p) => p.product_id).filter((id) => id !== pA && id !== pB).sort()[0];
    assert.deepEqual(grid.body.products, [pA, pB, firstOther], "two stores below, one below, then by product_id");
    assert.deepEqual(grid.body.stores, catalog.stores.map((s) => s.store_id).sort());
    assert.equal(grid.body.cells.length, catalog.stores.length * 3);
    const cell = grid.body.cells.find((c: { store_id: string; product_id: string }) => c.store_id === s1.store_id && c.product_id === pA);
    assert.deepEqual(cell, {
      store_id: s1.store_id,
      product_id: pA,
      on_hand: 3,
      reserved: 1,
      available: 2,
      reorder_point: 10,
      target_level: cell.target_level,
      reorder_source: "configured",
    });
    const defaults = await getJson(server, "/v1/inventory");
    assert.equal(defaults.body.products.length, 40, "40 products by default");

    const one = await getJson(server, `/v1/inventory?store_id=${s2.store_id}&limit_products=2`);
    assert.deepEqual(one.body.stores, [s2.store_id]);
    assert.deepEqual(one.body.products[0], pA);
    assert.equal(one.body.cells.length, 2);

    const low = await getJson(server, "/v1/inventory/low-stock");
    assert.equal(low.status, 200);
    assert.deepEqual(low.body.items, [
      { store_id: s3.store_id, product_id: pB, available: 0, reorder_point: 30, target_level: low.body.items[0].target_level, since: "2026-03-02T10:00:00.000Z" },
      { store_id: s1.store_id, product_id: pA, available: 2, reorder_point: 10, target_level: low.body.items[1].target_level, since: null },
      { store_id: s2.store_id, product_id: pA, available: 9, reorder_point: 10, target_level: low.body.items[2].target_level, since: null },
    ]);
    assert.equal((await getJson(server, "/v1/inventory/low-stock?limit=2")).body.items.length, 2);

    assert.equal((await getJson(server, "/v1/inventory?store_id=NOPE")).status, 404);
    await expectValidationError(server, "/v1/inventory?limit_products=0");
    await expectValidationError(server, "/v1/inventory?limit_products=2.5");
    await expectValidationError(server, "/v1/inventory?limit_products=1&limit_products=2");
    await expectValidationError(server, "/v1/inventory?store=S001");
    await expectValidationError(server, "/v1/inventory/low-stock?limit=abc");
    await expectValidationError(server, "/v1/inventory/low-stock?limit=100000");
  });

  it("shows derived reorder levels after a refresh, and the orders function alerts against them", async (t) => {
    const server = await startTestServer(t, { yaml: `${BASE}inventory:\n  reorderPolicy: { refreshIntervalSec: 0, demandWindowDays: 2, leadTimeDays: 1, safetyFactor: 0, reviewDays: 1 }\n` });
    const { pipeline } = server;
    const catalog = generateCatalog(pipeline.config.simulator.catalogSeed);
    const shop = catalog.stores[0]!;
    const product = catalog.products.find((p) => p.product_id === shop.inventory[0]!.product_id)!;
    // 60 units a day for two days: avg 60, lead 1 day, no safety stock → reorder point 60, target 120.
    const nowMs = Date.now();
    for (const hoursBefore of [1, 25]) {
      const occurredAt = new Date(nowMs - hoursBefore * 3_600_000).toISOString();
      await writeLakeObject(join(server.dataDir, "lake"), "order_items", { dt: occurredAt.slice(0, 10), hour: occurredAt.slice(11, 13) }, [
        { order_id: `lake-${hoursBefore}`, line_no: 1, product_id: product.product_id, quantity: 60, unit_price: product.price, store_id: shop.store_id, occurred_at: occurredAt, event_id: `lake-ev-${hoursBefore}` },
      ]);
    }
    await pipeline.store.run("UPDATE inventory SET on_hand = reorder_point + 10, reserved = 0");
    const refresh = await pipeline.planning.levels.refresh(nowMs);
    assert.deepEqual([refresh.selling, refresh.derived], [1, 1]);
    await pipeline.store.run("UPDATE inventory SET on_hand = 61, reserved = 0 WHERE store_id = ? AND product_id = ?", [shop.store_id, product.product_id]);
    const grid = await getJson(server, `/v1/inventory?store_id=${shop.store_id}&limit_products=200`);
    const cell = grid.body.cells.find((c: { product_id: string }) => c.product_id === product.product_id);
    assert.deepEqual([cell.reorder_point, cell.target_level, cell.reorder_source], [60, 120, "derived"]);

    // An order of 2 takes available from 61 to 59: across the derived reorder point, so a low-stock alert.
    const response = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        event_id: "ev-cross",
        type: "order_placed",
        occurred_at: new Date().toISOString(),
        payload: {
          order_id: "o-cross",
          customer_id: "C000001",
          store_id: shop.store_id,
          currency: "USD",
          items: [{ product_id: product.product_id, quantity: 2, unit_price: product.price }],
          total: Math.round(2 * product.price * 100) / 100,
        },
      }),
    });
    assert.equal(response.status, 200);
    await waitFor(async () => (await getJson(server, "/v1/inventory/low-stock")).body.items.length > 0, 15_000, "the order processed");
    const { items } = (await getJson(server, "/v1/inventory/low-stock")).body;
    assert.equal(items.length, 1, "the only store product below its reorder point");
    const [item] = items;
    assert.deepEqual([item.store_id, item.product_id, item.available, item.reorder_point, item.target_level], [shop.store_id, product.product_id, 59, 60, 120]);
    assert.notEqual(item.since, null);
    const alert = await pipeline.store.get<{ reorder_point: number }>("SELECT reorder_point FROM low_stock_alerts WHERE store_id = ? AND product_id = ?", [
      shop.store_id,
      product.product_id,
    ]);
    assert.equal(Number(alert?.reorder_point), 60);
  });
});
