// The serving store's config: which backend holds it (embedded SQLite, or PostgreSQL when several
// machines share it), how to reach PostgreSQL, and when its bookkeeping tables are pruned.
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

export const storeHousekeepingConfigSchema = Type.Object(
  {
    intervalSec: Type.Integer({
      minimum: 0,
      maximum: 86_400,
      default: 300,
      description:
        "how often a worker prunes the serving store's bookkeeping tables (processed_events, stock_levels, early_payments), in seconds of wall time; 0 never prunes them",
    }),
    safetyMarginMinutes: Type.Integer({
      minimum: 1,
      maximum: 10_080,
      default: 60,
      description:
        "idempotency claims (processed_events) and stock-level rows are deleted once older than the sum of every stream's retention plus this margin, when no stream can deliver their event again; the margin covers batches in flight and clocks that disagree between nodes",
    }),
    earlyPaymentMaxAgeHours: Type.Integer({
      minimum: 1,
      maximum: 8_760,
      default: 168,
      description:
        "a payment whose order has not arrived this many hours after the payment was processed is dropped from early_payments: counted in shopstream_store_pruned_rows_total{table=\"early_payments\"} and as discarded by function:orders (reason early_payment_expired), and logged",
    }),
    deleteChunkRows: Type.Integer({
      minimum: 100,
      maximum: 100_000,
      default: 5_000,
      description: "rows per DELETE statement; each chunk is its own short transaction, so a large backlog never holds the store's write lock for long",
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: "periodic pruning of the serving store's bookkeeping tables, run by every worker next to the streams' retention trim (docs/reliability.md)",
  },
);
export type StoreHousekeepingConfig = Static<typeof storeHousekeepingConfigSchema>;

export const storeConfigSchema = Type.Object(
  {
    backend: Type.Union([Type.Literal("sqlite"), Type.Literal("postgres")], {
      default: "sqlite",
      description: "sqlite: store.db in the data dir; postgres: a PostgreSQL schema, shared by every node of the pipeline",
    }),
    postgres: postgresStoreConfigSchema,
    housekeeping: storeHousekeepingConfigSchema,
  },
  { additionalProperties: false, default: {}, description: "the serving store (orders, inventory, customers, fraud, planning state)" },
);
export type StoreConfig = Static<typeof storeConfigSchema>;
