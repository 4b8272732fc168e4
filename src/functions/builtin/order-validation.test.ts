import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeProblems, priceWithinTolerance, validateOrderLines } from "./order-validation.js";

const catalog = new Map([["p-1", 10], ["p-2", 200]]);
const priceOf = (id: string) => catalog.get(id);

describe("order validation", () => {
  it("accepts catalog products at catalog prices in whole positive units", () => {
    assert.deepEqual(validateOrderLines([{ product_id: "p-1", quantity: 2, unit_price: 10 }, { product_id: "p-2", quantity: 1, unit_price: 200 }], priceOf), []);
  });

  it("allows 1% plus a cent of price drift by default, and no more", () => {
    assert.ok(priceWithinTolerance(10.11, 10, { relative: 0.01, absolute: 0.01 }));
    assert.ok(!priceWithinTolerance(10.12, 10, { relative: 0.01, absolute: 0.01 }));
    assert.deepEqual(validateOrderLines([{ product_id: "p-2", quantity: 1, unit_price: 197.99 }], priceOf), []);
    assert.equal(validateOrderLines([{ product_id: "p-2", quantity: 1, unit_price: 197.98 }], priceOf)[0]?.code, "price_mismatch");
  });

  it("names every problem with its line", () => {
    const problems = validateOrderLines(
      [{ product_id: "nope", quantity: 1, unit_price: 1 }, { product_id: "p-1", quantity: 0, unit_price: 10 }, { product_id: "p-1", quantity: 1.5, unit_price: 5 }],
      priceOf,
    );
    assert.deepEqual(problems.map((p) => [p.code, p.lineNo]), [["unknown_product", 1], ["invalid_quantity", 2], ["invalid_quantity", 3], ["price_mismatch", 3]]);
    assert.match(describeProblems(problems) ?? "", /^unknown_product line 1: product nope is not in the catalog; invalid_quantity line 2/);
    assert.equal(describeProblems([]), null);
  });

  it("rejects an order without lines or without a unit price", () => {
    assert.equal(validateOrderLines([], priceOf)[0]?.code, "no_items");
    assert.equal(validateOrderLines([{ product_id: "p-1", quantity: 1 }], priceOf)[0]?.code, "price_mismatch");
  });
});
