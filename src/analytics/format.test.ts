// How query results print: the CLI's table, JSON and CSV.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatResult, toRowObjects, type QueryResult } from "./index.js";

const result: QueryResult = {
  columns: [
    { name: "region", type: "VARCHAR" },
    { name: "orders", type: "BIGINT" },
    { name: "note", type: "VARCHAR" },
    { name: "orders", type: "DECIMAL(18,4)" },
  ],
  rows: [
    ["EU-West", 12, 'said "hi", left', 1.5],
    ["US-East", 3, null, 10],
  ],
};

describe("formatResult", () => {
  it("aligns a table, numbers to the right, with a row count", () => {
    assert.equal(
      formatResult(result, "table"),
      [
        "region  | orders | note            | orders",
        "--------+--------+-----------------+-------",
        'EU-West |     12 | said "hi", left |    1.5',
        "US-East |      3 | NULL            |     10",
        "(2 rows)",
        "",
      ].join("\n"),
    );
  });

  it("writes CSV with RFC 4180 quoting and empty NULLs", () => {
    assert.equal(formatResult(result, "csv"), 'region,orders,note,orders\nEU-West,12,"said ""hi"", left",1.5\nUS-East,3,,10\n');
  });

  it("writes JSON objects, keeping repeated column names apart", () => {
    assert.deepEqual(JSON.parse(formatResult(result, "json")), toRowObjects(result));
    assert.deepEqual(toRowObjects(result)[1], { region: "US-East", orders: 3, note: null, orders_1: 10 });
  });

  it("prints nested values as JSON and cuts long cells in the table", () => {
    const nested: QueryResult = { columns: [{ name: "v", type: "JSON" }], rows: [[{ a: [1, 2] }], ["x".repeat(200)]] };
    const lines = formatResult(nested, "table").split("\n");
    assert.equal(lines[2], '{"a":[1,2]}');
    assert.equal(lines[3]!.length, 80);
    assert.ok(lines[3]!.endsWith("…"));
  });
});
