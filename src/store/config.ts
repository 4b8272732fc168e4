// The serving store's config: which backend holds it (embedded SQLite, or PostgreSQL when several
// machines share it) and how to reach PostgreSQL.
import { Type, type Static } from "@sinclair/typebox";

export const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";
export const DEFAULT_POSTGRES_SCHEMA = "shopstream";

export const postgresStoreConfigSchema = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      default: DEFAULT_POSTGRES_URL,
      description: "connection URL, e.g. postgres://shopstream:${env:PGPASSWORD}@db.internal:5432/shop (a password belongs in the environment)",
    }),
    schema: Type.String({
      pattern: "^[a-z_][a-z0-9_]{0,62}$",
      default: DEFAULT_POSTGRES_SCHEMA,
      description: "the schema that holds this pipeline's tables (created when missing); one per pipeline",
    }),
    poolSize: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: "connections in the pool" }),
    maxTransactionAttempts: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 5,
      description: "attempts of a transaction that hit a serialization failure, a deadlock or a lost connection",
    }),
  },
  { additionalProperties: false, default: {}, description: "PostgreSQL settings, used when backend is postgres" },
);
export type PostgresStoreConfig = Static<typeof postgresStoreConfigSchema>;

export const storeConfigSchema = Type.Object(
  {
    backend: Type.Union([Type.Literal("sqlite"), Type.Literal("postgres")], {
      default: "sqlite",
      description: "sqlite: store.db in the data dir; postgres: a PostgreSQL schema, shared by every node of the pipeline",
    }),
    postgres: postgresStoreConfigSchema,
  },
  { additionalProperties: false, default: {}, description: "the serving store (orders, inventory, customers, fraud, planning state)" },
);
export type StoreConfig = Static<typeof storeConfigSchema>;
