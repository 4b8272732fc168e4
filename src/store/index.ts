// Public surface of the serving store: the interface, its backends, their config and the schema migrations.
export type * from "./types.js";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.js";
export { PostgresStore, type PostgresStoreOptions } from "./postgres/postgres-store.js";
export { openServingStore, type EmbeddedStoreOptions } from "./open.js";
export { DEFAULT_POSTGRES_SCHEMA, DEFAULT_POSTGRES_URL, storeConfigSchema, type PostgresStoreConfig, type StoreConfig } from "./config.js";
export { coreMigrations, migrate, type Migration } from "./schema.js";
