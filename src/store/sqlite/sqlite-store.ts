// The embedded serving store on SQLite (WAL). better-sqlite3 is synchronous, so an async transaction
// holds a lock that every other statement waits for: nothing interleaves into an open transaction.
// WAL checkpoints run in a worker thread with its own connection once the store is busy, so a commit on
// the main thread never waits for a checkpoint's page copies and fsyncs.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import type { ServingStore, SqlExecutor, SqlValue } from "../types.js";

export interface SqliteStoreOptions {
  path: string;
  synchronous?: "NORMAL" | "FULL";
}

type Params = readonly SqlValue[];

const RETURNING = /\bRETURNING\b/i;

/** Commits after which checkpoints move to the worker thread: a store that small never needs it. */
const BACKGROUND_CHECKPOINT_AFTER_COMMITS = 200;
const CHECKPOINT_INTERVAL_MS = 200;
/**
 * With the worker checkpointing, the main connection still checkpoints past this many WAL pages (SQLite's
 * default is 1000): a safety net, should the worker fall behind or a reader hold the WAL back.
 */
const FALLBACK_AUTOCHECKPOINT_PAGES = 8_192;

/** PASSIVE checkpoints never wait for the writer, nor make it wait. */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("synchronous = " + workerData.synchronous);
const timer = setInterval(() => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {}
}, workerData.intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

function bindable(params: Params): unknown[] {
  return params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p));
}

export class SqliteStore implements ServingStore {
  readonly dialect = "sqlite";
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** settles when the current transaction ends */
  private lock: Promise<void> = Promise.resolve();
  private commits = 0;
  private checkpointer: { worker: Worker; exited: Promise<unknown> } | undefined;

  constructor(private readonly options: SqliteStoreOptions) {
    this.db = new Database(options.path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
    this.db.pragma("busy_timeout = 5000");
    this.db.defaultSafeIntegers(false);
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
        if (++this.commits === BACKGROUND_CHECKPOINT_AFTER_COMMITS) this.startCheckpointer();
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw error;
      }
    } finally {
      release();
    }
  }

  private startCheckpointer(): void {
    if (this.db.memory) return;
    const worker = new Worker(CHECKPOINTER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        path: this.db.name,
        synchronous: this.options.synchronous ?? "NORMAL",
        intervalMs: CHECKPOINT_INTERVAL_MS,
      },
    });
    worker.unref();
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    // Without the worker, the main connection checkpoints at SQLite's default, as before.
    worker.once("error", () => this.db.open && this.db.pragma("wal_autocheckpoint = 1000"));
    this.checkpointer = { worker, exited };
    this.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  }

  async close(): Promise<void> {
    await this.lock;
    const checkpointer = this.checkpointer;
    this.checkpointer = undefined;
    if (checkpointer) {
      checkpointer.worker.ref(); // until it has closed its connection
      checkpointer.worker.postMessage("close");
      await checkpointer.exited;
    }
    if (this.db.open) this.db.close();
  }
}
