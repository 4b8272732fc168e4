// The query surface is read-only over the lake: nothing outside the lake can be read or written, through
// any function, statement, setting or symbolic link, and inside it only CREATE TABLE … AS writes.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { ValidationError } from "../errors/index.js";
import { tempDir } from "../test-support/temp-dir.js";
import { openAnalytics, SqlError, type AnalyticsEngine } from "./index.js";
import { writeLakeObject, writeSampleShop } from "./test-lake.js";

interface Sandbox {
  engine: AnalyticsEngine;
  dir: string;
  lakeDir: string;
  /** a directory beside the lake, holding a CSV and a Parquet file */
  outsideDir: string;
}

async function openSandbox(t: TestContext): Promise<Sandbox> {
  const dir = tempDir(t, "shopstream-sandbox-");
  const lakeDir = join(dir, "lake");
  await writeSampleShop(lakeDir);
  const outsideDir = join(dir, "lake-private");
  mkdirSync(outsideDir);
  writeFileSync(join(outsideDir, "secret.csv"), "secret\n42\n");
  await writeLakeObject(lakeDir, "reviews", { dt: "2026-01-05", hour: "08" }, [{ review_id: "R1", rating: 1 }]);
  const engine = await openAnalytics({ lakeDir });
  t.after(() => engine.close());
  return { engine, dir, lakeDir, outsideDir };
}

/** Runs `sql` and expects a refusal whose code, DuckDB error type and message match `reason`. */
async function assertRefused(engine: AnalyticsEngine, sql: string, reason: RegExp): Promise<void> {
  await assert.rejects(engine.query(sql), (error: unknown) => {
    assert.ok(error instanceof ValidationError, `${sql}: ${String(error)}`);
    const described = `${error.code} ${error instanceof SqlError ? error.errorType : ""} ${error.message}`;
    assert.match(described, reason, sql);
    return true;
  });
}

const PERMISSION = /Permission .*(file system operations are disabled|disabled by configuration)/;
const NOT_A_QUERY = /^statement_not_allowed /;

