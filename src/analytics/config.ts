// The analytics config: how many queries DuckDB runs at once and with how much memory, and the query
// service's limits. The pipeline YAML is checked against this schema, and its docs are generated from the
// descriptions.
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

export const analyticsConfigSchema = Type.Object(
  {
    maxConcurrentQueries: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 2,
      description: "queries that run at once, each on a DuckDB connection of its own; the rest wait, QUEUED (DuckDB also spreads one query over every core)",
    }),
    memoryLimit: Type.Optional(
      Type.String({ pattern: "^[0-9]+(\\.[0-9]+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", description: "DuckDB's memory limit, e.g. \"4GB\"; default 80% of RAM" }),
    ),
    threads: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: "DuckDB worker threads; default one per core" })),
    maxQueuedQueries: Type.Integer({ minimum: 0, maximum: 10_000, default: 100, description: "queries waiting to run; a submission beyond this is refused with 429" }),
    maxResultRows: Type.Integer({
      minimum: 1,
      maximum: 10_000_000,
      default: 100_000,
      description: "rows one result may hold; a bigger result fails (aggregate, add a LIMIT, or write it into the lake with CREATE TABLE … AS)",
    }),
    maxStoredResultRows: Type.Integer({
      minimum: 1,
      maximum: 100_000_000,
      default: 1_000_000,
      description: "result rows kept in memory over all executions; past it the oldest results are dropped",
    }),
    maxHistory: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1000, description: "finished query executions kept in the history" }),
    queryTimeoutMs: Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 1_800_000, description: "a query still running after this long is stopped and fails, in ms" }),
  },
  { additionalProperties: false, default: {}, description: "SQL over the lake (DuckDB) and the query API" },
);

export type AnalyticsConfig = Static<typeof analyticsConfigSchema>;

export const DEFAULT_ANALYTICS_CONFIG = Value.Default(analyticsConfigSchema, {}) as AnalyticsConfig;
