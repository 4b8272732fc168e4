import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import type { CuratedEvent } from "../../events/index.js";
import { coreMigrations, migrate, SqliteStore, type ServingStore } from "../../store/index.js";
import { SqliteStream, type Stream } from "../../stream/index.js";
import { failingOnce } from "../test-support/harness.js";
import { makeTempDir, removeDir } from "../../test-support/temp-dir.js";
import type { BatchContext, BuiltinFunction, CheckpointRef, DecodedRecord } from "../types.js";
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

const SHARD = "shardId-000000000000";
const CREATED_AT_MS = Date.UTC(2026, 0, 6);
const CHECKPOINT: CheckpointRef = { consumer: "orders", stream: "curated", shardId: SHARD, sequenceNumber: "49000000000000000000000000000000000000000000000000000042" };

/** A curated stream of one shard, closed before its dir is removed. */
async function openCurated(t: TestContext): Promise<SqliteStream> {
  const dir = makeTempDir("shopstream-orders-stream-");
  const stream = new SqliteStream({ path: join(dir, "stream.db") });
  await stream.ensureStream("curated", { shardCount: 1 });
  t.after(async () => {
    await stream.close();
    removeDir(dir);
  });
  return stream;
}

/** The events as stream records numbered from `first`: the same numbers make a replay, others a re-sent copy. */
function records(events: CuratedEvent[], first = 0): DecodedRecord<CuratedEvent>[] {
  return events.map((value, i) => ({ sequenceNumber: String(first + i), partitionKey: "c-1", approximateArrivalTimestamp: 0, value }));
}

async function derived(stream: Stream): Promise<CuratedEvent[]> {
  const { records: read } = await stream.read("curated", SHARD, { type: "TRIM_HORIZON" }, 1_000);
  return read.map((record) => JSON.parse(Buffer.from(record.data).toString("utf8")) as CuratedEvent);
}

/** Reserves 8 of p-1 (available 2: an alert), pays for it, and delivers 5 of p-2. */
const stockBatch = (): CuratedEvent[] => [
  placed("s-e1", "s-o1", [{ product_id: "p-1", quantity: 8, unit_price: 10 }, { product_id: "p-2", quantity: 1, unit_price: 40 }]),
  payment("s-e2", "s-o1"),
  event("replenishment_delivered", "s-e3", { store_id: "s-1", product_id: "p-2", quantity: 5 }),
];

