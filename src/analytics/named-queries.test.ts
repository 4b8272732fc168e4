// Named queries survive a restart, and a crash mid-save leaves the file whole.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { NotFoundError, ValidationError } from "../errors/index.js";
import { tempDir } from "../test-support/temp-dir.js";
import { NamedQueryStore } from "./named-queries.js";

describe("named queries", () => {
  it("keeps what was saved across a reopen, in the order it was saved", (t) => {
    const dir = tempDir(t, "shopstream-named-");
    const path = join(dir, "analytics", "named-queries.json");
    const store = new NamedQueryStore(path);
    const first = store.create({ name: "today", sql: "SELECT * FROM daily_sales" });
    const second = store.create({ name: "funnel", description: "conversion", sql: "SELECT * FROM funnel" });
    store.delete(first.namedQueryId);
    const third = store.create({ name: "stock", sql: "SELECT * FROM low_stock" });

    const reopened = new NamedQueryStore(path);
    assert.deepEqual(reopened.list(), [second, third]);
    assert.deepEqual(reopened.get(second.namedQueryId), second);
    assert.throws(() => reopened.get(first.namedQueryId), NotFoundError);
    assert.deepEqual(readdirSync(join(dir, "analytics")), ["named-queries.json"], "no temporary file is left");
  });

  it("refuses an empty name or statement and text over Athena's limits", (t) => {
    const store = new NamedQueryStore(join(tempDir(t, "shopstream-named-"), "named-queries.json"));
    assert.throws(() => store.create({ name: " ", sql: "SELECT 1" }), ValidationError);
    assert.throws(() => store.create({ name: "x", sql: "" }), ValidationError);
    assert.throws(() => store.create({ name: "x".repeat(129), sql: "SELECT 1" }), /longer than 128/);
    assert.throws(() => store.delete("nope"), NotFoundError);
    assert.deepEqual(store.list(), []);
  });
});
