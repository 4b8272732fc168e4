// A SQLite serving store in a temp dir, closed when the test ends: the SQLite twin of openTestPostgresStore.
import { join } from "node:path";
import type { TestContext } from "node:test";
import { SqliteStore } from "../store/index.js";
import { tempDir } from "./temp-dir.js";

export async function openTestSqliteStore(t: TestContext): Promise<SqliteStore> {
  const store = new SqliteStore({ path: join(tempDir(t), "store.db") });
  t.after(() => store.close());
  return store;
}
