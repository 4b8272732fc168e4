// What the lake accepts from the curated stream and why it refuses the rest: one batch of good and bad
// records, each refused one found in the error prefix with its error type and message, each accepted one
// in its tables with its values cast without loss.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { appendRecords, orderPlaced, pageView } from "./test-events.js";
import { listKeys, openTestLake, queryLake, type TestLake } from "./test-lake.js";

const at = "2026-01-05T08:15:00.000Z";
const view = (id: string) => pageView({ id, at, session: "s", page: "/" });
const order = (id: string, quantity: unknown = 1) => {
  const event = orderPlaced({ id, at, order: `O-${id}`, customer: "C1", store: "S001", total: 10, lines: [{ product: "P001", quantity: 1, unitPrice: 10 }] });
  (event.payload["items"] as Array<Record<string, unknown>>)[0]!["quantity"] = quantity;
  return event;
};

const REFUSED: Array<[string, string, string, RegExp]> = [
  ["not JSON", "{", "invalid_json", /not JSON/],
  ["an array", "[1, 2]", "invalid_event", /^type: .*got nothing/],
  ["a type that is no folder name", JSON.stringify({ ...view("bad-type"), type: "../x" }), "invalid_event", /^type: expected an event type/],
  ["no event time", JSON.stringify({ ...view("no-time"), occurred_at: undefined }), "invalid_event", /^occurred_at:/],
  ["February 30", JSON.stringify({ ...view("feb-30"), occurred_at: "2026-02-30T08:00:00.000Z" }), "invalid_event", /^occurred_at: .*2026-02-30/],
  ["an empty event id", JSON.stringify(view("")), "invalid_event", /^event_id:/],
  ["a payload that is no object", JSON.stringify({ ...view("bad-payload"), payload: "oops" }), "invalid_event", /^payload: expected a JSON object, got "oops"/],
  ["a bad ingested_at", JSON.stringify({ ...view("bad-ingested"), ingested_at: "yesterday" }), "schema_mismatch", /^ingested_at: expected TIMESTAMPTZ, got yesterday/],
  ["a store that is a string", JSON.stringify({ ...view("bad-store"), store: "S1" }), "schema_mismatch", /^store: expected a JSON object/],
  ["a quantity in words", JSON.stringify(order("qty-words", "two")), "schema_mismatch", /^payload\.items\[0\]\.quantity: expected INTEGER, got two/],
  ["a fractional quantity, which an INTEGER would round", JSON.stringify(order("qty-frac", 1.5)), "schema_mismatch", /^payload\.items\[0\]\.quantity: expected INTEGER, got 1\.5/],
  ["a missing quantity", JSON.stringify(order("qty-missing", null)), "schema_mismatch", /^payload\.items\[0\]\.quantity: required, got nothing/],
  ["an order without line items", JSON.stringify({ ...order("no-items"), payload: { ...order("x").payload, items: "none" } }), "schema_mismatch", /^payload\.items: expected an array of line items/],
  ["a record that tries to close its staging line", '1},"i":0,"r":{"event_id":"spoof"', "invalid_json", /not JSON/],
];

describe("curated record checks", () => {
  let lake: TestLake;
  let errorLines: Array<Record<string, string>>;

  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  // One lake for the whole table of cases: they are delivered in one batch, as a real flush mixes them.
  before(async () => {
    lake = await openTestLake({ after: (fn: () => Promise<void>) => cleanups.push(fn) }, { shards: 1 });
    const accepted = [
      JSON.stringify({ ...view("unknown-type"), type: "wishlist_added" }),
      JSON.stringify({ ...order("text-numbers"), payload: { ...order("text-numbers").payload, total: "12.5" } }),
      JSON.stringify(view("numeric-page")).replace('"page":"/"', '"page":7'),
    ];
    await appendRecords(lake.stream, "curated", [...REFUSED.map(([, record]) => record), ...accepted]);
    const delivery = lake.delivery();
    await delivery.start();
    await delivery.flush();
    errorLines = [];
    for (const key of await listKeys(lake.store, "errors/curated/")) {
      for (const line of (await readFile(join(lake.lakeDir, key), "utf8")).trim().split("\n")) errorLines.push(JSON.parse(line) as Record<string, string>);
    }
  });

  for (const [what, record, errorType, message] of REFUSED) {
    it(`refuses ${what} as ${errorType}`, () => {
      const line = errorLines.find((candidate) => candidate["raw_data"] === record);
      assert.ok(line, `${what}: not in the error prefix`);
      assert.equal(line["error_type"], errorType);
      assert.match(line["error_message"] ?? "", message);
    });
  }

  it("refuses each bad record once, and nothing else", () => {
    assert.equal(errorLines.length, REFUSED.length);
  });

  it("accepts a type it has no table for into events, numbers as text, and text that is a number", async () => {
    assert.deepEqual(await queryLake(lake.lakeDir, "select event_id, type from events where event_id in ('unknown-type', 'numeric-page', 'text-numbers') order by 1"), [
      ["numeric-page", "page_view"],
      ["text-numbers", "order_placed"],
      ["unknown-type", "wishlist_added"],
    ]);
    assert.deepEqual(await queryLake(lake.lakeDir, "select page from page_views"), [["7"]]);
    assert.deepEqual(await queryLake(lake.lakeDir, "select total from orders"), [[12.5]]);
    assert.deepEqual(await queryLake(lake.lakeDir, "select count(*) from events where event_id = 'spoof'"), [[0]]);
  });
});
