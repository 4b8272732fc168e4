// Customer profiles: orders and lifetime value net of cancellations and returns (returns refund their
// share of the total), first and last seen, favourite categories, the top customers and cohorts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cohorts } from "./cohorts.js";
import { createCustomersFunction } from "./customers-function.js";
import { customerProfile, topCustomers } from "./profile-queries.js";
import { at, feed, openTestStore, orderCancelled, orderPlaced, orderReturned, pageView } from "./test-support.js";

const DAY_MINUTES = 24 * 60;

describe("customer profiles", () => {
  it("keeps orders, lifetime value, first and last seen and favourite categories", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [
      pageView({ id: "v1", at: at(-5), session: "s1", customer: "c1" }),
      // 250 of goods, 25 of tax and shipping.
      orderPlaced({
        id: "o1",
        at: at(0),
        customer: "c1",
        session: "s1",
        order: "order-1",
        lines: [
          { product: "P1", category: "electronics", quantity: 2, unitPrice: 100 },
          { product: "P2", category: "books", quantity: 1, unitPrice: 50 },
        ],
        total: 275,
      }),
      orderPlaced({ id: "o2", at: at(10), customer: "c1", order: "order-2", lines: [{ product: "P3", category: "toys", quantity: 1, unitPrice: 40 }], total: 40 }),
      orderPlaced({ id: "o4", at: at(5), customer: "c2", order: "order-4", lines: [{ product: "P1", category: "electronics", quantity: 1, unitPrice: 500 }], total: 500 }),
    ]);
    await feed(fn, [
      orderCancelled({ id: "x2", at: at(20), order: "order-2" }),
      // One of two P1 back: 100 of 250 in goods, so 40 % of the total.
      orderReturned({ id: "r1", at: at(60), order: "order-1", customer: "c1", items: [{ product: "P1", quantity: 1 }] }),
      orderPlaced({ id: "o3", at: at(35 * DAY_MINUTES), customer: "c1", order: "order-3", lines: [{ product: "P4", category: "garden", quantity: 1, unitPrice: 30 }], total: 30 }),
    ]);
    const c1 = await customerProfile(store, "c1");
    assert.ok(c1);
    assert.deepEqual(
      {
        orders: c1.orders,
        cancelled: c1.cancelledOrders,
        returned: c1.returnedOrders,
        gross: c1.grossRevenue,
        refunds: c1.refunds,
        ltv: c1.lifetimeValue,
        firstSeenAt: c1.firstSeenAt,
        lastSeenAt: c1.lastSeenAt,
        firstOrderAt: c1.firstOrderAt,
        lastOrderAt: c1.lastOrderAt,
      },
      {
        orders: 3,
        cancelled: 1,
        returned: 1,
        gross: 345,
        refunds: 40 + 110,
        ltv: 195,
        firstSeenAt: at(-5),
        lastSeenAt: at(35 * DAY_MINUTES),
        firstOrderAt: at(0),
        lastOrderAt: at(35 * DAY_MINUTES),
      },
    );
    // Net of what came back; the cancelled toys are no favourite.
    assert.deepEqual(c1.favouriteCategories, [
      { category: "electronics", spend: 100 },
      { category: "books", spend: 50 },
      { category: "garden", spend: 30 },
    ]);
    assert.equal(await customerProfile(store, "nobody"), undefined);
  });

  it("applies a return that arrives before its order, and books an order_id once", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    const order = (id: string, total: number) =>
      orderPlaced({ id, at: at(0), customer: "c3", order: "order-5", lines: [{ product: "P2", category: "books", quantity: 2, unitPrice: 20 }], total });
    await feed(fn, [orderReturned({ id: "r5", at: at(30), order: "order-5", items: [{ product: "P2", quantity: 1 }] })]);
    assert.equal((await customerProfile(store, "c3"))?.refunds ?? 0, 0);
    await feed(fn, [order("o5", 44)]);
    await feed(fn, [order("o5-again", 999)]);
    const c3 = await customerProfile(store, "c3");
    assert.deepEqual([c3?.orders, c3?.grossRevenue, c3?.refunds, c3?.lifetimeValue, c3?.returnedOrders], [1, 44, 22, 22, 1]);
    assert.deepEqual(c3?.favouriteCategories, [{ category: "books", spend: 20 }]);
    const parked = await store.get<{ n: number }>("SELECT COUNT(*) AS n FROM customer_order_adjustments");
    assert.equal(parked?.n, 0);
  });

  it("never refunds more than the order total, and ignores returns after a cancellation", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [
      orderPlaced({ id: "o1", at: at(0), customer: "c1", order: "order-1", lines: [{ product: "P1", category: "shoes", quantity: 1, unitPrice: 80 }], total: 90 }),
      orderReturned({ id: "r1", at: at(10), order: "order-1", items: [{ product: "P1", quantity: 1 }] }),
      orderReturned({ id: "r2", at: at(11), order: "order-1", items: [{ product: "P1", quantity: 1 }] }),
      orderPlaced({ id: "o2", at: at(0), customer: "c2", order: "order-2", lines: [{ product: "P1", category: "shoes", quantity: 1, unitPrice: 80 }], total: 90 }),
      orderCancelled({ id: "x2", at: at(5), order: "order-2" }),
      orderReturned({ id: "r3", at: at(10), order: "order-2", items: [{ product: "P1", quantity: 1 }] }),
    ]);
    const [c1, c2] = [await customerProfile(store, "c1"), await customerProfile(store, "c2")];
    assert.deepEqual([c1?.refunds, c1?.lifetimeValue, c1?.favouriteCategories], [90, 0, []]);
    assert.deepEqual([c2?.refunds, c2?.lifetimeValue, c2?.cancelledOrders, c2?.returnedOrders], [90, 0, 1, 0]);
  });

  it("lists the top customers and the monthly first-order cohorts", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    const order = (id: string, customer: string, minute: number, total: number) =>
      orderPlaced({ id, at: at(minute), customer, order: `order-${id}`, lines: [{ product: "P1", category: "books", quantity: 1, unitPrice: total }], total });
    await feed(fn, [
      order("a1", "c1", 0, 100),
      order("a2", "c1", 35 * DAY_MINUTES, 100),
      order("b1", "c2", 10, 500),
      order("c1", "c3", 20, 50),
      order("c2", "c3", 30, 60),
      orderCancelled({ id: "xc2", at: at(40), order: "order-c2" }),
      // c4 first orders in February; its January order was cancelled.
      order("d0", "c4", 5, 70),
      orderCancelled({ id: "xd0", at: at(6), order: "order-d0" }),
      order("d1", "c4", 40 * DAY_MINUTES, 80),
    ]);
    assert.deepEqual(
      (await topCustomers(store, { limit: 3 })).map((c) => [c.customerId, c.lifetimeValue]),
      [
        ["c2", 500],
        ["c1", 200],
        ["c4", 80],
      ],
    );
    assert.deepEqual(
      (await topCustomers(store, { by: "orders" })).map((c) => c.customerId),
      ["c1", "c2", "c4", "c3"],
    );
    assert.deepEqual(await cohorts(store), [
      {
        cohort: "2026-01",
        customers: 3,
        retention: [
          { monthOffset: 0, customers: 3, rate: 1 },
          { monthOffset: 1, customers: 1, rate: 1 / 3 },
        ],
      },
      { cohort: "2026-02", customers: 1, retention: [{ monthOffset: 0, customers: 1, rate: 1 }] },
    ]);
  });
});
