import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveFraudConfig } from "./config.js";
import { EMPTY_HISTORY, amountAnomalyReason, logAmountZScore, unfamiliarCardReason, withOrder, type AmountHistory } from "./history-rules.js";

const config = resolveFraudConfig();
const historyOf = (...totals: number[]): AmountHistory => totals.reduce(withOrder, EMPTY_HISTORY);

describe("amount anomaly", () => {
  it("keeps the mean and spread of ln(total) as running sums", () => {
    const history = historyOf(20, 40, 80);
    assert.equal(history.orders, 3);
    assert.ok(Math.abs(history.meanLogTotal - Math.log(40)) < 1e-12);
    // ln 20, ln 40, ln 80 are one ln 2 apart: the sample standard deviation is ln 2.
    assert.ok(Math.abs(logAmountZScore(history, 40 * 2 ** 3, 0.01) - 3) < 1e-9);
  });

  it("judges only customers with enough history, and only amounts above their usual", () => {
    assert.equal(amountAnomalyReason(config, historyOf(20, 25), 5_000), undefined, "two orders are not a history");
    assert.equal(amountAnomalyReason(config, historyOf(200, 250, 300), 5), undefined, "smaller than usual is fine");
  });

  it("takes the spread as at least minLogStdDev, so near-equal orders do not make a modest one anomalous", () => {
    const steady = historyOf(30, 30, 30, 30);
    assert.equal(amountAnomalyReason(config, steady, 90), undefined, "z = ln 3 / 0.5 ≈ 2.2");
    const found = amountAnomalyReason(config, steady, 30 * Math.exp(2));
    assert.equal(found?.value, 4);
    assert.equal(found?.weight, 0.575, "halfway from minZScore 3 (0.4) to strongZScore 5 (0.75)");
    assert.equal(amountAnomalyReason(config, steady, 30 * Math.exp(4))?.weight, 0.75, "flat beyond strongZScore");
  });
});

describe("unfamiliar card", () => {
  it("fires for a new card on an established account that has paid by card before", () => {
    const found = unfamiliarCardReason(config, "card-x", { earlierOrders: 3, knownCards: 1, cardKnown: false });
    assert.equal(found?.weight, 0.4);
    assert.equal(unfamiliarCardReason(config, "card-x", { earlierOrders: 3, knownCards: 1, cardKnown: true }), undefined, "a known card");
    assert.equal(unfamiliarCardReason(config, "card-x", { earlierOrders: 2, knownCards: 1, cardKnown: false }), undefined, "too little history");
    assert.equal(unfamiliarCardReason(config, "card-x", { earlierOrders: 5, knownCards: 0, cardKnown: false }), undefined, "first card ever");
  });
});
