// The embedded serving store on SQLite (WAL). better-sqlite3 is synchronous, so an async transaction
// holds a lock that every other statement waits for: nothing interleaves into an open transaction.
// WAL checkpoints run in a worker thread with its own connection once the store is busy, so a commit on
// the main thread never waits for a checkpoint's page copies and fsyncs.
import Database from "better-sqlite3";
import { WalCheckpointer } from "../../sqlite/index.js";
import type { ServingStore, SqlExecutor, SqlValue } from "../types.js";

export interface SqliteStoreOptions {
  path: string;
  synchronous?: "NORMAL" | "FULL";
}

type Params = readonly SqlValue[];

const RETURNING = /\bRETURNING\b/i;

function bindable(params: Params): unknown[] {
  return params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p));
}

export class SqliteStore implements ServingStore {
  readonly dialect = "sqlite";
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** settles when the current transaction ends */
  private lock: Promise<void> = Promise.resolve();
  private readonly checkpointer: WalCheckpointer;

  constructor(private readonly options: SqliteStoreOptions) {
    this.db = new Database(options.path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
    this.db.pragma("busy_timeout = 5000");
    this.db.defaultSafeIntegers(false);
    this.checkpointer = new WalCheckpointer(this.db);
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private readonly direct: SqlExecutor = {
    run: async (sql, params = []) => {
      const stmt = this.statement(sql);
      if (stmt.reader) {
        // A write with RETURNING is a reader too: what it returns is what it changed.
        const rows = stmt.all(...bindable(params));
        return { changes: RETURNING.test(sql) ? rows.length : 0 };
      }
      return { changes: stmt.run(...bindable(params)).changes };
    },
    all: async <T>(sql: string, params: Params = []) => this.statement(sql).all(...bindable(params)) as T[],
    get: async <T>(sql: string, params: Params = []) => this.statement(sql).get(...bindable(params)) as T | undefined,
  };

  async run(sql: string, params?: Params): Promise<{ changes: number }> {
    await this.lock;
    return this.direct.run(sql, params);
  }

  async all<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]> {
    await this.lock;
    return this.direct.all<T>(sql, params);
  }

  async get<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T | undefined> {
    await this.lock;
    return this.direct.get<T>(sql, params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const previous = this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(this.direct);
        this.db.exec("COMMIT");
        this.checkpointer.committed();
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw error;
      }
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    await this.lock;
    if (this.db.open) this.db.close();
    await this.checkpointer.close();
  }
}
