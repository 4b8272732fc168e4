import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveFraudConfig } from "./config.js";
import type { EventFacts } from "./event-facts.js";
import { countryMismatchReason, newAccountHighValueReason } from "./order-rules.js";

const HOUR_MS = 3_600_000;
const PLACED_MS = Date.UTC(2026, 0, 5, 12);
const config = resolveFraudConfig();

function order(total: number, fields: Partial<EventFacts> = {}): EventFacts {
  return {
    eventId: "e1",
    eventType: "order_placed",
    kind: "order",
    occurredAt: new Date(PLACED_MS).toISOString(),
    occurredMs: PLACED_MS,
    orderId: "o1",
    customerId: "c1",
    amount: total,
    ...fields,
  };
}

describe("new account, high value", () => {
  it("fires for an account younger than a day placing an order of 500 or more, heavier as the total doubles", () => {
    const minutesOld = { accountCreatedMs: PLACED_MS - 20 * 60_000 };
    assert.equal(newAccountHighValueReason(config, order(499, minutesOld)), undefined);
    assert.equal(newAccountHighValueReason(config, order(500, minutesOld))?.weight, 0.55);
    assert.equal(newAccountHighValueReason(config, order(1_000, minutesOld))?.weight, 0.75);
    assert.equal(newAccountHighValueReason(config, order(8_000, minutesOld))?.weight, 0.9, "capped at maxWeight");
    assert.match(newAccountHighValueReason(config, order(1_000, minutesOld))?.detail ?? "", /opened 20 min before/);
  });

  it("leaves older accounts, and orders that do not say when the account was opened, alone", () => {
    assert.equal(newAccountHighValueReason(config, order(2_000, { accountCreatedMs: PLACED_MS - 25 * HOUR_MS })), undefined);
    assert.equal(newAccountHighValueReason(config, order(2_000)), undefined);
  });
});

describe("country mismatch", () => {
  it("weighs little on an everyday order and much on a high-value one", () => {
    const mismatch = { shippingCountry: "US", billingCountry: "NG" };
    assert.equal(countryMismatchReason(config, order(80, mismatch))?.weight, 0.35);
    assert.equal(countryMismatchReason(config, order(650, mismatch))?.weight, 0.75);
    assert.match(countryMismatchReason(config, order(650, mismatch))?.detail ?? "", /ships to US, billed in NG, on an order of 650/);
  });

  it("says nothing when the countries agree or one is missing", () => {
    assert.equal(countryMismatchReason(config, order(650, { shippingCountry: "US", billingCountry: "US" })), undefined);
    assert.equal(countryMismatchReason(config, order(650, { shippingCountry: "US" })), undefined);
  });
});