describe("the orders function's derived events", () => {
  it("appends one stock_level per store and product the batch changed, and its low-stock alerts, with the checkpoint", async (t) => {
    const store = await openStore(t);
    const stream = await openCurated(t);
    const fn = createOrdersFunction(store, { stream, clock: () => CREATED_AT_MS });
    const batch = stockBatch();
    await fn.handleBatch(records(batch), { ...context, checkpoint: CHECKPOINT });

    const events = await derived(stream);
    assert.deepEqual(
      events.map((e) => [e.type, e.event_id]),
      [
        ["low_stock_alert", "low-stock:s-e1:s-1:p-1"],
        ["stock_level", "stock-level:s-e2:s-1:p-1"],
        ["stock_level", "stock-level:s-e3:s-1:p-2"],
      ],
      "one level per pair, after the batch, in the order of the records that left it",
    );
    assert.deepEqual(events[2], {
      event_id: "stock-level:s-e3:s-1:p-2",
      type: "stock_level",
      occurred_at: batch[2]!.occurred_at,
      ingested_at: new Date(CREATED_AT_MS).toISOString(),
      source: "orders",
      store_id: "s-1",
      product_id: "p-2",
      payload: {
        store_id: "s-1",
        product_id: "p-2",
        on_hand: 14,
        reserved: 0,
        available: 14,
        reorder_point: 3,
        target_level: 20,
        moves: 3,
        last_event_id: "s-e3",
        last_event_type: "replenishment_delivered",
      },
    });
    assert.deepEqual(events[1]?.payload, {
      store_id: "s-1",
      product_id: "p-1",
      on_hand: 2,
      reserved: 0,
      available: 2,
      reorder_point: 3,
      target_level: 20,
      moves: 2,
      last_event_id: "s-e2",
      last_event_type: "payment_authorized",
    });
    assert.deepEqual(events[0]?.payload, { alert_id: "low-stock:s-e1:s-1:p-1", trigger_event_id: "s-e1", store_id: "s-1", product_id: "p-1", available: 2, reorder_point: 3 });
    assert.equal(await stream.getCheckpoint("orders", "curated", SHARD), CHECKPOINT.sequenceNumber, "the checkpoint committed with them");

    // Moves that change nothing derive nothing: a payment for a rejected order, a delivery of an unstocked product.
    await fn.handleBatch(
      records([
        placed("s-e4", "s-o2", [{ product_id: "p-404", quantity: 1, unit_price: 1 }]),
        payment("s-e5", "s-o2"),
        event("replenishment_delivered", "s-e6", { store_id: "s-1", product_id: "p-404", quantity: 5 }),
        event("page_view", "s-e7", { session_id: "x", page: "/" }),
      ], 10),
      context,
    );
    assert.equal((await derived(stream)).length, 3);
  });

  it("appends them exactly once when the batch died between the store commit and the append", async (t) => {
    const store = await openStore(t);
    const stream = await openCurated(t);
    const fn = createOrdersFunction(store, { stream: failingOnce(stream), clock: () => CREATED_AT_MS });
    const batch = records(stockBatch());
    await assert.rejects(fn.handleBatch(batch, { ...context, checkpoint: CHECKPOINT }), /stream unavailable/);
    assert.equal((await store.all("SELECT level_id FROM stock_levels")).length, 2, "the store committed the levels");
    assert.deepEqual(await derived(stream), []);
    assert.equal(await stream.getCheckpoint("orders", "curated", SHARD), undefined);

    // The replay finds its events processed, changes no stock, and appends what the first attempt derived.
    await fn.handleBatch(batch, { ...context, checkpoint: CHECKPOINT });
    const events = await derived(stream);
    assert.deepEqual(events.map((e) => e.event_id), ["low-stock:s-e1:s-1:p-1", "stock-level:s-e2:s-1:p-1", "stock-level:s-e3:s-1:p-2"]);
    assert.equal((events[1]?.payload as { on_hand: number }).on_hand, 2, "the level after the first attempt, not a second move");
    assert.deepEqual(await level(store), { on_hand: 2, reserved: 0 });
    assert.equal(await stream.getCheckpoint("orders", "curated", SHARD), CHECKPOINT.sequenceNumber);

    // A producer's re-sent copy of an event comes in another record: it is a duplicate and derives nothing.
    await fn.handleBatch(records([payment("s-e2", "s-o1")], 100), context);
    assert.equal((await derived(stream)).length, 3);
  });

  it("appends one level per pair when a replayed batch mixes records processed before the crash with new ones", async (t) => {
    const store = await openStore(t);
    const stream = await openCurated(t);
    const fn = createOrdersFunction(store, { stream: failingOnce(stream), clock: () => CREATED_AT_MS });
    const first = stockBatch();
    await assert.rejects(fn.handleBatch(records(first), { ...context, checkpoint: CHECKPOINT }), /stream unavailable/);
    // The retry reads further: one more order for p-1.
    await fn.handleBatch(records([...first, placed("s-e4", "s-o2", [{ product_id: "p-1", quantity: 1, unit_price: 10 }])]), { ...context, checkpoint: CHECKPOINT });
    const levels = (await derived(stream)).filter((e) => e.type === "stock_level");
    assert.deepEqual(levels.map((e) => e.event_id), ["stock-level:s-e3:s-1:p-2", "stock-level:s-e4:s-1:p-1"]);
    assert.deepEqual(
      levels.map((e) => (e.payload as { available: number }).available),
      [14, 1],
      "p-1 as the whole batch left it",
    );
  });

  it("keeps the levels in the serving store when it has no stream to append to", async (t) => {
    const store = await openStore(t);
    await createOrdersFunction(store).handleBatch(records(stockBatch()), context);
    assert.deepEqual(await store.all("SELECT level_id, on_hand, reserved, moves FROM stock_levels ORDER BY level_id"), [
      { level_id: "stock-level:s-e2:s-1:p-1", on_hand: 2, reserved: 0, moves: 2 },
      { level_id: "stock-level:s-e3:s-1:p-2", on_hand: 14, reserved: 0, moves: 3 },
    ]);
  });
});

describe("a payment that arrives before its order", () => {
  for (const [outcome, status, after] of [
    ["authorized", "paid", { on_hand: 7, reserved: 0 }],
    ["failed", "payment_failed", { on_hand: 10, reserved: 0 }],
  ] as const) {
    it(`is remembered, and applied when the order is placed: ${outcome} → ${status}`, async (t) => {
      const store = await openStore(t);
      const fn = createOrdersFunction(store);
      const early = payment("p-e1", "p-o1", outcome === "failed");
      await run(fn, early);
      assert.equal(await order(store, "p-o1"), undefined);
      assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 }, "nothing to take stock from yet");

      const order1 = placed("p-e2", "p-o1", [{ product_id: "p-1", quantity: 3, unit_price: 10 }]);
      await run(fn, order1);
      assert.equal((await order(store, "p-o1"))?.status, status);
      assert.deepEqual(await level(store), after);
      assert.deepEqual(await store.all("SELECT event_id FROM early_payments"), [], "applied once, then forgotten");

      await run(fn, early, order1);
      await run(fn, early);
      assert.equal((await order(store, "p-o1"))?.status, status, "a replay changes nothing");
      assert.deepEqual(await level(store), after);
    });
  }

  it("applies several early outcomes in event-time order, as if they had come after the order", async (t) => {
    const store = await openStore(t);
    const fn = createOrdersFunction(store);
    const failed = payment("q-e1", "q-o1", true);
    const authorized = payment("q-e2", "q-o1");
    await run(fn, authorized, failed); // delivered newest first
    await run(fn, placed("q-e3", "q-o1", [{ product_id: "p-1", quantity: 2, unit_price: 10 }]));
    assert.equal((await order(store, "q-o1"))?.status, "payment_failed", "the failure came first; the later authorization finds no reservation, as in order");
    assert.deepEqual(await level(store), { on_hand: 10, reserved: 0 });
  });
});
