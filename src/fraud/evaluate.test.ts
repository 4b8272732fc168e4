import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateDetection, type LabelledEvent } from "./evaluate.js";

const order = (orderId: string, simulation?: Record<string, string>): LabelledEvent => ({
  type: "order_placed",
  payload: simulation ? { order_id: orderId, simulation } : { order_id: orderId },
});
const failedPayment = (orderId: string, simulation: Record<string, string>): LabelledEvent => ({ type: "payment_failed", payload: { order_id: orderId, simulation } });

describe("evaluating detection against the simulator's labels", () => {
  const events: LabelledEvent[] = [
    // A velocity case with three orders, a card-testing case, a country-mismatch case.
    ...["v1", "v2", "v3"].map((orderId) => order(orderId, { case_id: "fc-1", fraud_pattern: "velocity" })),
    order("t1", { case_id: "fc-2", fraud_pattern: "card_testing" }),
    failedPayment("t1", { case_id: "fc-2", fraud_pattern: "card_testing" }),
    order("m1", { case_id: "fc-3", fraud_pattern: "country_mismatch" }),
    // Honest orders: a look-alike and organic ones.
    order("l1", { case_id: "fc-4", benign_lookalike: "traveller" }),
    order("h1"),
    order("h2"),
    { type: "page_view", payload: { session_id: "s1", simulation: { case_id: "fc-5", fraud_pattern: "velocity" } } },
  ];

  it("counts a fraud case once however many of its orders are flagged, and each flagged honest order", () => {
    const quality = evaluateDetection(events, [{ orderId: "v2" }, { orderId: "v3" }, { orderId: "t1" }, { orderId: "l1" }, { orderId: "h2" }]);
    assert.equal(quality.fraudCases, 3, "a case that never reached an order does not count");
    assert.equal(quality.detectedCases, 2);
    assert.equal(quality.recall, 2 / 3);
    assert.equal(quality.flaggedHonestOrders, 2);
    assert.equal(quality.precision, 2 / 4);
    assert.deepEqual(quality.byPattern.velocity, { cases: 1, detected: 1 });
    assert.deepEqual(quality.byPattern.country_mismatch, { cases: 1, detected: 0 });
    assert.equal(quality.flaggedHonestBySource.traveller, 1);
    assert.equal(quality.flaggedHonestBySource.organic, 1);
    assert.equal(quality.honestOrders, 3);
  });

  it("leaves precision undefined (NaN) when nothing is flagged", () => {
    const quality = evaluateDetection(events, []);
    assert.ok(Number.isNaN(quality.precision));
    assert.equal(quality.recall, 0);
  });
});
