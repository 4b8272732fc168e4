// DuckDB types and values as Athena names and prints them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { athenaTypeOf, columnInfoOf, datumOf, headerRowOf, rowOf } from "./result-set.js";

describe("Athena result sets", () => {
  it("names DuckDB's types as Athena does", () => {
    const cases: Array<[string, string, number, number]> = [
      ["VARCHAR", "varchar", 2147483647, 0],
      ["BIGINT", "bigint", 19, 0],
      ["HUGEINT", "decimal", 38, 0],
      ["DECIMAL(18,3)", "decimal", 18, 3],
      ["DOUBLE", "double", 17, 0],
      ["FLOAT", "real", 7, 0],
      ["TIMESTAMP WITH TIME ZONE", "timestamp with time zone", 3, 0],
      ["TIMESTAMP_NS", "timestamp", 3, 0],
      ["DATE", "date", 0, 0],
      ["BLOB", "varbinary", 1073741824, 0],
      ["VARCHAR[]", "array", 0, 0],
      ["INTEGER[3]", "array", 0, 0],
      ["STRUCT(a INTEGER, b VARCHAR)", "row", 0, 0],
      ["MAP(VARCHAR, INTEGER)", "map", 0, 0],
      ["ENUM('a', 'b')", "varchar", 2147483647, 0],
    ];
    for (const [duckdb, type, precision, scale] of cases) assert.deepEqual(athenaTypeOf(duckdb), { type, precision, scale }, duckdb);
  });

  it("prints values as Athena's VarCharValue, NULL as an empty datum", () => {
    const columns = columnInfoOf([
      { name: "at", type: "TIMESTAMP WITH TIME ZONE" },
      { name: "price", type: "DECIMAL(38,2)" },
      { name: "big", type: "DECIMAL(38,2)" },
      { name: "tags", type: "MAP(VARCHAR, VARCHAR[])" },
      { name: "missing", type: "INTEGER" },
    ]);
    assert.deepEqual(rowOf(["2026-01-31T12:00:00.000Z", 3, "123456789012345678.90", { k: ["x", null] }, null], columns), {
      Data: [{ VarCharValue: "2026-01-31 12:00:00.000 UTC" }, { VarCharValue: "3.00" }, { VarCharValue: "123456789012345678.90" }, { VarCharValue: "{k=[x, null]}" }, {}],
    });
    assert.deepEqual(headerRowOf(columns).Data.map((datum) => datum.VarCharValue), ["at", "price", "big", "tags", "missing"]);
    assert.deepEqual(datumOf(false, columns[4]!), { VarCharValue: "false" });
  });
});
