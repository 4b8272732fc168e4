import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import type { CuratedEvent } from "../../events/index.js";
import { coreMigrations, migrate, SqliteStore, type ServingStore } from "../../store/index.js";
import { makeTempDir, removeDir } from "../../test-support/temp-dir.js";
import type { BatchContext, BuiltinFunction } from "../types.js";
import { createOrdersFunction } from "./orders.js";

const context: BatchContext = { functionName: "orders", stream: "curated", shardId: "shardId-000000000000", signal: new AbortController().signal };

/** A store with one product (price 10) stocked at two stores: s-1 (no backorders) and s-bo (backorders). */
async function openStore(t: TestContext, stock = { onHand: 10, reorderPoint: 3 }): Promise<ServingStore> {
  const dir = makeTempDir("shopstream-orders-");
  const store = new SqliteStore({ path: join(dir, "store.db") });
  t.after(async () => {
    await store.close();
    removeDir(dir);
  });
  await migrate(store, coreMigrations);
  await store.run("INSERT INTO products (product_id, name, category, price) VALUES ('p-1', 'Mug', 'home', 10), ('p-2', 'Lamp', 'home', 40)");
  await store.run("INSERT INTO stores (store_id, name, city, region, country, allow_backorder) VALUES ('s-1', 'One', 'A', 'R', 'US', 0), ('s-bo', 'Two', 'B', 'R', 'US', 1)");
  for (const storeId of ["s-1", "s-bo"]) {
    for (const productId of ["p-1", "p-2"]) {
      await store.run("INSERT INTO inventory (store_id, product_id, on_hand, reserved, reorder_point, target_level, updated_at) VALUES (?, ?, ?, 0, ?, 20, 0)", [
        storeId,
        productId,
        stock.onHand,
        stock.reorderPoint,
      ]);
    }
  }
  return store;
}

let seq = 0;
function event(type: CuratedEvent["type"], eventId: string, payload: Record<string, unknown>): CuratedEvent {
  seq++;
  const at = new Date(Date.UTC(2026, 0, 5, 8, 0, seq)).toISOString();
  return { event_id: eventId, type, occurred_at: at, ingested_at: at, payload };
}

function placed(eventId: string, orderId: string, items: Array<{ product_id: string; quantity: number; unit_price?: number }>, storeId = "s-1"): CuratedEvent {
  const total = items.reduce((sum, i) => sum + i.quantity * (i.unit_price ?? 0), 0);
  return event("order_placed", eventId, { order_id: orderId, customer_id: "c-1", store_id: storeId, currency: "USD", items, total });
}

const payment = (eventId: string, orderId: string, failed = false) =>
  event(failed ? "payment_failed" : "payment_authorized", eventId, {
    order_id: orderId,
    payment_id: `pay-${eventId}`,
    amount: 1,
    method: "card",
    ...(failed ? { reason: "card_declined" } : {}),
  });

async function run(fn: BuiltinFunction<CuratedEvent>, ...events: CuratedEvent[]): Promise<void> {
  await fn.handleBatch(
    events.map((value, i) => ({ sequenceNumber: String(i), partitionKey: "c-1", approximateArrivalTimestamp: 0, value })),
    context,
  );
}

async function level(store: ServingStore, productId = "p-1", storeId = "s-1") {
  return store.get<{ on_hand: number; reserved: number }>("SELECT on_hand, reserved FROM inventory WHERE store_id = ? AND product_id = ?", [storeId, productId]);
}

async function order(store: ServingStore, orderId: string) {
  return store.get<{ status: string; validation: string | null; shortfall_units: number }>("SELECT status, validation, shortfall_units FROM orders WHERE order_id = ?", [orderId]);
}

async function alerts(store: ServingStore) {
  return store.all<{ alert_id: string; store_id: string; product_id: string; available: number; reorder_point: number }>(
    "SELECT alert_id, store_id, product_id, available, reorder_point FROM low_stock_alerts ORDER BY created_at, alert_id",
  );
}