describe("sandbox", () => {
  it("refuses to read files outside the lake: /etc/passwd by every reader, a sibling directory, a glob", async (t) => {
    const { engine, lakeDir, outsideDir } = await openSandbox(t);
    for (const sql of [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/passwd')",
      "SELECT * FROM read_blob('/etc/passwd')",
      "SELECT * FROM read_parquet('/etc/passwd')",
      "SELECT * FROM read_json('/etc/passwd')",
      // A file name with a known extension is a read_csv of it (a replacement scan).
      "SELECT * FROM '/etc/passwd.csv'",
      "SELECT * FROM parquet_metadata('/etc/passwd')",
      "SELECT * FROM glob('/etc/*')",
      `SELECT * FROM glob('${lakeDir}/../*')`,
      `SELECT * FROM read_parquet('${lakeDir}/../**/*.parquet')`,
      // A sibling whose name starts with the lake's: allowed directories match by prefix, with the slash.
      `SELECT * FROM read_csv('${outsideDir}/secret.csv')`,
      `SELECT * FROM read_text('${lakeDir}/../lake-private/secret.csv')`,
      "SELECT * FROM 'https://example.com/data.parquet'",
    ]) {
      await assertRefused(engine, sql, PERMISSION);
    }
  });

  it("refuses a symbolic link inside the lake that points outside it", async (t) => {
    const { engine, lakeDir, outsideDir } = await openSandbox(t);
    symlinkSync("/etc", join(lakeDir, "etc-link"));
    symlinkSync(join(outsideDir, "secret.csv"), join(lakeDir, "secret-link.csv"));
    for (const sql of [
      `SELECT * FROM read_text('${lakeDir}/etc-link/passwd')`,
      `SELECT * FROM read_csv('${lakeDir}/etc-link/hostname')`,
      `SELECT * FROM read_csv('${lakeDir}/secret-link.csv')`,
      `SELECT * FROM glob('${lakeDir}/etc-link/*')`,
    ]) {
      await assertRefused(engine, sql, PERMISSION);
    }
    // A link planted among a table's objects is not an object: the lake lists regular files only, so the
    // table reads what it read before and never the link's target.
    const before = await engine.query("SELECT count(*) AS n FROM reviews");
    const planted = join(lakeDir, "curated", "reviews", "dt=2026-01-05", "hour=08", "curated-shardId-000000000000-1-1.parquet");
    symlinkSync(join(outsideDir, "secret.csv"), planted);
    assert.deepEqual((await engine.query("SELECT count(*) AS n FROM reviews")).rows, before.rows);
    await assertRefused(engine, `SELECT * FROM read_parquet('${planted}')`, PERMISSION);
  });

  it("refuses COPY TO anywhere, EXPORT, and EXPLAIN ANALYZE of a write", async (t) => {
    const { engine, dir, lakeDir } = await openSandbox(t);
    const before = readdirSync(lakeDir, { recursive: true }).length;
    for (const sql of [
      `COPY (SELECT 1) TO '${join(dir, "out.csv")}'`,
      `COPY (SELECT 1) TO '${join(lakeDir, "inside.csv")}'`,
      `COPY orders TO '${join(lakeDir, "orders.parquet")}'`,
      `EXPORT DATABASE '${join(lakeDir, "export")}'`,
      `EXPLAIN ANALYZE COPY (SELECT 1) TO '${join(lakeDir, "explained.csv")}'`,
      `EXPLAIN (FORMAT json) COPY (SELECT 1) TO '${join(lakeDir, "explained.csv")}'`,
      `/* hidden */ EXPLAIN ANALYZE -- a comment\n COPY (SELECT 1) TO '${join(lakeDir, "explained.csv")}'`,
    ]) {
      await assertRefused(engine, sql, NOT_A_QUERY);
    }
    await assertRefused(engine, `SELECT 1; COPY (SELECT 1) TO '${join(lakeDir, "second.csv")}'`, /^multiple_statements /);
    assert.ok(!existsSync(join(dir, "out.csv")));
    assert.equal(readdirSync(lakeDir, { recursive: true }).length, before, "nothing was written into the lake");
  });

  it("refuses ATTACH, INSTALL, LOAD, and every way to change a setting", async (t) => {
    const { engine, dir, lakeDir } = await openSandbox(t);
    for (const sql of [
      `ATTACH '${join(dir, "other.db")}' AS other`,
      `ATTACH '${join(lakeDir, "other.db")}' AS other`,
      "ATTACH ':memory:' AS scratch",
      "INSTALL httpfs",
      "FORCE INSTALL httpfs",
      "LOAD httpfs",
      "LOAD 'httpfs'",
      "SET enable_external_access = true",
      "SET GLOBAL allowed_directories = ['/']",
      "SET lock_configuration = false",
      "RESET enable_external_access",
      "PRAGMA enable_external_access = true",
      "PRAGMA threads = 1",
      "CALL duckdb_settings()",
      "CHECKPOINT",
    ]) {
      await assertRefused(engine, sql, NOT_A_QUERY);
    }
    assert.ok(!existsSync(join(dir, "other.db")) && !existsSync(join(lakeDir, "other.db")));
    const settings = await engine.query("SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration') ORDER BY name");
    assert.deepEqual(settings.rows, [["enable_external_access", "false"], ["lock_configuration", "true"]]);
  });

  it("refuses statements that change the catalog, other than CTAS into the lake's ctas/ zone", async (t) => {
    const { engine, dir, lakeDir } = await openSandbox(t);
    for (const [sql, reason] of [
      ["CREATE TABLE t (a INTEGER)", /^statement_not_allowed .*CTAS/],
      ["CREATE TEMP TABLE t AS SELECT 1", NOT_A_QUERY],
      ["CREATE OR REPLACE TABLE t AS SELECT 1", NOT_A_QUERY],
      ["CREATE VIEW v AS SELECT 1", NOT_A_QUERY],
      ["CREATE MACRO m() AS 1", NOT_A_QUERY],
      ["DROP VIEW orders", NOT_A_QUERY],
      ["DROP TABLE orders", /^statement_not_allowed .*lake table/],
      ["EXPLAIN ANALYZE DROP VIEW orders", NOT_A_QUERY],
      ["EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1", NOT_A_QUERY],
      ["INSERT INTO orders SELECT * FROM orders", NOT_A_QUERY],
      ["UPDATE orders SET total = 0", NOT_A_QUERY],
      ["DELETE FROM orders", NOT_A_QUERY],
      [`CREATE TABLE x WITH (external_location = '${dir}/x') AS SELECT 1 AS a`, /^unsupported_property .*external_location/],
      [`CREATE TABLE "../../outside" AS SELECT 1 AS a`, /^invalid_table_name /],
      ["CREATE TABLE main.x AS SELECT 1 AS a", /^invalid_table_name /],
      ["CREATE TABLE orders AS SELECT 1 AS a", /^table_exists .*lake table/],
      ["CREATE TABLE leak AS SELECT * FROM read_text('/etc/passwd')", PERMISSION],
    ] as const) {
      await assertRefused(engine, sql, reason);
    }
    assert.ok(!existsSync(join(dir, "outside")) && !existsSync(join(dir, "x")));
    const ctasDir = join(lakeDir, "ctas");
    assert.deepEqual(existsSync(ctasDir) ? readdirSync(ctasDir) : [], [], "a refused CTAS leaves nothing behind, not even its staging directory");
    assert.deepEqual((await engine.query("SELECT count(*) FROM orders")).rows, [[4]], "the lake's views are intact");
  });
});
