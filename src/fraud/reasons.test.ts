import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { combinedScore, reason, strongestPerRule } from "./reasons.js";

describe("reasons and the score", () => {
  it("combines reasons as independent evidence", () => {
    assert.equal(combinedScore([]), 0);
    assert.equal(combinedScore([reason("country_mismatch", 0.5, 1, 1, ""), reason("unfamiliar_card", 0.5, 1, 1, "")]), 0.75);
    assert.equal(combinedScore([reason("card_testing", 1, 1, 1, ""), reason("unfamiliar_card", 0.4, 1, 1, "")]), 1);
  });

  it("keeps the strongest reason per rule, so one burst seen by customer and card counts once", () => {
    const reasons = strongestPerRule([
      reason("unfamiliar_card", 0.4, 3, 3, "card"),
      reason("order_velocity", 0.65, 4, 4, "by customer"),
      reason("order_velocity", 0.75, 5, 4, "by card"),
    ]);
    assert.deepEqual(reasons.map((found) => [found.rule, found.detail]), [["order_velocity", "by card"], ["unfamiliar_card", "card"]]);
    assert.equal(combinedScore(reasons), 0.85);
  });

  it("rounds weights to three decimals and keeps them from 0 to 1", () => {
    assert.equal(reason("amount_anomaly", 0.123456, 4.56789, 3, "").weight, 0.123);
    assert.equal(reason("amount_anomaly", 1.5, 1, 1, "").weight, 1);
  });
});
