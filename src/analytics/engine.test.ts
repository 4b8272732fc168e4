// The analytics engine over a real lake directory: typed empty tables, views that pick up new files,
// JSON-safe values, and a sandbox that refuses anything but reading the lake.
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { ValidationError } from "../errors/index.js";
import { LAKE_TABLES } from "../lake/index.js";
import { tempDir } from "../test-support/temp-dir.js";
import { openAnalytics, QueryCancelledError, ResultTooLargeError, SqlError, type AnalyticsEngine } from "./index.js";

async function openEngine(t: TestContext): Promise<{ engine: AnalyticsEngine; lakeDir: string; dir: string }> {
  const dir = tempDir(t, "shopstream-analytics-");
  const lakeDir = join(dir, "lake");
  mkdirSync(lakeDir);
  const engine = await openAnalytics({ lakeDir });
  t.after(() => engine.close());
  return { engine, lakeDir, dir };
}

/** Writes one Parquet object into the lake as the delivery would, with plain DuckDB. */
async function writeOrdersObject(lakeDir: string, hour: string, rows: Array<[string, number]>): Promise<void> {
  const dir = join(lakeDir, "curated", "orders", "dt=2026-01-05", `hour=${hour}`);
  mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const values = rows.map(([id, total]) => `('${id}', ${total}::DECIMAL(18,4), TIMESTAMPTZ '2026-01-05 ${hour}:00:00+00')`).join(", ");
  await connection.run(`COPY (SELECT * FROM (VALUES ${values}) AS t(order_id, total, occurred_at)) TO '${dir}/part-${hour}.parquet' (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
}

describe("analytics engine", () => {
  it("answers 0 for every table of an empty lake, with the tables' columns", async (t) => {
    const { engine } = await openEngine(t);
    for (const table of LAKE_TABLES) {
      assert.deepEqual((await engine.query(`select count(*) as n from ${table.name}`)).rows, [[0]], table.name);
    }
    const orders = await engine.query("select * from orders");
    assert.deepEqual(orders.rows, []);
    assert.deepEqual(
      orders.columns.map((column) => column.name),
      [...LAKE_TABLES.find((table) => table.name === "orders")!.columns.map((column) => column.name), "dt", "hour"],
    );
    assert.equal(orders.columns.find((column) => column.name === "total")?.type, "DECIMAL(18,4)");
  });

  it("sees objects that appear after it opened, with their partitions as columns", async (t) => {
    const { engine, lakeDir } = await openEngine(t);
    assert.deepEqual((await engine.query("select count(*) from orders")).rows, [[0]]);
    await writeOrdersObject(lakeDir, "08", [["O1", 10.5], ["O2", 4.25]]);
    assert.deepEqual((await engine.query("select count(*), sum(total) from orders")).rows, [[2, 14.75]]);
    await writeOrdersObject(lakeDir, "09", [["O3", 1]]);
    assert.deepEqual((await engine.query("select hour, count(*) from orders where dt = DATE '2026-01-05' group by hour order by hour")).rows, [
      [8, 2],
      [9, 1],
    ]);
  });

  it("returns JSON-safe values with their DuckDB types", async (t) => {
    const { engine } = await openEngine(t);
    const result = await engine.query(
      "select 42::BIGINT a, 9007199254740993::BIGINT b, 12.5::DECIMAL(10,2) c, TIMESTAMPTZ '2026-01-05 08:00:00.123456+00' d, " +
        "DATE '2026-01-05' e, [1, 2] f, {'k': 'v'} g, NULL h, 'nan'::DOUBLE i, '\\x41'::BLOB j, TIMESTAMP '2026-01-05 08:00:00' k",
    );
    assert.deepEqual(result.rows, [[42, "9007199254740993", 12.5, "2026-01-05T08:00:00.123456Z", "2026-01-05", [1, 2], { k: "v" }, null, "NaN", "QQ==", "2026-01-05T08:00:00.000"]]);
    assert.deepEqual(
      result.columns.map((column) => column.type),
      ["BIGINT", "BIGINT", "DECIMAL(10,2)", "TIMESTAMP WITH TIME ZONE", "DATE", "INTEGER[]", 'STRUCT("k" VARCHAR)', "INTEGER", "DOUBLE", "BLOB", "TIMESTAMP"],
    );
  });

  it("reports SQL errors as a ValidationError with DuckDB's message on one line", async (t) => {
    const { engine } = await openEngine(t);
    await assert.rejects(engine.query("select * from nope"), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.match(error.message, /^Catalog Error: Table with name nope does not exist!/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    await assert.rejects(engine.query("selec 1"), ValidationError);
    await assert.rejects(engine.query(" "), /empty/);
    await assert.rejects(engine.query("-- nothing"), ValidationError);
    await assert.rejects(engine.query("select 1; select 2"), /one statement at a time/);
  });

  it("refuses to write, attach, load extensions, change settings or read outside the lake", async (t) => {
    const { engine, lakeDir, dir } = await openEngine(t);
    const refused = [
      `COPY (select 1) TO '${join(dir, "out.csv")}'`,
      `COPY (select 1) TO '${join(lakeDir, "inside.csv")}'`,
      `COPY orders TO '${join(lakeDir, "orders.parquet")}'`,
      `EXPORT DATABASE '${join(lakeDir, "export")}'`,
      `ATTACH '${join(dir, "other.db")}' AS other`,
      "INSTALL httpfs",
      "LOAD httpfs",
      "SET enable_external_access = true",
      "SET allowed_directories = ['/']",
      "CREATE TABLE t (a INTEGER)",
      "DROP VIEW orders",
      "select * from read_csv('/etc/passwd')",
      "select * from read_text('/etc/passwd')",
      `select * from read_parquet('${lakeDir}/../*.parquet')`,
      `select * from glob('${dir}/*')`,
      "select * from 'https://example.com/data.parquet'",
    ];
    for (const sql of refused) {
      await assert.rejects(engine.query(sql), ValidationError, sql);
    }
    assert.ok(!existsSync(join(dir, "out.csv")) && !existsSync(join(lakeDir, "inside.csv")) && !existsSync(join(dir, "other.db")));
    // sandbox.test.ts goes through every way out one by one.
    assert.deepEqual((await engine.query("select count(*) from orders")).rows, [[0]], "the views are intact");
  });

  it("runs read-only statements other than SELECT: EXPLAIN, DESCRIBE, SHOW", async (t) => {
    const { engine } = await openEngine(t);
    assert.ok((await engine.query("explain select count(*) from orders")).rows.length > 0);
    assert.ok((await engine.query("explain analyze select count(*) from orders")).rows.length > 0);
    assert.ok((await engine.query("describe orders")).rows.some((row) => row[0] === "order_id"));
    assert.ok((await engine.query("show tables")).rows.some((row) => row[0] === "order_items"));
    assert.equal((await engine.execute("describe orders")).statementKind, "UTILITY");
    assert.equal((await engine.execute("/* q */ select 1")).statementKind, "DML");
  });

  it("points SQL errors at their line and column, counted in characters", async (t) => {
    const { engine } = await openEngine(t);
    const position = async (sql: string) => {
      try {
        await engine.query(sql);
      } catch (error) {
        assert.ok(error instanceof SqlError, String(error));
        return { type: error.errorType, ...error.position };
      }
      assert.fail(`${sql} ran`);
    };
    assert.deepEqual(await position("selec 1"), { type: "Parser", offset: 0, line: 1, column: 1 });
    assert.deepEqual(await position("select 'é', nope from orders"), { type: "Binder", offset: 12, line: 1, column: 13 });
    assert.deepEqual(await position("select order_id,\n  total\nfrom orderz"), { type: "Catalog", offset: 30, line: 3, column: 6 });
    // In CTAS the query runs inside COPY ( … ); positions still point into what the user wrote.
    assert.deepEqual(await position("CREATE TABLE t AS\nSELECT nope FROM orders"), { type: "Binder", offset: 25, line: 2, column: 8 });
  });

  it("stops a running query when its signal aborts, and keeps the connection usable", async (t) => {
    const { engine } = await openEngine(t);
    const controller = new AbortController();
    let started = false;
    const running = engine.execute("select count(*) from range(100000000000) t(x) where x % 7 = 3", {
      signal: controller.signal,
      onStart: () => (started = true),
    });
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(running, QueryCancelledError);
    assert.ok(started);
    assert.deepEqual((await engine.query("select 42")).rows, [[42]]);
  });

  it("runs as many queries at once as it has connections; the rest wait their turn", async (t) => {
    const dir = tempDir(t, "shopstream-analytics-");
    const engine = await openAnalytics({ lakeDir: dir, maxConcurrentQueries: 1 });
    t.after(() => engine.close());
    const controller = new AbortController();
    const slow = engine.execute("select count(*) from range(100000000000) t(x) where x % 7 = 3", { signal: controller.signal });
    let quickStarted = false;
    const quick = engine.execute("select 1", { onStart: () => (quickStarted = true) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(engine.queuedQueries, 1);
    assert.equal(quickStarted, false);
    controller.abort();
    await assert.rejects(slow, QueryCancelledError);
    assert.deepEqual((await quick).rows, [[1]]);
    assert.ok(quickStarted);
  });

  it("refuses a result larger than maxRows instead of holding it", async (t) => {
    const { engine } = await openEngine(t);
    await assert.rejects(engine.execute("select * from range(1001)", { maxRows: 1000 }), ResultTooLargeError);
    assert.equal((await engine.execute("select * from range(1000)", { maxRows: 1000 })).rows.length, 1000);
  });
});
