// The serving store interface (the role DynamoDB plays in AWS): a small SQL executor with transactions.
// Domain code writes portable SQL (`?` placeholders, INSERT … ON CONFLICT, RETURNING) that both SQLite
// and PostgreSQL run, so a new backend is one class that passes store.contract.test.ts. Both read rows the
// same way: integers (BIGINT and COUNT too) and NUMERIC as numbers, booleans as 1 or 0.

export type SqlValue = string | number | bigint | boolean | null | Uint8Array;

export interface SqlExecutor {
  /** runs a statement; `changes` is the number of rows it inserted, updated or deleted */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
}

export interface ServingStore extends SqlExecutor {
  readonly dialect: "sqlite" | "postgres";
  /**
   * Runs `work` in one transaction: all of its statements commit together or none do. `work` issues its
   * statements through `tx` (never through the store itself), and may run more than once: PostgreSQL
   * retries a transaction that hit a deadlock, a serialization failure or a lost connection, so whatever
   * `work` changes outside the database starts afresh in each attempt.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
