// What the lake accepts from the curated stream, where it puts it, and why it refuses the rest.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hourPartitionOf, isEventTime, parseEventTimeMs } from "./event-time.js";
import { validateCuratedRecord } from "./record-validation.js";
import { orderPlaced, pageView } from "./test-events.js";

const at = "2026-01-05T08:15:00.000Z";

describe("validateCuratedRecord", () => {
  it("routes a valid order to events, orders and order_items in its UTC hour", () => {
    const verdict = validateCuratedRecord(
      JSON.stringify(orderPlaced({ id: "e1", at, order: "O1", customer: "C1", store: "S001", total: 10, lines: [{ product: "P001", quantity: 1, unitPrice: 10 }] })),
    );
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.tables.map((table) => table.name), ["events", "orders", "order_items"]);
    assert.deepEqual(verdict.partition, { dt: "2026-01-05", hour: "08" });
  });

  it("sends an event type it has no table for to events only", () => {
    const verdict = validateCuratedRecord(JSON.stringify({ ...pageView({ id: "e1", at, session: "s", page: "/" }), type: "wishlist_added" }));
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.tables.map((table) => table.name), ["events"]);
  });

  const refusals: Array<[string, string, string, RegExp]> = [
    ["not JSON", "{", "invalid_json", /not JSON/],
    ["an array", "[]", "invalid_event", /not a JSON object/],
    ["a type that is no path segment", JSON.stringify({ ...pageView({ id: "e", at, session: "s", page: "/" }), type: "../x" }), "invalid_event", /^type:/],
    ["no event time", JSON.stringify({ ...pageView({ id: "e", at, session: "s", page: "/" }), occurred_at: undefined }), "invalid_event", /^occurred_at:/],
    ["February 30", JSON.stringify(pageView({ id: "e", at: "2026-02-30T08:00:00.000Z", session: "s", page: "/" })), "invalid_event", /^occurred_at:/],
    ["an empty event id", JSON.stringify(pageView({ id: "", at, session: "s", page: "/" })), "invalid_event", /^event_id:/],
    ["a numeric page", JSON.stringify(pageView({ id: "e", at, session: "s", page: "/", extra: {} })).replace('"page":"/"', '"page":7'), "schema_mismatch", /payload\.page: expected VARCHAR, got 7/],
    ["a store that is a string", JSON.stringify({ ...pageView({ id: "e", at, session: "s", page: "/" }), store: "S1" }), "schema_mismatch", /^store:/],
    ["a bad ingested_at", JSON.stringify({ ...pageView({ id: "e", at, session: "s", page: "/" }), ingested_at: "yesterday" }), "schema_mismatch", /^ingested_at: expected TIMESTAMPTZ/],
  ];
  for (const [what, text, errorType, message] of refusals) {
    it(`refuses ${what} as ${errorType}`, () => {
      const verdict = validateCuratedRecord(text);
      assert.ok(!verdict.ok);
      assert.equal(verdict.errorType, errorType);
      assert.match(verdict.message, message);
    });
  }

  it("refuses an order without line items, or with a fractional quantity", () => {
    const order = orderPlaced({ id: "e1", at, order: "O1", customer: "C1", store: "S001", total: 10, lines: [{ product: "P001", quantity: 1.5, unitPrice: 10 }] });
    const fractional = validateCuratedRecord(JSON.stringify(order));
    assert.ok(!fractional.ok);
    assert.match(fractional.message, /payload\.items\[0\]\.quantity: expected INTEGER, got 1\.5/);
    const withoutItems = validateCuratedRecord(JSON.stringify({ ...order, payload: { ...order.payload, items: undefined } }));
    assert.ok(!withoutItems.ok);
    assert.match(withoutItems.message, /payload\.items: expected an array/);
  });
});

describe("event time", () => {
  it("parses RFC 3339 with any zone to UTC, and refuses what DuckDB would refuse", () => {
    assert.equal(parseEventTimeMs("2026-01-05T08:00:00.123Z"), Date.parse("2026-01-05T08:00:00.123Z"));
    assert.equal(parseEventTimeMs("2026-01-05T10:00:00.123456789+02:00"), Date.parse("2026-01-05T08:00:00.123Z"));
    assert.equal(parseEventTimeMs("2024-02-29T00:00:00Z"), Date.parse("2024-02-29T00:00:00Z"));
    for (const bad of ["2025-02-29T00:00:00Z", "2026-01-05T24:00:00Z", "2026-01-05T08:00:00", "2026-01-05t08:00:00z", "2026-01-05 08:00:00Z", "soon"]) {
      assert.equal(parseEventTimeMs(bad), undefined, bad);
      assert.equal(isEventTime(bad), false, bad);
    }
    for (const bad of ["2025-02-29T00:00:00.000Z", "2026-13-05T08:00:00.000Z", "2026-01-05T08:60:00.000Z", "2026-01-05T08:00:00.00xZ", "2026-01-05T08:00:00.000+"]) {
      assert.equal(isEventTime(bad), false, bad);
    }
    for (const good of ["2024-02-29T23:59:59.999Z", "2026-01-05T08:00:00.000Z", "2026-01-05T08:00:00Z", "2026-01-05T08:00:00.5-03:30"]) {
      assert.equal(isEventTime(good), true, good);
    }
  });

  it("derives the UTC date and hour partition", () => {
    const value = "2026-01-06T01:30:00+02:00";
    assert.deepEqual(hourPartitionOf(value), { dt: "2026-01-05", hour: "23" });
    assert.deepEqual(hourPartitionOf("2026-01-05T08:59:59.999Z"), { dt: "2026-01-05", hour: "08" });
  });
});
