// Opens the serving store the config names: store.db in the data dir, or the pipeline's PostgreSQL schema.
import type { StoreConfig } from "./config.js";
import { PostgresStore } from "./postgres/postgres-store.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";
import type { ServingStore } from "./types.js";

export interface EmbeddedStoreOptions {
  /** the SQLite file, used when the backend is sqlite */
  sqlitePath: string;
  synchronous?: "NORMAL" | "FULL";
}

export async function openServingStore(config: StoreConfig, embedded: EmbeddedStoreOptions): Promise<ServingStore> {
  if (config.backend === "postgres") {
    const { url, schema, poolSize, maxTransactionAttempts } = config.postgres;
    return PostgresStore.open({ url, schema, poolSize, maxTransactionAttempts });
  }
  return new SqliteStore({ path: embedded.sqlitePath, ...(embedded.synchronous !== undefined && { synchronous: embedded.synchronous }) });
}