describe("the orders function", () => {
  it("keeps a rejected order's row, says why, and leaves inventory alone", async (t) => {
    const store = await openStore(t);
    const fn = createOrdersFunction(store);
    await run(
      fn,
      placed("e-1", "o-unknown", [{ product_id: "p-404", quantity: 1, unit_price: 10 }]),
      placed("e-2", "o-price", [{ product_id: "p-1", quantity: 1, unit_price: 8 }]),
      placed("e-3", "o-qty", [{ product_id: "p-1", quantity: 0, unit_price: 10 }]),
    );
    assert.match((await order(store, "o-unknown"))?.validation ?? "", /^unknown_product line 1/);
    assert.match((await order(store, "o-price"))?.validation ?? "", /^price_mismatch line 1: p-1 charged 8, catalog 10/);
    assert.match((await order(store, "o-qty"))?.validation ?? "", /^invalid_quantity/);
    for (const id of ["o-unknown", "o-price", "o-qty"]) assert.equal((await order(store, id))?.status, "rejected");
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 });
    await run(fn, payment("e-4", "o-price"));
    assert.equal((await order(store, "o-price"))?.status, "rejected", "a payment does not revive a rejected order");
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 });
  });

  it("reserves on placement, commits on payment, and restocks on a cancellation after payment", async (t) => {
    const store = await openStore(t);
    const fn = createOrdersFunction(store);
    await run(fn, placed("e-1", "o-1", [{ product_id: "p-1", quantity: 2, unit_price: 10.05 }, { product_id: "p-2", quantity: 1, unit_price: 40 }]));
    assert.deepEqual(await order(store, "o-1"), { status: "placed", validation: null, shortfall_units: 0 });
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 2 });
    await run(fn, payment("e-2", "o-1"));
    assert.equal((await order(store, "o-1"))?.status, "paid");
    assert.deepEqual(await level(store), { on_hand: 8, reserved: 0 });
    assert.deepEqual(await level(store, "p-2"), { on_hand: 9, reserved: 0 });
    await run(fn, event("order_cancelled", "e-3", { order_id: "o-1" }));
    assert.equal((await order(store, "o-1"))?.status, "cancelled");
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 });
    assert.deepEqual(await level(store, "p-2"), { on_hand: 10, reserved: 0 });
  });

  it("releases the reservation on a failed payment, and a later cancellation changes no stock", async (t) => {
    const store = await openStore(t);
    const fn = createOrdersFunction(store);
    await run(fn, placed("e-1", "o-1", [{ product_id: "p-1", quantity: 3, unit_price: 10 }]), payment("e-2", "o-1", true));
    assert.equal((await order(store, "o-1"))?.status, "payment_failed");
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 });
    await run(fn, event("order_cancelled", "e-3", { order_id: "o-1", reason: "payment_failed" }));
    assert.equal((await order(store, "o-1"))?.status, "cancelled");
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 });
  });

  it("releases the reservation when an unpaid order is cancelled", async (t) => {
    const store = await openStore(t);
    const fn = createOrdersFunction(store);
    await run(fn, placed("e-1", "o-1", [{ product_id: "p-1", quantity: 4, unit_price: 10 }]), event("order_cancelled", "e-2", { order_id: "o-1" }));
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 });
    await run(fn, payment("e-3", "o-1"));
    assert.equal((await order(store, "o-1"))?.status, "cancelled", "a payment after the cancellation takes no stock");
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 });
  });

  it("restocks returns, but never more than the order sold", async (t) => {
    const store = await openStore(t);
    const fn = createOrdersFunction(store);
    await run(fn, placed("e-1", "o-1", [{ product_id: "p-1", quantity: 3, unit_price: 10 }]), payment("e-2", "o-1"));
    await run(fn, event("order_returned", "e-3", { order_id: "o-1", store_id: "s-1", items: [{ product_id: "p-1", quantity: 2 }] }));
    assert.equal((await order(store, "o-1"))?.status, "returned");
    assert.deepEqual(await level(store), { on_hand: 9, reserved: 0 });
    await run(fn, event("order_returned", "e-4", { order_id: "o-1", store_id: "s-1", items: [{ product_id: "p-1", quantity: 5 }] }));
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 }, "only the one unit still out comes back");
    await run(fn, event("order_cancelled", "e-5", { order_id: "o-1" }));
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 }, "a cancellation after a full return restocks nothing");
  });

  it("flags an order the store cannot cover and reserves nothing for the lines it cannot cover", async (t) => {
    const store = await openStore(t);
    const fn = createOrdersFunction(store);
    await run(fn, placed("e-1", "o-1", [{ product_id: "p-1", quantity: 12, unit_price: 10 }, { product_id: "p-2", quantity: 2, unit_price: 40 }]));
    assert.deepEqual(await order(store, "o-1"), { status: "short", validation: null, shortfall_units: 12 });
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 });
    assert.deepEqual(await level(store, "p-2"), { on_hand: 10, reserved: 2 });
    await run(fn, payment("e-2", "o-1"));
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 }, "stock never goes negative");
    assert.deepEqual(await level(store, "p-2"), { on_hand: 8, reserved: 0 });
  });

  it("backorders beyond stock where the store allows it, recording the shortfall", async (t) => {
    const store = await openStore(t);
    const fn = createOrdersFunction(store);
    await run(fn, placed("e-1", "o-1", [{ product_id: "p-1", quantity: 12, unit_price: 10 }], "s-bo"));
    assert.deepEqual(await order(store, "o-1"), { status: "backordered", validation: null, shortfall_units: 2 });
    const line = await store.get<{ reserved: number; shortfall: number }>("SELECT reserved, shortfall FROM order_items WHERE order_id = 'o-1'");
    assert.deepEqual(line, { reserved: 10, shortfall: 2 });
    await run(fn, payment("e-2", "o-1"));
    assert.deepEqual(await level(store, "p-1", "s-bo"), { on_hand: 0, reserved: 0 });
  });

  it("raises one low-stock alert when available falls below the reorder point, and none on a replay", async (t) => {
    const store = await openStore(t);
    const fn = createOrdersFunction(store);
    const first = placed("e-1", "o-1", [{ product_id: "p-1", quantity: 7, unit_price: 10 }]);
    await run(fn, first);
    assert.deepEqual(await alerts(store), [], "available 3 is not below the reorder point 3");
    const second = placed("e-2", "o-2", [{ product_id: "p-1", quantity: 1, unit_price: 10 }]);
    await run(fn, second, payment("e-3", "o-2"));
    assert.deepEqual(await alerts(store), [{ alert_id: "low-stock:e-2:s-1:p-1", store_id: "s-1", product_id: "p-1", available: 2, reorder_point: 3 }]);
    await run(fn, placed("e-4", "o-3", [{ product_id: "p-1", quantity: 1, unit_price: 10 }]));
    assert.equal((await alerts(store)).length, 1, "already below: no new alert");
    await run(fn, first, second, payment("e-3", "o-2"));
    assert.equal((await alerts(store)).length, 1);
    assert.deepEqual(await level(store), { on_hand: 9, reserved: 8 }, "a replayed batch changes nothing");
  });

  it("alerts again after a delivery lifts the level back over the reorder point", async (t) => {
    const store = await openStore(t, { onHand: 4, reorderPoint: 3 });
    const fn = createOrdersFunction(store);
    await run(fn, placed("e-1", "o-1", [{ product_id: "p-1", quantity: 2, unit_price: 10 }]), payment("e-2", "o-1"));
    await run(fn, event("replenishment_delivered", "e-3", { store_id: "s-1", product_id: "p-1", quantity: 10 }));
    assert.deepEqual(await level(store), { on_hand: 12, reserved: 0 });
    await run(fn, placed("e-4", "o-2", [{ product_id: "p-1", quantity: 10, unit_price: 10 }]));
    assert.deepEqual((await alerts(store)).map((a) => a.alert_id), ["low-stock:e-1:s-1:p-1", "low-stock:e-4:s-1:p-1"]);
  });

  it("keeps the first order under a reused order_id", async (t) => {
    const store = await openStore(t);
    const fn = createOrdersFunction(store);
    await run(fn, placed("e-1", "o-1", [{ product_id: "p-1", quantity: 1, unit_price: 10 }]), placed("e-2", "o-1", [{ product_id: "p-1", quantity: 5, unit_price: 10 }]));
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 1 });
    assert.equal(Number((await store.get<{ n: number }>("SELECT count(*) AS n FROM order_items"))?.n), 1);
  });
});

