// Deleting old rows a chunk at a time. Each chunk is one short statement, its own transaction, so a large
// backlog never holds SQLite's write lock, or many PostgreSQL row locks, for long: other transactions run
// between the chunks. The chunk is picked through an index on the time column and deleted by physical row
// id (SQLite's rowid, PostgreSQL's ctid: a TID scan, where matching on the primary key would scan the table).
import type { ServingStore } from "./types.js";

export interface OldRows {
  table: string;
  /** a BIGINT column of epoch milliseconds; it should be indexed */
  timeColumn: string;
  /** rows whose time is before this are deleted */
  beforeMs: number;
  /** rows per statement */
  chunkRows: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** One chunk's statement; its parameters are (beforeMs, chunkRows, beforeMs). */
function chunkStatement(dialect: ServingStore["dialect"], table: string, timeColumn: string): string {
  if (dialect === "postgres") {
    // The time is checked again on the row itself: a row deleted or changed since the ARRAY was read is skipped.
    return `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${table} WHERE ${timeColumn} < ? LIMIT ?)) AND ${timeColumn} < ?`;
  }
  return `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${timeColumn} < ? LIMIT ?) AND ${timeColumn} < ?`;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes the rows older than `beforeMs`, `chunkRows` at a time; returns how many it deleted. An aborted
 * `signal` stops it between chunks (a shutdown does not wait for a large backlog).
 */
export async function deleteOlderThan(store: ServingStore, rows: OldRows, signal?: AbortSignal): Promise<number> {
  for (const name of [rows.table, rows.timeColumn]) {
    if (!IDENTIFIER.test(name)) throw new RangeError(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  }
  if (!Number.isSafeInteger(rows.chunkRows) || rows.chunkRows < 1) throw new RangeError(`chunkRows must be a positive integer, got ${rows.chunkRows}`);
  const sql = chunkStatement(store.dialect, rows.table, rows.timeColumn);
  const beforeMs = Math.floor(rows.beforeMs);
  let deleted = 0;
  while (signal?.aborted !== true) {
    const { changes } = await store.run(sql, [beforeMs, rows.chunkRows, beforeMs]);
    deleted += changes;
    // Fewer than a chunk: nothing older is left (a concurrent pruner may have taken some of this chunk, and
    // will carry on itself).
    if (changes < rows.chunkRows) return deleted;
    // SQLite runs a statement on this thread: let I/O and other work in between chunks.
    await nextTurn();
  }
  return deleted;
}
