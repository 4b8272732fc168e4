// Public surface of the serving store: the interface, its backends and the schema migrations.
export type * from "./types.js";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.js";
export { coreMigrations, migrate, type Migration } from "./schema.js";
