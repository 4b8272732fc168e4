import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random, WeightedPicker, deriveSeed } from "./random.js";

describe("Random", () => {
  it("replays the same sequence for the same seed, and another for another seed", () => {
    const draw = (seed: number) => Array.from({ length: 5 }, ((random) => () => random.next())(new Random(seed)));
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
  });

  it("keeps int() within both bounds and reaches each of them", () => {
    const random = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const value = random.int(3, 6);
      assert.ok(value >= 3 && value <= 6);
      seen.add(value);
    }
    assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
  });

  it("draws normal and exponential values with the requested mean", () => {
    const random = new Random(2);
    let normalSum = 0;
    let exponentialSum = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      normalSum += random.normal(10, 2);
      exponentialSum += random.exponential(5);
    }
    assert.ok(Math.abs(normalSum / n - 10) < 0.05);
    assert.ok(Math.abs(exponentialSum / n - 5) < 0.1);
  });

  it("derives different sub-seeds per purpose", () => {
    assert.notEqual(deriveSeed(42, "products"), deriveSeed(42, "customers"));
    assert.notEqual(deriveSeed(42, "products"), deriveSeed(43, "products"));
    assert.equal(deriveSeed(42, "products"), deriveSeed(42, "products"));
  });
});

describe("WeightedPicker", () => {
  it("picks in proportion to the weights and never picks a zero weight", () => {
    const picker = new WeightedPicker(["a", "b", "c"], [1, 3, 0]);
    const random = new Random(3);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 40_000; i++) counts[picker.pick(random)]! += 1;
    assert.equal(counts["c"], 0);
    assert.ok(Math.abs(counts["b"]! / 40_000 - 0.75) < 0.01);
  });

  it("refuses weights that cannot be drawn from", () => {
    assert.throws(() => new WeightedPicker(["a"], [0]), RangeError);
    assert.throws(() => new WeightedPicker(["a", "b"], [1]), RangeError);
  });
});
