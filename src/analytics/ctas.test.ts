// CREATE TABLE … AS SELECT: the one way to write into the lake. Tables land under ctas/<table>/ whole or
// not at all, keep their types, are queryable at once and from another engine, and can be dropped.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { tempDir } from "../test-support/temp-dir.js";
import { openAnalytics, QueryCancelledError, type AnalyticsEngine } from "./index.js";
import { writeSampleShop } from "./test-lake.js";

async function openSampleShop(t: TestContext): Promise<{ engine: AnalyticsEngine; lakeDir: string }> {
  const lakeDir = join(tempDir(t, "shopstream-ctas-"), "lake");
  await writeSampleShop(lakeDir);
  const engine = await openAnalytics({ lakeDir });
  t.after(() => engine.close());
  return { engine, lakeDir };
}

function filesUnder(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

describe("CREATE TABLE … AS SELECT", () => {
  it("writes Parquet under ctas/<table>/ with a manifest, and the table answers with the query's types", async (t) => {
    const { engine, lakeDir } = await openSampleShop(t);
    const created = await engine.execute("CREATE TABLE big_orders AS SELECT order_id, total, occurred_at, {'units': units} AS detail FROM orders WHERE total >= 20;");
    assert.deepEqual(created.rows, [[3]]);
    assert.equal(created.statementKind, "DDL");
    assert.equal(created.table, "big_orders");
    assert.deepEqual(filesUnder(join(lakeDir, "ctas")), ["big_orders", "big_orders/_table.json", "big_orders/data_0.parquet"]);
    const manifest = JSON.parse(readFileSync(join(lakeDir, "ctas", "big_orders", "_table.json"), "utf8"));
    assert.equal(manifest.rowCount, 3);

    const result = await engine.query("SELECT * FROM big_orders ORDER BY order_id");
    assert.deepEqual(result.columns, [
      { name: "order_id", type: "VARCHAR" },
      { name: "total", type: "DECIMAL(18,4)" },
      { name: "occurred_at", type: "TIMESTAMP WITH TIME ZONE" },
      { name: "detail", type: 'STRUCT("units" BIGINT)' },
    ]);
    assert.deepEqual(result.rows, [
      ["O1", 30, "2026-01-05T08:10:00.000Z", { units: 3 }],
      ["O3", 20, "2026-01-05T09:30:00.000Z", { units: 2 }],
      ["O4", 50, "2026-01-06T10:00:00.000Z", { units: 5 }],
    ]);
    const info = await engine.table("big_orders");
    assert.equal(info.source, "ctas");
    assert.equal(info.location, "ctas/big_orders/");

    // Another engine on the same lake (another process: the CLI next to the server) sees it, and its drop.
    const other = await openAnalytics({ lakeDir });
    t.after(() => other.close());
    assert.deepEqual((await other.query("SELECT count(*) FROM big_orders")).rows, [[3]]);
    await other.execute("DROP TABLE big_orders");
    await assert.rejects(engine.query("SELECT * FROM big_orders"), /Table with name big_orders does not exist/);
    assert.deepEqual(filesUnder(join(lakeDir, "ctas")), []);
  });

  it("partitions as Athena's WITH (format, partitioned_by, write_compression) says, and prunes on them", async (t) => {
    const { engine, lakeDir } = await openSampleShop(t);
    await engine.execute(`CREATE TABLE store_days
      WITH (format = 'PARQUET', partitioned_by = ARRAY['dt'], write_compression = 'SNAPPY')
      AS SELECT store_id, sum(total) AS revenue, dt FROM orders GROUP BY store_id, dt`);
    assert.deepEqual(filesUnder(join(lakeDir, "ctas", "store_days")), [
      "_table.json",
      "dt=2026-01-05",
      "dt=2026-01-05/data_0.parquet",
      "dt=2026-01-06",
      "dt=2026-01-06/data_0.parquet",
    ]);
    const result = await engine.query("SELECT * FROM store_days WHERE dt = DATE '2026-01-05' ORDER BY store_id");
    assert.deepEqual(result.columns.map((column) => `${column.name} ${column.type}`), ["store_id VARCHAR", "revenue DECIMAL(38,4)", "dt DATE"]);
    assert.deepEqual(result.rows, [["S1", 50, "2026-01-05"], ["S2", 10, "2026-01-05"]]);
    const plan = String((await engine.query("EXPLAIN ANALYZE SELECT sum(revenue) FROM store_days WHERE dt = DATE '2026-01-06'")).rows[0]?.[1]);
    assert.match(plan, /Total Files Read: 1\b/);
    assert.deepEqual(await engine.partitions("store_days"), [
      { values: { dt: "2026-01-05" }, location: "ctas/store_days/dt=2026-01-05/" },
      { values: { dt: "2026-01-06" }, location: "ctas/store_days/dt=2026-01-06/" },
    ]);
  });

  it("refuses a name that is taken, unless IF NOT EXISTS; DROP TABLE takes only CTAS tables", async (t) => {
    const { engine } = await openSampleShop(t);
    await engine.execute("CREATE TABLE t AS SELECT 1 AS a");
    await assert.rejects(engine.execute("CREATE TABLE t AS SELECT 2 AS a"), /table t already exists; DROP TABLE t first/);
    assert.deepEqual((await engine.execute("CREATE TABLE IF NOT EXISTS t AS SELECT 2 AS a")).rows, [[0]]);
    assert.deepEqual((await engine.query("SELECT a FROM t")).rows, [[1]]);
    await assert.rejects(engine.execute("CREATE TABLE daily_sales AS SELECT 1 AS a"), /daily_sales is a lake table or view/);
    await assert.rejects(engine.execute("DROP TABLE funnel"), /funnel is a lake table or view and cannot be dropped/);
    await assert.rejects(engine.execute("DROP TABLE nope"), /no table nope to drop/);
    await engine.execute("DROP TABLE IF EXISTS nope");
    await engine.execute("drop table T");
    await engine.execute("CREATE TABLE t AS SELECT 3 AS a");
    assert.deepEqual((await engine.query("SELECT a FROM t")).rows, [[3]]);
  });

  it("keeps an empty result as a table with its columns and no rows", async (t) => {
    const { engine } = await openSampleShop(t);
    await engine.execute("CREATE TABLE none WITH (partitioned_by = ARRAY['dt']) AS SELECT order_id, dt FROM orders WHERE false");
    const result = await engine.query("SELECT * FROM none");
    assert.deepEqual(result.rows, []);
    assert.deepEqual(result.columns, [{ name: "order_id", type: "VARCHAR" }, { name: "dt", type: "DATE" }]);
  });

  it("refuses what Parquet or Hive cannot hold, and formats it does not write", async (t) => {
    const { engine } = await openSampleShop(t);
    for (const [sql, reason] of [
      ["CREATE TABLE t AS SELECT 1 AS a, 2 AS a", /column a appears twice/],
      ["CREATE TABLE t WITH (partitioned_by = ARRAY['nope']) AS SELECT 1 AS a", /partitioned_by names nope/],
      ["CREATE TABLE t WITH (partitioned_by = ARRAY['a']) AS SELECT 1 AS a", /at least one column that is not a partition column/],
      ["CREATE TABLE t WITH (partitioned_by = ARRAY['l']) AS SELECT 1 AS a, [1] AS l", /partition by a scalar column/],
      ["CREATE TABLE t WITH (format = 'ORC') AS SELECT 1 AS a", /Parquet only/],
      ["CREATE TABLE t WITH (bucket_count = 4) AS SELECT 1 AS a", /unsupported table property bucket_count/],
      ["CREATE TABLE t AS EXPLAIN SELECT 1", /syntax error|needs a query/],
      ["CREATE TABLE t AS SELECT 1 AS a; SELECT 2", /one statement at a time/],
    ] as const) {
      await assert.rejects(engine.execute(sql), reason, sql);
    }
    await assert.rejects(engine.query("SELECT * FROM t"), /does not exist/);
  });

  it("leaves nothing behind when it is cancelled", async (t) => {
    const { engine, lakeDir } = await openSampleShop(t);
    const controller = new AbortController();
    const writing = engine.execute("CREATE TABLE huge AS SELECT x FROM range(100000000000) t(x) WHERE x % 7 = 3 ORDER BY x DESC", { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(writing, QueryCancelledError);
    assert.deepEqual(filesUnder(join(lakeDir, "ctas")), []);
    await assert.rejects(engine.query("SELECT * FROM huge"), /does not exist/);
  });
});
