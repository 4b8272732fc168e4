// The ServingStore contract: one behaviour suite that every backend runs. A new backend joins `backends`.
import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { postgres, POSTGRES_URL } from "../test-support/backends.js";
import { dropSchemaAfter, openTestPostgresStore, uniqueSchemaName } from "../test-support/postgres-store.js";
import { openTestSqliteStore } from "../test-support/sqlite-store.js";
import { numberPlaceholders } from "./postgres/placeholders.js";
import { deleteOlderThan, migrate, PostgresStore, type Migration, type ServingStore } from "./index.js";

interface Backend {
  name: string;
  skip: string | undefined;
  open(t: TestContext): Promise<ServingStore>;
  /** a second store on the same data, as a second node of the pipeline would open it (where there can be one) */
  openTwin(t: TestContext, first: ServingStore): Promise<ServingStore>;
}

const backends: Backend[] = [
  {
    name: "sqlite",
    skip: undefined,
    open: (t) => openTestSqliteStore(t),
    // One process owns a store.db (the data-dir lock): its "second node" is the same store.
    openTwin: async (_t, first) => first,
  },
  {
    name: "postgres",
    skip: (await postgres()).skip,
    open: (t) => openTestPostgresStore(t),
    async openTwin(t, first) {
      const store = await PostgresStore.open({ url: POSTGRES_URL, schema: (first as PostgresStore).schema, poolSize: 2 });
      t.after(() => store.close());
      return store;
    },
  },
];

const STOCK_TABLE = "CREATE TABLE stock (sku TEXT PRIMARY KEY, on_hand INTEGER NOT NULL, updated_at BIGINT NOT NULL)";

async function stockStore(backend: Backend, t: TestContext, rows: Array<[string, number]> = [["mug", 1]]): Promise<ServingStore> {
  const store = await backend.open(t);
  await store.run(STOCK_TABLE);
  for (const [sku, onHand] of rows) await store.run("INSERT INTO stock (sku, on_hand, updated_at) VALUES (?, ?, ?)", [sku, onHand, 0]);
  return store;
}

/** Takes one unit if there is one; true when this call got it. */
async function reserveOne(store: ServingStore, sku: string, holdMs = 0): Promise<boolean> {
  return store.transaction(async (tx) => {
    const { changes } = await tx.run("UPDATE stock SET on_hand = on_hand - 1 WHERE sku = ? AND on_hand >= 1", [sku]);
    // Holding the row lock a while makes the other transactions queue up behind this one.
    if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
    return changes === 1;
  });
}

const onHand = async (store: ServingStore, sku = "mug") => (await store.get<{ on_hand: number }>("SELECT on_hand FROM stock WHERE sku = ?", [sku]))?.on_hand;

