import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveFraudConfig } from "./config.js";
import { cardTestingReason, failedPaymentVelocityReasons, orderVelocityReasons, type Activity, type ActivityAround } from "./velocity-rules.js";

const MINUTE_MS = 60_000;
const config = resolveFraudConfig();

const orders = (customerId: string, ...minutes: number[]): Activity[] =>
  minutes.map((minute, index) => ({ kind: "order", orderId: `o${index}`, customerId, amount: 50, atMs: minute * MINUTE_MS }));
const failures = (customerId: string, amount: number, cards: string[], ...minutes: number[]): Activity[] =>
  minutes.map((minute, index) => ({ kind: "failed", orderId: "o1", customerId, cardFingerprint: cards[index % cards.length] as string, amount, atMs: minute * MINUTE_MS }));

function around(atMinute: number, ofCustomer: Activity[], card?: { fingerprint: string; ofCard: Activity[] }): ActivityAround {
  const result: ActivityAround = { atMs: atMinute * MINUTE_MS, customerId: "c1", ofCustomer, ofCard: card?.ofCard ?? [] };
  if (card) result.cardFingerprint = card.fingerprint;
  return result;
}

describe("order velocity", () => {
  it("fires at minCount orders in the window and weighs more with every order beyond", () => {
    assert.deepEqual(orderVelocityReasons(config, around(12, orders("c1", 0, 4, 8))), []);
    const [four] = orderVelocityReasons(config, around(12, orders("c1", 0, 4, 8, 12)));
    assert.equal(four?.weight, 0.65);
    assert.equal(four?.value, 4);
    const [six] = orderVelocityReasons(config, around(12, orders("c1", 0, 4, 8, 12, 16, 20)));
    assert.equal(six?.weight, 0.85);
    const [many] = orderVelocityReasons(config, around(12, orders("c1", 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20)));
    assert.equal(many?.weight, 0.95, "capped at maxWeight");
  });

  it("does not count orders that no 30-minute window through the event holds together", () => {
    assert.deepEqual(orderVelocityReasons(config, around(60, orders("c1", 0, 20, 40, 60, 80, 100, 120))), [], "one order every 20 minutes");
  });

  it("counts orders per card through their payments, one per order however many attempts", () => {
    const card = "card-x";
    const payments: Activity[] = [0, 3, 6, 9, 12].flatMap((minute, index) => [
      { kind: "failed", orderId: `o${index}`, customerId: `c${index}`, cardFingerprint: card, amount: 80, atMs: minute * MINUTE_MS },
      { kind: "authorized", orderId: `o${index}`, customerId: `c${index}`, cardFingerprint: card, amount: 80, atMs: (minute + 1) * MINUTE_MS },
    ]);
    const reasons = orderVelocityReasons(config, around(13, [], { fingerprint: card, ofCard: payments }));
    assert.equal(reasons.length, 1);
    assert.equal(reasons[0]?.value, 5);
    assert.match(reasons[0]?.detail ?? "", /5 orders paid with card card-x within 30 min/);
  });

  it("can be turned off", () => {
    const off = resolveFraudConfig({ orderVelocity: { enabled: false } });
    assert.deepEqual(orderVelocityReasons(off, around(12, orders("c1", 0, 1, 2, 3, 4, 5))), []);
  });
});

describe("failed payment velocity", () => {
  it("fires per customer and per card, each on its own count", () => {
    const byCustomer = failures("c1", 80, ["a", "b", "c"], 0, 2, 4);
    const reasons = failedPaymentVelocityReasons(config, around(4, byCustomer, { fingerprint: "a", ofCard: byCustomer.filter((f) => f.cardFingerprint === "a") }));
    assert.deepEqual(reasons.map((reason) => [reason.value, reason.weight]), [[3, 0.3]], "three failures by the customer, one on the card");
  });
});

describe("card testing", () => {
  it("fires on small failed payments on many cards in a short window", () => {
    const found = cardTestingReason(config, around(3, failures("c1", 9.5, ["a", "b", "c", "d"], 0, 1, 2, 3)));
    assert.equal(found?.weight, 0.9);
    assert.equal(found?.value, 4);
  });

  it("ignores retries on one card, big amounts, and failures spread out in time", () => {
    assert.equal(cardTestingReason(config, around(3, failures("c1", 9.5, ["a"], 0, 1, 2, 3))), undefined, "one card: a shopper retrying");
    assert.equal(cardTestingReason(config, around(3, failures("c1", 120, ["a", "b", "c", "d"], 0, 1, 2, 3))), undefined, "not small");
    assert.equal(cardTestingReason(config, around(30, failures("c1", 9.5, ["a", "b", "c", "d"], 0, 15, 30, 45))), undefined, "one every 15 minutes");
  });
});
