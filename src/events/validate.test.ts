import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { derivedPayloadSchemas, validateEvent } from "./index.js";

describe("validateEvent", () => {
  for (const type of Object.keys(derivedPayloadSchemas)) {
    it(`refuses ${type}: the pipeline derives it, no producer may send one`, () => {
      const result = validateEvent({ event_id: "forged-1", type, occurred_at: "2026-01-05T08:00:00Z", payload: { store_id: "s-1", product_id: "p-1" } });
      assert.deepEqual(result, { ok: false, code: "unknown_type", message: `type: ${type} events are derived by the pipeline and cannot be sent` });
    });
  }

  it("knows the orders function's derived types", () => {
    assert.ok(Object.hasOwn(derivedPayloadSchemas, "stock_level"));
    assert.ok(Object.hasOwn(derivedPayloadSchemas, "low_stock_alert"));
  });
});
