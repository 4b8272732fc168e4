// The worker thread takes over WAL checkpoints once a database is busy: the main connection's automatic
// checkpoint moves out of the way, and the WAL's pages still reach the database file.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { waitFor } from "../test-support/server.js";
import { tempDir } from "../test-support/temp-dir.js";
import { WalCheckpointer } from "./wal-checkpointer.js";

const ROW_BYTES = 4096;

describe("WalCheckpointer", () => {
  it("checkpoints the WAL from a worker thread after 200 commits, and stops on close", async (t) => {
    const path = join(tempDir(t, "shopstream-wal-"), "data.db");
    const db = new Database(path);
    t.after(() => db.open && db.close());
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
    const checkpointer = new WalCheckpointer(db);
    const insert = db.prepare("INSERT INTO t (body) VALUES (?)");
    const commit = () => {
      insert.run(Buffer.alloc(ROW_BYTES, 1));
      checkpointer.committed();
    };
    for (let k = 0; k < 199; k++) commit();
    assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 1000, "SQLite's default until the 200th commit");
    const sizeBefore = statSync(path).size;
    commit();
    assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 8192, "the main connection's safety net");
    // 200 rows of 4 KiB are about 800 KiB of WAL, far below either automatic checkpoint: only the worker
    // copies them into the database file.
    await waitFor(() => Promise.resolve(statSync(path).size >= sizeBefore + 150 * ROW_BYTES), 10_000, "the worker to checkpoint the WAL");
    await checkpointer.close();
    assert.deepEqual(db.prepare("SELECT count(*) AS n FROM t").get(), { n: 200 });
    db.close();
  });

  it("leaves an in-memory database alone", () => {
    const db = new Database(":memory:");
    const checkpointer = new WalCheckpointer(db);
    for (let k = 0; k < 250; k++) checkpointer.committed();
    assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 1000);
    db.close();
  });
});
