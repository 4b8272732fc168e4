// The scale-out serving store on PostgreSQL: a connection pool, each pipeline's tables in a schema of its
// own, and transactions on one pooled connection. Rows come back as the SQLite store returns them
// (BIGINT, NUMERIC and COUNT as numbers, booleans as 1 or 0), so domain code reads both the same way.
import pg from "pg";
import type { ServingStore, SqlExecutor, SqlValue } from "../types.js";
import { numberPlaceholders } from "./placeholders.js";
import { isConnectionLoss, isRetryable, retryDelayMs } from "./retry.js";

export interface PostgresStoreOptions {
  /** e.g. postgres://postgres@127.0.0.1:5432/postgres */
  url: string;
  /** the schema that holds the tables; created when missing */
  schema: string;
  /** connections in the pool; default 10 */
  poolSize?: number;
  /** attempts of a transaction (or statement) that failed for a retryable reason; default 5 */
  maxTransactionAttempts?: number;
}

type Params = readonly SqlValue[];

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const WRITE_COMMANDS = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);

const OID = { bool: 16, int8: 20, numeric: 1700 } as const;

function parseInt8(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

/** Type parsers for this pool only: the process-wide pg.types stay as they are. */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format !== "binary") {
      if (oid === OID.int8) return parseInt8;
      if (oid === OID.numeric) return (text: string) => Number(text);
      if (oid === OID.bool) return (text: string) => (text === "t" ? 1 : 0);
    }
    return pg.types.getTypeParser(oid, format as "text");
  }) as pg.CustomTypesConfig["getTypeParser"],
};

/** pg sends `true` as 'true', which an INTEGER column refuses; 1 and 0 suit INTEGER and BOOLEAN alike. */
function bindable(params: Params): unknown[] {
  return params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p));
}

const translations = new Map<string, string>();
const MAX_CACHED_TRANSLATIONS = 5000;

function toPostgres(sql: string): string {
  let text = translations.get(sql);
  if (text === undefined) {
    text = numberPlaceholders(sql).text;
    if (translations.size < MAX_CACHED_TRANSLATIONS) translations.set(sql, text);
  }
  return text;
}

function executorOn(queryable: pg.Pool | pg.PoolClient): SqlExecutor {
  const query = (sql: string, params: Params = []) => queryable.query(toPostgres(sql), bindable(params));
  return {
    run: async (sql, params) => {
      const result = await query(sql, params);
      return { changes: WRITE_COMMANDS.has(result.command) ? (result.rowCount ?? 0) : 0 };
    },
    all: async <T>(sql: string, params?: Params) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params?: Params) => (await query(sql, params)).rows[0] as T | undefined,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PostgresStore implements ServingStore {
  readonly dialect = "postgres";
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly direct: SqlExecutor;
  private readonly maxAttempts: number;
  private closed = false;

  private constructor(options: PostgresStoreOptions) {
    this.schema = options.schema;
    this.maxAttempts = options.maxTransactionAttempts ?? 5;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      // Unqualified table names resolve in the pipeline's schema, and only there.
      options: `-c search_path=${options.schema}`,
      types: typeParsers,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection the server dropped: the pool discards it; the next checkout connects anew.
    this.pool.on("error", () => undefined);
    this.direct = executorOn(this.pool);
  }

  /** Connects, and creates the schema when it is missing. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    if (!SCHEMA_NAME.test(options.schema)) throw new RangeError(`schema must match ${SCHEMA_NAME}, got ${JSON.stringify(options.schema)}`);
    const store = new PostgresStore(options);
    try {
      await store.withRetry(() => store.pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`)).catch((error: unknown) => {
        // Two nodes creating it at once: one wins, the other sees the unique violation.
        if ((error as { code?: string }).code !== "23505") throw error;
      });
    } catch (error) {
      await store.pool.end();
      throw error;
    }
    return store;
  }

  /** A statement outside a transaction is its own transaction, retried as one. */
  run(sql: string, params?: Params): Promise<{ changes: number }> {
    return this.withRetry(() => this.direct.run(sql, params));
  }

  all<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]> {
    return this.withRetry(() => this.direct.all<T>(sql, params));
  }

  get<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T | undefined> {
    return this.withRetry(() => this.direct.get<T>(sql, params));
  }

  /**
   * Runs `work` on one connection between BEGIN and COMMIT (READ COMMITTED: a conditional UPDATE waits for
   * a concurrent writer of its row and re-checks its condition on the committed row). A deadlock, a
   * serialization failure or a lost connection rolls back and runs `work` again from the start, so `work`
   * keeps its effects inside the transaction.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.withRetry(async () => {
      const client = await this.pool.connect();
      let broken: unknown;
      // The server may end the session between statements (failover, an administrator): pg reports that
      // as an event on the client, and the next statement fails, which retries the transaction.
      const onError = (error: unknown) => {
        broken ??= error;
      };
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        try {
          const result = await work(executorOn(client));
          await client.query("COMMIT");
          return result;
        } catch (error) {
          await client.query("ROLLBACK").catch((rollbackError: unknown) => {
            broken = rollbackError;
          });
          throw error;
        }
      } catch (error) {
        if (isConnectionLoss(error)) broken ??= error;
        throw error;
      } finally {
        client.off("error", onError);
        // A connection in an unknown state is closed, not handed to the next caller.
        client.release(broken === undefined ? undefined : broken instanceof Error ? broken : true);
      }
    });
  }

  private async withRetry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let attemptNo = 1; ; attemptNo++) {
      try {
        return await attempt();
      } catch (error) {
        if (this.closed || attemptNo >= this.maxAttempts || !isRetryable(error)) throw error;
        await sleep(retryDelayMs(attemptNo));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
