import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../errors/index.js";
import { resolveFraudConfig, stateRetentionMs, type FraudConfigInput } from "./config.js";

describe("fraud config", () => {
  it("fills every default in, and keeps what the section sets", () => {
    const config = resolveFraudConfig({ alertThreshold: 0.8, cardTesting: { minFailures: 6 } });
    assert.equal(config.alertThreshold, 0.8);
    assert.equal(config.cardTesting.minFailures, 6);
    assert.equal(config.cardTesting.windowMs, 600_000);
    assert.equal(config.orderVelocity.minCount, 4);
    assert.equal(stateRetentionMs(config), 30 * 60_000 + 3_600_000, "the longest window plus the allowed lateness");
  });

  it("rejects unknown fields and values out of range, naming the path", () => {
    const typo = { cardTesting: { minFailure: 6 } } as unknown as FraudConfigInput;
    assert.throws(() => resolveFraudConfig(typo), (error: unknown) => error instanceof ConfigError && /fraud\.cardTesting/.test(error.message));
    assert.throws(() => resolveFraudConfig({ alertThreshold: 2 }), /fraud\.alertThreshold/);
  });

  it("checks what one field says about another", () => {
    assert.throws(() => resolveFraudConfig({ amountAnomaly: { minZScore: 6, strongZScore: 4 } }), /fraud\.amountAnomaly\.strongZScore: must be at least minZScore/);
    assert.throws(() => resolveFraudConfig({ orderVelocity: { weightAtMin: 0.9, maxWeight: 0.5 } }), /fraud\.orderVelocity\.maxWeight/);
  });
});
