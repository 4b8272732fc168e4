// Public surface of the serving store: the interface, its backends, their config, the schema migrations and
// chunked deletion of old rows.
export type * from "./types.js";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.js";
export { PostgresStore, type PostgresStoreOptions } from "./postgres/postgres-store.js";
export { openServingStore, type EmbeddedStoreOptions } from "./open.js";
export {
  DEFAULT_POSTGRES_SCHEMA, DEFAULT_POSTGRES_URL, storeConfigSchema, type PostgresStoreConfig, type StoreConfig, type StoreHousekeepingConfig,
} from "./config.js";
export { coreMigrations, migrate, type Migration } from "./schema.js";
export { deleteOlderThan, type OldRows } from "./prune.js";
