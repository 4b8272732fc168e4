// The core schema's indexes serve the lookups the pipeline makes, so they stay fast as tables grow.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openTestSqliteStore } from "../test-support/sqlite-store.js";
import { postgres } from "../test-support/backends.js";
import { openTestPostgresStore } from "../test-support/postgres-store.js";
import { migrate } from "./index.js";

const postgresSkip = (await postgres()).skip;

const LATEST_ALERT = "SELECT max(occurred_at) AS since FROM low_stock_alerts WHERE store_id = ? AND product_id = ?";

describe("core schema indexes", () => {
  it("finds a product's latest low-stock alert through one index search on SQLite, not a scan of its store's alerts", async (t) => {
    const store = await openTestSqliteStore(t);
    await migrate(store);
    const plan = (await store.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${LATEST_ALERT}`, ["S1", "P1"])).map((row) => row.detail).join("\n");
    assert.match(plan, /SEARCH low_stock_alerts USING COVERING INDEX low_stock_alerts_product \(store_id=\? AND product_id=\?\)/);
    await store.run(
      "INSERT INTO low_stock_alerts (alert_id, event_id, store_id, product_id, available, reorder_point, occurred_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?)",
      ["a1", "e1", "S1", "P1", 2, 10, "2026-03-01T08:00:00.000Z", 1, "a2", "e2", "S1", "P1", 1, 10, "2026-03-02T10:00:00.000Z", 2],
    );
    assert.deepEqual(await store.all(LATEST_ALERT, ["S1", "P1"]), [{ since: "2026-03-02T10:00:00.000Z" }]);
  });

  it("creates the same index on PostgreSQL", { skip: postgresSkip }, async (t) => {
    const store = await openTestPostgresStore(t);
    await migrate(store);
    const indexes = await store.all<{ name: string }>("SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'low_stock_alerts'");
    assert.ok(indexes.some((index) => index.name === "low_stock_alerts_product"), `indexes: ${indexes.map((index) => index.name).join(", ")}`);
  });
});