for (const backend of backends) {
  describe(`ServingStore contract: ${backend.name}`, { skip: backend.skip }, () => {
    it("runs statements, reads rows and counts the rows a write changed", async (t) => {
      const store = await stockStore(backend, t, [["mug", 3], ["lamp", 5], ["vase", 0]]);
      assert.deepEqual(await store.run("UPDATE stock SET on_hand = on_hand + 1 WHERE on_hand > ?", [0]), { changes: 2 });
      assert.deepEqual(await store.run("DELETE FROM stock WHERE sku = ?", ["nothing"]), { changes: 0 });
      assert.deepEqual(await store.run("SELECT sku FROM stock"), { changes: 0 });
      assert.deepEqual(await store.all("SELECT sku, on_hand FROM stock ORDER BY sku"), [
        { sku: "lamp", on_hand: 6 },
        { sku: "mug", on_hand: 4 },
        { sku: "vase", on_hand: 0 },
      ]);
      assert.deepEqual(await store.get("SELECT sku FROM stock WHERE sku = ?", ["vase"]), { sku: "vase" });
      assert.equal(await store.get("SELECT sku FROM stock WHERE sku = ?", ["none"]), undefined);
      assert.deepEqual(await store.all("SELECT sku FROM stock WHERE on_hand > 100"), []);
    });

    it("reads integers, epoch milliseconds, counts, sums and booleans as numbers", async (t) => {
      const store = await stockStore(backend, t, [["mug", 3], ["lamp", 5]]);
      const nowMs = 1_767_600_000_123;
      await store.run("UPDATE stock SET updated_at = ?", [nowMs]);
      await store.run("CREATE TABLE flags (id TEXT PRIMARY KEY, flag BOOLEAN NOT NULL, share DOUBLE PRECISION)");
      await store.run("INSERT INTO flags (id, flag, share) VALUES (?, ?, ?), (?, ?, ?)", ["a", true, 0.25, "b", false, null]);
      const row = await store.get("SELECT COUNT(*) AS n, SUM(on_hand) AS units, MAX(updated_at) AS latest, SUM(updated_at) / 2 AS half, AVG(on_hand) AS mean FROM stock");
      assert.deepEqual(row, { n: 2, units: 8, latest: nowMs, half: nowMs, mean: 4 });
      assert.deepEqual(await store.all("SELECT id, flag, share FROM flags ORDER BY id"), [
        { id: "a", flag: 1, share: 0.25 },
        { id: "b", flag: 0, share: null },
      ]);
      assert.deepEqual(await store.all("SELECT id FROM flags WHERE flag = ?", [true]), [{ id: "a" }]);
    });

    it("binds ? in order, and leaves a ? inside a string literal alone", async (t) => {
      const store = await stockStore(backend, t, [["what?", 1], ["it's", 2]]);
      const rows = await store.all<{ sku: string; mark: string }>(
        "SELECT sku, 'is it? yes' AS mark FROM stock WHERE sku IN (?, ?) AND on_hand BETWEEN ? AND ? ORDER BY on_hand",
        ["what?", "it's", 1, 2],
      );
      assert.deepEqual(rows, [
        { sku: "what?", mark: "is it? yes" },
        { sku: "it's", mark: "is it? yes" },
      ]);
      assert.deepEqual(await store.get("SELECT sku FROM stock WHERE sku = 'what?' AND on_hand = ?", [1]), { sku: "what?" });
      assert.deepEqual(await store.all("SELECT sku FROM stock ORDER BY on_hand DESC LIMIT ?", [1]), [{ sku: "it's" }]);
    });

    it("commits every statement of a transaction together, and returns what the work returned", async (t) => {
      const store = await stockStore(backend, t);
      const result = await store.transaction(async (tx) => {
        await tx.run("INSERT INTO stock (sku, on_hand, updated_at) VALUES (?, ?, ?)", ["lamp", 2, 1]);
        await tx.run("UPDATE stock SET on_hand = on_hand + 10 WHERE sku = ?", ["mug"]);
        // A transaction sees its own writes.
        return tx.get<{ total: number }>("SELECT SUM(on_hand) AS total FROM stock");
      });
      assert.deepEqual(result, { total: 13 });
      assert.equal(await onHand(store, "lamp"), 2);
      assert.equal(await onHand(store, "mug"), 11);
    });

    it("rolls back every statement when the work throws, and rethrows its error", async (t) => {
      const store = await stockStore(backend, t);
      const failure = new Error("payment service down");
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.run("INSERT INTO stock (sku, on_hand, updated_at) VALUES (?, ?, ?)", ["lamp", 2, 1]);
          await tx.run("UPDATE stock SET on_hand = 99 WHERE sku = ?", ["mug"]);
          throw failure;
        }),
        (error) => error === failure,
      );
      assert.deepEqual(await store.all("SELECT sku, on_hand FROM stock"), [{ sku: "mug", on_hand: 1 }]);
      // A failing statement rolls back the statements before it.
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.run("UPDATE stock SET on_hand = 50 WHERE sku = ?", ["mug"]);
          await tx.run("INSERT INTO stock (sku, on_hand, updated_at) VALUES (?, ?, ?)", ["mug", 1, 1]);
        }),
      );
      assert.equal(await onHand(store), 1);
      // The store is still usable afterwards.
      await store.transaction((tx) => tx.run("UPDATE stock SET on_hand = 7 WHERE sku = ?", ["mug"]));
      assert.equal(await onHand(store), 7);
    });

    it("runs helpers that share the transaction, including statements issued at once", async (t) => {
      const store = await stockStore(backend, t, []);
      const addSku = async (tx: Parameters<Parameters<ServingStore["transaction"]>[0]>[0], sku: string) => {
        await tx.run("INSERT INTO stock (sku, on_hand, updated_at) VALUES (?, 0, 0)", [sku]);
        await tx.run("UPDATE stock SET on_hand = on_hand + 5 WHERE sku = ?", [sku]);
      };
      const count = await store.transaction(async (tx) => {
        await addSku(tx, "a");
        await Promise.all(["b", "c", "d"].map((sku) => addSku(tx, sku)));
        return (await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM stock WHERE on_hand = 5"))?.n;
      });
      assert.equal(count, 4);
      assert.equal((await store.get<{ n: number }>("SELECT COUNT(*) AS n FROM stock"))?.n, 4);
    });

    it("never shows another reader half of a transaction", async (t) => {
      const store = await stockStore(backend, t, [["a", 1], ["b", 1]]);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const writer = store.transaction(async (tx) => {
        await tx.run("UPDATE stock SET on_hand = 0 WHERE sku = ?", ["a"]);
        await gate;
        await tx.run("UPDATE stock SET on_hand = 2 WHERE sku = ?", ["b"]);
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const reader = store.all<{ sku: string; on_hand: number }>("SELECT sku, on_hand FROM stock ORDER BY sku");
      release();
      const [rows] = await Promise.all([reader, writer]);
      const seen = rows.map((row) => row.on_hand).join(",");
      assert.ok(seen === "1,1" || seen === "0,2", `a reader saw ${seen}`);
    });

    it("lets exactly one of two concurrent transactions reserve the last unit", async (t) => {
      const store = await stockStore(backend, t);
      const results = await Promise.all([reserveOne(store, "mug", 50), reserveOne(store, "mug", 50)]);
      assert.deepEqual(results.filter(Boolean).length, 1);
      assert.equal(await onHand(store), 0);
    });

    it("never oversells under many concurrent conditional updates, from two connections to the same data", async (t) => {
      const store = await stockStore(backend, t, [["mug", 5]]);
      const twin = await backend.openTwin(t, store);
      const attempts = Array.from({ length: 16 }, (_, i) => reserveOne(i % 2 === 0 ? store : twin, "mug", 5));
      const won = (await Promise.all(attempts)).filter(Boolean).length;
      assert.equal(won, 5);
      assert.equal(await onHand(twin), 0);
    });

    it("makes ON CONFLICT DO NOTHING an idempotency guard inside the transaction of the effect", async (t) => {
      const store = await stockStore(backend, t, [["mug", 10]]);
      await store.run("CREATE TABLE processed_events (consumer TEXT NOT NULL, event_id TEXT NOT NULL, processed_at BIGINT NOT NULL, PRIMARY KEY (consumer, event_id))");
      const applyOnce = (eventId: string, units: number) =>
        store.transaction(async (tx) => {
          const fresh = await tx.run("INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", ["orders", eventId, 1]);
          if (fresh.changes === 0) return false;
          await tx.run("UPDATE stock SET on_hand = on_hand - ? WHERE sku = ?", [units, "mug"]);
          return true;
        });
      assert.deepEqual(await Promise.all([applyOnce("e-1", 2), applyOnce("e-1", 2), applyOnce("e-2", 3)]).then((r) => r.sort()), [false, true, true]);
      assert.equal(await applyOnce("e-2", 3), false);
      assert.equal(await onHand(store), 5);
      // An effect that fails takes its claim with it: the replay applies it.
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.run("INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", ["orders", "e-3", 1]);
          throw new Error("crash");
        }),
      );
      assert.equal(await applyOnce("e-3", 1), true);
      assert.equal(await onHand(store), 4);
    });

    it("returns the rows an INSERT, an upsert or a conditional UPDATE wrote, with RETURNING", async (t) => {
      const store = await stockStore(backend, t, [["mug", 1]]);
      const inserted = await store.all<{ sku: string }>(
        "INSERT INTO stock (sku, on_hand, updated_at) VALUES (?, 1, 0), (?, 1, 0) ON CONFLICT DO NOTHING RETURNING sku",
        ["mug", "lamp"],
      );
      assert.deepEqual(inserted, [{ sku: "lamp" }]);
      assert.deepEqual(await store.run("INSERT INTO stock (sku, on_hand, updated_at) VALUES (?, 1, 0) ON CONFLICT DO NOTHING RETURNING sku", ["vase"]), { changes: 1 });
      const upserted = await store.get<{ on_hand: number }>(
        "INSERT INTO stock (sku, on_hand, updated_at) VALUES (?, ?, 0) ON CONFLICT (sku) DO UPDATE SET on_hand = stock.on_hand + excluded.on_hand RETURNING on_hand",
        ["mug", 4],
      );
      assert.deepEqual(upserted, { on_hand: 5 });
      const taken = await store.transaction((tx) =>
        tx.all<{ on_hand: number }>("UPDATE stock SET on_hand = on_hand - ? WHERE sku = ? AND on_hand >= ? RETURNING on_hand", [5, "mug", 5]),
      );
      assert.deepEqual(taken, [{ on_hand: 0 }]);
      assert.deepEqual(await store.all("UPDATE stock SET on_hand = on_hand - 1 WHERE sku = ? AND on_hand >= 1 RETURNING on_hand", ["mug"]), []);
    });

    it("deletes rows older than a time in chunks, keeps the newer ones, and counts what it deleted", async (t) => {
      const store = await backend.open(t);
      await store.run("CREATE TABLE claims (consumer TEXT NOT NULL, event_id TEXT NOT NULL, processed_at BIGINT NOT NULL, PRIMARY KEY (consumer, event_id))");
      await store.run("CREATE INDEX claims_processed_at ON claims (processed_at)");
      // 12 old rows (times 0 to 11) and 3 at or after the cutoff (12, 13, 14).
      for (let i = 0; i < 15; i++) await store.run("INSERT INTO claims (consumer, event_id, processed_at) VALUES (?, ?, ?)", [i % 2 ? "orders" : "fraud", `e-${i}`, i]);
      const old = { table: "claims", timeColumn: "processed_at", beforeMs: 12, chunkRows: 5 };
      assert.equal(await deleteOlderThan(store, old), 12, "three chunks: 5, 5 and 2");
      assert.deepEqual(await store.all("SELECT event_id FROM claims ORDER BY processed_at"), [{ event_id: "e-12" }, { event_id: "e-13" }, { event_id: "e-14" }]);
      assert.equal(await deleteOlderThan(store, old), 0, "nothing older is left");
      // Twice a whole chunk: the last statement finds nothing and ends the loop.
      assert.equal(await deleteOlderThan(store, { ...old, beforeMs: 14, chunkRows: 1 }), 2);
      await assert.rejects(deleteOlderThan(store, { ...old, table: "claims; DROP TABLE claims" }), RangeError);
      await assert.rejects(deleteOlderThan(store, { ...old, chunkRows: 0 }), RangeError);
    });

    it("applies each migration once, also when two nodes migrate at the same time", async (t) => {
      const store = await backend.open(t);
      const twin = await backend.openTwin(t, store);
      const migrations: Migration[] = [
        { id: "contract-001", statements: ["CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL)"] },
        // Not idempotent on purpose: a second run would fail.
        { id: "contract-002", statements: ["ALTER TABLE notes ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0", "INSERT INTO notes (id, body) VALUES ('n-1', 'first')"] },
      ];
      await Promise.all([migrate(store, migrations), migrate(twin, migrations)]);
      await migrate(store, migrations);
      assert.deepEqual(await store.all("SELECT id, body, created_at FROM notes"), [{ id: "n-1", body: "first", created_at: 0 }]);
      assert.deepEqual((await store.all<{ id: string }>("SELECT id FROM schema_migrations ORDER BY id")).map((row) => row.id), ["contract-001", "contract-002"]);
      await assert.rejects(migrate(store, [...migrations, migrations[0] as Migration]), /declared twice/);
    });

    it("rolls back a migration that fails, so the next start applies it whole", async (t) => {
      const store = await backend.open(t);
      const broken: Migration = { id: "contract-bad", statements: ["CREATE TABLE half (id TEXT PRIMARY KEY)", "ALTER TABLE missing ADD COLUMN x INTEGER"] };
      await assert.rejects(migrate(store, [broken]));
      assert.deepEqual(await store.all("SELECT id FROM schema_migrations"), []);
      await migrate(store, [{ id: "contract-bad", statements: ["CREATE TABLE half (id TEXT PRIMARY KEY)"] }]);
      assert.deepEqual(await store.all("SELECT id FROM half"), []);
    });
  });
}

