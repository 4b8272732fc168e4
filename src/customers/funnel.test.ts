// Funnel conversion per step on a handcrafted set of sessions: strict and open counts, the ratios, and
// the event-time range (sessions count by the minute they started).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCustomersFunction } from "./customers-function.js";
import { funnelConversion } from "./funnel.js";
import { addToCart, at, checkoutStarted, feed, openTestStore, orderPlaced, pageView, paymentAuthorized, productView, T0_MS } from "./test-support.js";

describe("funnelConversion", () => {
  it("counts the sessions that reached each step and every step before it", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [
      // s1: bounce. s2: browses. s3: adds to cart. s4: checks out. s5: orders and pays.
      pageView({ id: "1a", at: at(0), session: "s1" }),
      pageView({ id: "2a", at: at(0), session: "s2" }),
      productView({ id: "2b", at: at(1), session: "s2" }),
      pageView({ id: "3a", at: at(0), session: "s3" }),
      productView({ id: "3b", at: at(1), session: "s3" }),
      addToCart({ id: "3c", at: at(2), session: "s3" }),
      pageView({ id: "4a", at: at(0), session: "s4" }),
      productView({ id: "4b", at: at(1), session: "s4" }),
      addToCart({ id: "4c", at: at(2), session: "s4" }),
      checkoutStarted({ id: "4d", at: at(3), session: "s4", customer: "c4" }),
      pageView({ id: "5a", at: at(0), session: "s5" }),
      productView({ id: "5b", at: at(1), session: "s5" }),
      addToCart({ id: "5c", at: at(2), session: "s5" }),
      checkoutStarted({ id: "5d", at: at(3), session: "s5", customer: "c5" }),
      orderPlaced({ id: "5e", at: at(4), session: "s5", customer: "c5", order: "o5", lines: [{ product: "P1", quantity: 1, unitPrice: 10 }], total: 10 }),
      paymentAuthorized({ id: "5f", at: at(4.1), order: "o5" }),
      // s6 skips the product page (a link straight into the cart): it reached add_to_cart, off the strict path.
      pageView({ id: "6a", at: at(0), session: "s6" }),
      addToCart({ id: "6b", at: at(1), session: "s6" }),
    ]);
    const funnel = await funnelConversion(store);
    assert.equal(funnel.sessions, 6);
    assert.deepEqual(
      funnel.steps.map((s) => [s.step, s.sessions, s.reached]),
      [
        ["page_view", 6, 6],
        ["product_view", 4, 4],
        ["add_to_cart", 3, 4],
        ["checkout_started", 2, 2],
        ["order_placed", 1, 1],
        ["payment_authorized", 1, 1],
      ],
    );
    assert.deepEqual(
      funnel.steps.map((s) => [s.fromPrevious, s.fromFirst]),
      [
        [1, 1],
        [4 / 6, 4 / 6],
        [3 / 4, 3 / 6],
        [2 / 3, 2 / 6],
        [1 / 2, 1 / 6],
        [1, 1 / 6],
      ],
    );
  });

  it("takes the sessions that started in the range, and has no ratios for an empty one", async (t) => {
    const store = await openTestStore(t);
    const fn = createCustomersFunction({ store });
    await feed(fn, [
      pageView({ id: "1a", at: at(0), session: "s1" }),
      pageView({ id: "2a", at: at(59.5), session: "s2" }),
      productView({ id: "2b", at: at(61), session: "s2" }),
      pageView({ id: "3a", at: at(61), session: "s3" }),
    ]);
    const firstHour = await funnelConversion(store, { fromMs: T0_MS, toMs: T0_MS + 3_600_000 });
    assert.deepEqual([firstHour.from, firstHour.to, firstHour.sessions], ["2026-01-05T10:00:00.000Z", "2026-01-05T11:00:00.000Z", 2]);
    assert.deepEqual(firstHour.steps.slice(0, 2).map((s) => s.sessions), [2, 1]);
    const empty = await funnelConversion(store, { fromMs: T0_MS - 3_600_000, toMs: T0_MS });
    assert.deepEqual([empty.sessions, empty.steps[0]?.fromPrevious, empty.steps[1]?.fromFirst], [0, null, null]);
  });
});
