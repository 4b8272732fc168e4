import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { earliestPerKey, mostInWindowThrough, windowsThrough } from "./sliding-windows.js";

const points = (...times: number[]) => times.map((atMs) => ({ atMs }));

describe("event-time windows through a moment", () => {
  it("finds the fullest window that contains the moment, on either side of it", () => {
    // The moment is 10: [6, 16] and [10, 20] hold five points each; [0, 10] only four.
    const burst = points(0, 3, 6, 10, 12, 14, 16, 19, 25);
    assert.equal(mostInWindowThrough(burst, 10, 10), 5);
    assert.equal(mostInWindowThrough(burst, 25, 10), 3, "16, 19, 25");
  });

  it("gives the same answer whatever order the points come in", () => {
    const times = [5, 40, 41, 43, 44, 47, 90];
    const shuffled = [47, 5, 90, 43, 41, 44, 40];
    for (const anchor of times) assert.equal(mostInWindowThrough(points(...shuffled), anchor, 10), mostInWindowThrough(points(...times), anchor, 10));
  });

  it("includes both ends of a window and counts nothing for a moment with no neighbours", () => {
    assert.equal(mostInWindowThrough(points(0, 10), 10, 10), 2);
    assert.equal(mostInWindowThrough(points(0, 11), 11, 10), 1);
    assert.equal(mostInWindowThrough([], 5, 10), 0);
    assert.deepEqual(windowsThrough(points(0, 11), 11, 10), [[{ atMs: 11 }]]);
  });

  it("keeps one point per key, at its earliest time", () => {
    const attempts = [
      { atMs: 7, order: "a" },
      { atMs: 3, order: "a" },
      { atMs: 5, order: "b" },
    ];
    assert.deepEqual(earliestPerKey(attempts, (point) => point.order), [
      { atMs: 3, order: "a" },
      { atMs: 5, order: "b" },
    ]);
  });
});