describe("PostgreSQL placeholders", () => {
  it("numbers ? markers and skips literals, quoted identifiers, comments and dollar quotes", () => {
    assert.deepEqual(numberPlaceholders("SELECT a FROM t WHERE a = ? AND b IN (?, ?)"), { text: "SELECT a FROM t WHERE a = $1 AND b IN ($2, $3)", count: 3 });
    assert.equal(numberPlaceholders("SELECT 'it''s ?', \"odd?col\" FROM t WHERE x = ?").text, "SELECT 'it''s ?', \"odd?col\" FROM t WHERE x = $1");
    assert.equal(numberPlaceholders("SELECT E'a\\'?' , ? -- why?\n, ? /* what? /* nested? */ */ , ?").text, "SELECT E'a\\'?' , $1 -- why?\n, $2 /* what? /* nested? */ */ , $3");
    assert.equal(numberPlaceholders("SELECT $fn$ a ? b $fn$, $$?$$, ?").text, "SELECT $fn$ a ? b $fn$, $$?$$, $1");
    assert.equal(numberPlaceholders("SELECT 'unterminated ?").text, "SELECT 'unterminated ?");
  });
});

describe("PostgresStore.open", { skip: backends[1]?.skip }, () => {
  it("creates the pipeline's schema and keeps its tables there", async (t) => {
    const schema = uniqueSchemaName();
    dropSchemaAfter(t, schema);
    const store = await PostgresStore.open({ url: POSTGRES_URL, schema, poolSize: 1 });
    t.after(() => store.close());
    await store.run("CREATE TABLE kept_here (id INTEGER)");
    assert.deepEqual(await store.get("SELECT table_schema FROM information_schema.tables WHERE table_name = 'kept_here'"), { table_schema: schema });
  });

  it("refuses a schema name that is not a plain identifier", async () => {
    await assert.rejects(PostgresStore.open({ url: POSTGRES_URL, schema: "x; DROP TABLE y" }), RangeError);
  });

  it("retries a transaction that lost a deadlock, and commits it", async (t) => {
    const store = await openTestPostgresStore(t, { poolSize: 4 });
    await store.run(STOCK_TABLE);
    await store.run("INSERT INTO stock (sku, on_hand, updated_at) VALUES ('a', 10, 0), ('b', 10, 0)");
    let attempts = 0;
    // Each takes one row, then waits for the other's: PostgreSQL aborts one of them, which runs again.
    const crossing = (first: string, second: string) =>
      store.transaction(async (tx) => {
        attempts++;
        await tx.run("UPDATE stock SET on_hand = on_hand - 1 WHERE sku = ?", [first]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        await tx.run("UPDATE stock SET on_hand = on_hand - 1 WHERE sku = ?", [second]);
      });
    await Promise.all([crossing("a", "b"), crossing("b", "a")]);
    assert.ok(attempts >= 3, `expected a retry, saw ${attempts} attempts`);
    assert.deepEqual(await store.all("SELECT sku, on_hand FROM stock ORDER BY sku"), [
      { sku: "a", on_hand: 8 },
      { sku: "b", on_hand: 8 },
    ]);
  });

  it("gets a new connection when the server ends the one a transaction was on, and runs it again", async (t) => {
    const store = await openTestPostgresStore(t, { poolSize: 2 });
    await store.run(STOCK_TABLE);
    await store.run("INSERT INTO stock (sku, on_hand, updated_at) VALUES ('a', 10, 0)");
    let attempts = 0;
    await store.transaction(async (tx) => {
      attempts++;
      await tx.run("UPDATE stock SET on_hand = on_hand - 1 WHERE sku = ?", ["a"]);
      if (attempts === 1) {
        // Another session terminates this one, as a failover or an administrator would.
        const { pid } = (await tx.get<{ pid: number }>("SELECT pg_backend_pid() AS pid")) as { pid: number };
        await store.get("SELECT pg_terminate_backend(CAST(? AS INTEGER))", [pid]);
      }
    });
    assert.equal(attempts, 2);
    assert.equal(await onHand(store, "a"), 9);
  });
});
