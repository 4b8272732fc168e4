// Sessionization: inactivity splits a session_id, late events extend the session they fall next to,
// events without a session_id join the customer's session, and payments reach the session of their order.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ServingStore } from "../store/index.js";
import { createCustomersFunction } from "./customers-function.js";
import { DEFAULT_CUSTOMERS_CONFIG } from "./config.js";
import { FUNNEL_STEPS } from "./funnel-steps.js";
import type { SessionRow } from "./session-activity.js";
import { addToCart, at, checkoutStarted, feed, openTestStore, orderPlaced, pageView, paymentAuthorized, productView, T0_MS } from "./test-support.js";


const sessions = (store: ServingStore) => store.all<SessionRow>("SELECT * FROM customer_sessions ORDER BY started_at_ms, session_key");
const minutesAfterT0 = (ms: number) => (ms - T0_MS) / 60_000;
const stepsOf = (mask: number) => FUNNEL_STEPS.filter((_, index) => (mask & (1 << index)) !== 0);

describe("sessions", () => {
  it("starts a new session after more than 30 minutes of inactivity, even with the same session_id", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [
      pageView({ id: "e1", at: at(0), session: "s1" }),
      productView({ id: "e2", at: at(10), session: "s1" }),
      pageView({ id: "e3", at: at(40), session: "s1" }), // exactly 30 minutes quiet: same session
      pageView({ id: "e4", at: at(70.5), session: "s1" }), // 30.5 minutes quiet: a new one
      productView({ id: "e5", at: at(71), session: "s1" }),
    ]);
    const rows = await sessions(store);
    assert.deepEqual(
      rows.map((r) => [r.session_key, r.session_id, minutesAfterT0(r.started_at_ms), minutesAfterT0(r.last_event_at_ms), r.event_count, r.page_views, r.product_views]),
      [
        ["e1", "s1", 0, 40, 3, 2, 1],
        ["e4", "s1", 70.5, 71, 2, 1, 1],
      ],
    );
  });

  it("splits across batches too, and follows the configured gap", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store, config: { ...DEFAULT_CUSTOMERS_CONFIG, sessionGapMinutes: 5 } });
    await feed(fn, [pageView({ id: "e1", at: at(0), session: "s1" })]);
    await feed(fn, [pageView({ id: "e2", at: at(4), session: "s1" })]);
    await feed(fn, [pageView({ id: "e3", at: at(10), session: "s1" })]);
    assert.deepEqual(
      (await sessions(store)).map((r) => [r.session_key, r.event_count]),
      [
        ["e1", 2],
        ["e3", 1],
      ],
    );
  });

  it("lets a late event extend the session it falls next to, without merging two sessions", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [pageView({ id: "e1", at: at(20), session: "s1" }), pageView({ id: "e2", at: at(60), session: "s1" })]);
    // 10:05 is within 30 minutes before the first session; 10:45 bridges both and joins the nearer one.
    await feed(fn, [pageView({ id: "late1", at: at(5), session: "s1" }), pageView({ id: "late2", at: at(45), session: "s1" })]);
    assert.deepEqual(
      (await sessions(store)).map((r) => [r.session_key, minutesAfterT0(r.started_at_ms), minutesAfterT0(r.last_event_at_ms), r.event_count]),
      [
        ["e1", 5, 20, 2],
        ["e2", 45, 60, 2],
      ],
    );
  });

  it("puts an event without a session_id in the customer's current session, or opens one for the customer", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [
      pageView({ id: "e1", at: at(0), session: "s1", customer: "c1" }),
      orderPlaced({ id: "o1", at: at(3), customer: "c1", order: "order-1", lines: [{ product: "P1", quantity: 1, unitPrice: 20 }], total: 20 }),
      orderPlaced({ id: "o2", at: at(90), customer: "c1", order: "order-2", lines: [{ product: "P1", quantity: 1, unitPrice: 30 }], total: 30 }),
    ]);
    const rows = await sessions(store);
    assert.deepEqual(
      rows.map((r) => [r.session_key, r.session_id, r.customer_id, r.event_count, r.orders, r.revenue]),
      [
        ["e1", "s1", "c1", 2, 1, 20],
        ["o2", null, "c1", 1, 1, 30],
      ],
    );
    const profile = await store.get<{ sessions: number }>("SELECT sessions FROM customer_profiles WHERE customer_id = 'c1'");
    assert.equal(profile?.sessions, 2);
  });

  it("ties an anonymous session to the customer who logs in, once, from the session's start", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [pageView({ id: "e1", at: at(0), session: "s1" }), productView({ id: "e2", at: at(1), session: "s1" })]);
    await feed(fn, [checkoutStarted({ id: "e3", at: at(2), session: "s1", customer: "c1" }), addToCart({ id: "e4", at: at(3), session: "s1", customer: "c1" })]);
    const [row] = await sessions(store);
    assert.equal(row?.customer_id, "c1");
    const profile = await store.get<{ sessions: number; first_seen_at_ms: number }>("SELECT sessions, first_seen_at_ms FROM customer_profiles WHERE customer_id = 'c1'");
    assert.deepEqual({ ...profile }, { sessions: 1, first_seen_at_ms: T0_MS });
  });

  it("marks each funnel step the session reached, payments included, whichever comes first", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    const order = (id: string, session: string, orderId: string, minute: number) =>
      orderPlaced({ id, at: at(minute), customer: "c1", session, order: orderId, lines: [{ product: "P1", quantity: 1, unitPrice: 10 }], total: 10 });
    await feed(fn, [
      pageView({ id: "a1", at: at(0), session: "sa" }),
      productView({ id: "a2", at: at(1), session: "sa" }),
      order("a3", "sa", "order-a", 2),
      // The payment for order-b is delivered before its order (another shard, say).
      paymentAuthorized({ id: "b0", at: at(11), order: "order-b" }),
    ]);
    await feed(fn, [paymentAuthorized({ id: "a4", at: at(2.1), order: "order-a" }), pageView({ id: "b1", at: at(10), session: "sb" }), order("b2", "sb", "order-b", 10.5)]);
    const rows = await sessions(store);
    assert.deepEqual(
      rows.map((r) => [r.session_key, stepsOf(r.funnel_steps)]),
      [
        ["a1", ["page_view", "product_view", "order_placed", "payment_authorized"]],
        ["b1", ["page_view", "order_placed", "payment_authorized"]],
      ],
    );
    // A payment is not the visitor's activity: it neither counts as an event nor stretches the session.
    assert.deepEqual(
      rows.map((r) => [r.event_count, minutesAfterT0(r.last_event_at_ms)]),
      [
        [3, 2],
        [2, 10.5],
      ],
    );
  });
});
