// WAL checkpoints off the main thread. SQLite in WAL mode checkpoints on the connection that commits once
// the WAL passes wal_autocheckpoint pages (1,000 by default): that commit then copies the WAL's pages into
// the database and fsyncs it, and with better-sqlite3 the event loop waits for all of it. On a busy
// database this stalls one commit in every few hundred (measured on the stream at 20k events/s in
// 1000-record appends: p99 28–131 ms and up to 191 ms a put with automatic checkpoints, at most 9 ms
// without them).
//
// Once a database has seen a few hundred commits, a worker thread with its own connection runs
// wal_checkpoint(PASSIVE) every 200 ms, which never waits for the writer nor makes it wait. The main
// connection keeps an automatic checkpoint at 8,192 pages (32 MiB) as a safety net, should the worker fall
// behind or a reader hold the WAL back; if the worker cannot start, it goes back to SQLite's default.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/** Commits after which checkpoints move to the worker thread: a database that small never needs it. */
const BACKGROUND_CHECKPOINT_AFTER_COMMITS = 200;
const CHECKPOINT_INTERVAL_MS = 200;
const FALLBACK_AUTOCHECKPOINT_PAGES = 8_192;
const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

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

export class WalCheckpointer {
  private commits = 0;
  private running: { worker: Worker; exited: Promise<unknown> } | undefined;

  constructor(private readonly db: Database.Database) {}

  /** Counts a commit on the main connection; the worker starts at the 200th. */
  committed(): void {
    if (++this.commits === BACKGROUND_CHECKPOINT_AFTER_COMMITS) this.start();
  }

  private start(): void {
    if (this.db.memory || !this.db.open) return;
    const worker = new Worker(CHECKPOINTER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        path: this.db.name,
        // the worker's connection syncs as the main one was set to (a number: 1 NORMAL, 2 FULL)
        synchronous: this.db.pragma("synchronous", { simple: true }),
        intervalMs: CHECKPOINT_INTERVAL_MS,
      },
    });
    worker.unref();
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.once("error", () => this.db.open && this.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`));
    this.running = { worker, exited };
    this.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  }

  /**
   * Stops the worker and resolves once it has closed its connection (the last connection to close
   * checkpoints the WAL and removes it). Call it after closing the main connection: that one closes at
   * once, as it did before the worker, so nothing goes on using it while the worker stops (a poller that
   * gets nothing from a closing queue would otherwise loop on resolved promises, and starve the event
   * loop that has to see the worker exit).
   */
  async close(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    running.worker.ref();
    running.worker.postMessage("close");
    await running.exited;
  }
}