describe("the core-002 migration", () => {
  it("lets an order placed under core-001, whose stock was taken at once, be cancelled back onto the shelf", async (t) => {
    const dir = makeTempDir("shopstream-orders-");
    const store = new SqliteStore({ path: join(dir, "store.db") });
    t.after(async () => {
      await store.close();
      removeDir(dir);
    });
    await migrate(store, coreMigrations.filter((m) => m.id === "core-001"));
    await store.run("INSERT INTO stores (store_id, name, city, region, country) VALUES ('s-1', 'One', 'A', 'R', 'US')");
    await store.run("INSERT INTO inventory (store_id, product_id, on_hand, reserved, reorder_point, target_level, updated_at) VALUES ('s-1', 'p-1', 8, 0, 3, 20, 0)");
    await store.run(
      "INSERT INTO orders (order_id, event_id, customer_id, store_id, occurred_at, currency, item_count, units, total, status, updated_at) VALUES ('o-old', 'e-old', 'c-1', 's-1', '2026-01-01T00:00:00Z', 'USD', 1, 2, 20, 'placed', 0)",
    );
    await store.run("INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES ('o-old', 1, 'p-1', 2, 10)");
    await migrate(store, coreMigrations);
    assert.equal(Number((await store.get<{ allow_backorder: number }>("SELECT allow_backorder FROM stores"))?.allow_backorder), 0);
    await run(createOrdersFunction(store), event("order_cancelled", "e-1", { order_id: "o-old" }));
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 });
  });
});
