// Reading CTAS and DROP TABLE in Athena's dialect, and the head of EXPLAIN, without DuckDB's parser.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { explainedStatementStart } from "./statement-gate.js";
import { parseTableStatement } from "./table-statement.js";

describe("parseTableStatement", () => {
  it("reads CTAS with Athena's table properties, comments and a trailing semicolon", () => {
    const sql = [
      "-- nightly",
      "CREATE TABLE IF NOT EXISTS Daily /* c */",
      "WITH (format='PARQUET', partitioned_by = ARRAY['dt', 'region'], write_compression = 'snappy')",
      "AS SELECT 1 AS a, dt, region FROM orders;",
      "",
    ].join("\n");
    assert.deepEqual(parseTableStatement(sql), {
      kind: "create_table_as",
      table: "daily",
      ifNotExists: true,
      partitionedBy: ["dt", "region"],
      compression: "snappy",
      query: "SELECT 1 AS a, dt, region FROM orders",
      queryOffset: sql.indexOf("SELECT"),
    });
  });

  it("lower-cases unquoted names and refuses names Glue would not take", () => {
    assert.equal((parseTableStatement("create table Top_Ten as select 1") as { table: string }).table, "top_ten");
    assert.throws(() => parseTableStatement('CREATE TABLE "Top Ten" AS SELECT 1'), /lower case letters, digits and underscores/);
    assert.throws(() => parseTableStatement("CREATE TABLE lake.t AS SELECT 1"), /unqualified/);
    assert.throws(() => parseTableStatement("CREATE TABLE t AS SELECT 1 WITH NO DATA"), /WITH NO DATA is not supported/);
    assert.throws(() => parseTableStatement("CREATE TABLE t AS "), /expected a query after AS/);
    assert.throws(() => parseTableStatement("CREATE TABLE t WITH (partitioned_by = 'dt') AS SELECT 1"), /ARRAY/);
  });

  it("reads DROP TABLE [IF EXISTS] and leaves other statements to DuckDB", () => {
    assert.deepEqual(parseTableStatement("DROP TABLE IF EXISTS t;"), { kind: "drop_table", table: "t", ifExists: true });
    assert.throws(() => parseTableStatement("DROP TABLE t, u"), /unexpected text/);
    for (const sql of ["SELECT 1", "CREATE VIEW v AS SELECT 1", "DROP VIEW v", "CREATE OR REPLACE TABLE t AS SELECT 1", "/* CREATE TABLE t AS */ SELECT 1"]) {
      assert.equal(parseTableStatement(sql), undefined, sql);
    }
  });
});

describe("explainedStatementStart", () => {
  it("finds the statement after EXPLAIN, ANALYZE, options and comments", () => {
    for (const [sql, rest] of [
      ["EXPLAIN SELECT 1", "SELECT 1"],
      ["explain analyze  select 1", "select 1"],
      ["/* a */ EXPLAIN /* b */ ANALYZE -- c\n COPY t TO 'x'", "COPY t TO 'x'"],
      ["EXPLAIN (FORMAT json) SELECT 1", "SELECT 1"],
      ["EXPLAIN (SELECT 1)", "(SELECT 1)"],
    ] as const) {
      assert.equal(sql.slice(explainedStatementStart(sql)), rest, sql);
    }
    assert.equal(explainedStatementStart("SELECT 1"), undefined);
  });
});
