// The lake's config: the delivery streams (Firehose: source, buffering hints, format, prefixes, dynamic
// partitioning, compaction) and the per-table settings (key layout, data-quality expectations). The pipeline
// YAML is checked against these schemas and the config reference is generated from their descriptions;
// what one field cannot say about another is checked by resolveDeliveryStreams (delivery-stream.ts).
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { LAKE_TABLES, type LakeColumnType, type LakeTable, type LakeTableName } from "./tables.js";

const MIB = 1024 * 1024;

/** Hive partitions by the UTC date and hour of the record's timestamp: what dashboards filter on. */
const HOURLY = "dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/";

/** Where a Parquet delivery stream writes a table unless the table says otherwise. */
export const DEFAULT_TABLE_PREFIX = `curated/!{shopstream:table}/${HOURLY}`;

/** The error output prefix of a delivery stream that declares none: its own folder under `errors/`. */
export function defaultErrorOutputPrefix(deliveryStream: string): string {
  return `errors/${deliveryStream}/!{firehose:error-output-type}/${HOURLY}`;
}

/** The prefix of an NDJSON delivery stream that declares none: its own folder, hourly. */
export function defaultNdjsonPrefix(deliveryStream: string): string {
  return `${deliveryStream}/${HOURLY}`;
}

const PREFIX_DESCRIPTION =
  "Firehose-style expressions: !{timestamp:yyyy-MM-dd} (also MM, dd, HH, mm, ss; UTC, of the record's " +
  "timestampField, else of its arrival in the stream), !{partitionKeyFromQuery:<key>} (a dynamicPartitioning key)";

export const compactionConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: "merge small objects in the background" }),
    intervalMs: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 30_000, description: "how often the compactor looks for small objects, in ms" }),
    minFiles: Type.Integer({
      minimum: 2,
      maximum: 10_000,
      default: 8,
      description: "merge a partition's objects from one shard once this many small ones are in a row",
    }),
    targetFileBytes: Type.Integer({
      minimum: MIB,
      maximum: 1024 * MIB,
      default: 64 * MIB,
      description: "objects below this size are small; a merge gathers small objects up to about this size",
    }),
    deleteSourcesAfterMs: Type.Integer({
      minimum: 0,
      maximum: 86_400_000,
      default: 60_000,
      description:
        "how long merged objects stay in place after the merged object is published, in ms: readers skip them at once, " +
        "and a query that listed the lake just before may still be reading them",
    }),
  },
  { additionalProperties: false, description: "background compaction of the Parquet objects (Parquet delivery streams only)" },
);
export type CompactionConfig = Static<typeof compactionConfigSchema>;

export const DEFAULT_COMPACTION_CONFIG = Value.Default(compactionConfigSchema, {}) as CompactionConfig;

const tableName = Type.Union(
  LAKE_TABLES.map((table) => Type.Literal(table.name)),
  { description: "a lake table" },
);

/** A record field, as a dotted path from the record's top level: `type`, `payload.store_id`, `store.region`. */
const FIELD_PATH = "^[A-Za-z_][A-Za-z0-9_]{0,63}(\\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,3}$";
const KEY_NAME = "^[A-Za-z_][A-Za-z0-9_]{0,63}$";

export const deliveryStreamConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: "run this delivery stream (false keeps its config and its lake data, and delivers nothing)" }),
    source: Type.String({ pattern: "^[a-zA-Z0-9_.-]{1,128}$", description: "the stream the delivery stream reads (Firehose's Kinesis source)" }),
    format: Type.Union([Type.Literal("parquet"), Type.Literal("ndjson")], {
      default: "parquet",
      description:
        "parquet: each record converted into the lake tables it feeds (curated zone); ndjson: each record as received, " +
        "one per line, compressed (raw zone)",
    }),
    compression: Type.Union([Type.Literal("zstd"), Type.Literal("snappy"), Type.Literal("gzip")], {
      default: "zstd",
      description: "parquet: zstd or snappy; ndjson: zstd (.ndjson.zst) or gzip (.ndjson.gz)",
    }),
    bufferSizeBytes: Type.Integer({
      minimum: MIB,
      maximum: 128 * MIB,
      default: 32 * MIB,
      description:
        "flush a shard's buffer when it holds this many bytes of records (Firehose: 1–128 MiB, and 64 MiB or more " +
        "with format conversion). It matters when a backlog is delivered: larger flushes convert faster per record " +
        "and make fewer objects (measured: 1.25× the throughput of 5 MiB). A shard holds up to two buffers, and the shards " +
        "of a delivery stream together about (cores + 1) buffers while their flushes run",
    }),
    bufferIntervalMs: Type.Integer({
      minimum: 0,
      maximum: 900_000,
      default: 3000,
      description:
        "flush a shard's buffer when its oldest record has waited this long, in ms (Firehose: 0–900 s). The default of " +
        "3 s keeps the lake within a few seconds of the shop (the dashboard polls every 5 s; its live counters come from " +
        "the serving store); each flush of each shard costs about 0.1 s of DuckDB CPU however few its records (measured: " +
        "with 1 s the end-to-end process used a third more CPU at 2.5k events/s). Compaction merges the small objects. " +
        "The raw zone is an archive and waits 60 s for fewer, larger objects",
    }),
    readBatchSize: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 5000,
      description:
        "most records per stream read. The shards of a delivery stream read in turns, a read per turn of a busy " +
        "event loop: with 1000 the lake fell behind at 10k events/s in the end-to-end scenario while the functions " +
        "kept up (5000 kept up). A read of 5000 holds the JavaScript thread for about 10 ms",
    }),
    prefix: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        description:
          `where objects go. ${PREFIX_DESCRIPTION}, and for parquet !{shopstream:table}. Default: parquet ` +
          `${DEFAULT_TABLE_PREFIX} (a table's own prefix comes first); ndjson <name>/${HOURLY}`,
      }),
    ),
    errorOutputPrefix: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        description:
          "where records that cannot be delivered go, as NDJSON with the raw record and the error; must hold " +
          "!{firehose:error-output-type}, and may hold !{timestamp:…} (of the arrival time). Default: " +
          `errors/<name>/!{firehose:error-output-type}/${HOURLY}`,
      }),
    ),
    timestampField: Type.Optional(
      Type.String({
        pattern: FIELD_PATH,
        description: "the record field (an RFC 3339 timestamp) that !{timestamp:…} formats; without it, the arrival time in the stream (as Firehose)",
      }),
    ),
    dynamicPartitioning: Type.Optional(
      Type.Object(
        {
          keys: Type.Record(Type.String({ pattern: KEY_NAME }), Type.String({ pattern: FIELD_PATH }), {
            description: "partition key name → the record field it is taken from; a prefix names a key as !{partitionKeyFromQuery:<name>}",
          }),
        },
        { additionalProperties: false, description: "partition objects by record fields (Firehose dynamic partitioning)" },
      ),
    ),
    tables: Type.Optional(
      Type.Array(tableName, {
        minItems: 1,
        uniqueItems: true,
        description: "parquet: the lake tables this delivery stream fills (default: every table); each table has one delivery stream",
      }),
    ),
    compaction: Type.Optional({ ...compactionConfigSchema, description: "background compaction of the Parquet objects (parquet only; default: on, with these defaults)" }),
  },
  // The empty default only lets the config loader fill the fields' defaults into each declared entry.
  { additionalProperties: false, default: {}, description: "a delivery stream (Kinesis Data Firehose): a stream delivered to the lake" },
);
export type DeliveryStreamConfig = Static<typeof deliveryStreamConfigSchema>;

export const deliveryStreamsConfigSchema = Type.Record(Type.String({ pattern: "^[a-z][a-z0-9_-]{0,63}$" }), deliveryStreamConfigSchema, {
  default: {
    curated: {
      source: "curated",
      format: "parquet",
      timestampField: "occurred_at",
      dynamicPartitioning: { keys: { type: "type" } },
      compaction: {},
    },
    // 16 MiB a shard: a minute of a busy shop's events would otherwise wait in memory (at 15k events/s,
    // 64 MiB buffers took the end-to-end bench's peak RSS from about 1.1 to 1.4 GiB).
    raw: { source: "events", format: "ndjson", bufferSizeBytes: 16 * MIB, bufferIntervalMs: 60_000 },
  },
  description:
    "named delivery streams (Kinesis Data Firehose) into the lake: `curated` converts the curated stream into the " +
    "Parquet tables; `raw` keeps every ingested event as received, as compressed NDJSON",
});
export type DeliveryStreamsConfig = Static<typeof deliveryStreamsConfigSchema>;

const NUMERIC_TYPES: ReadonlySet<LakeColumnType> = new Set(["INTEGER", "BIGINT", "DOUBLE", "DECIMAL(18,4)"]);
const TIME_TYPES: ReadonlySet<LakeColumnType> = new Set(["TIMESTAMPTZ", "DATE"]);

function columnOf(table: LakeTable, accept: (type: LakeColumnType) => boolean, what: string): TSchema {
  const names = table.columns.filter((column) => accept(column.type)).map((column) => column.name);
  return Type.Union(
    names.map((name) => Type.Literal(name)),
    { description: `${what} of ${table.name}` },
  );
}

const blocking = Type.Boolean({
  default: false,
  description: "when it fails on a delivered batch, the batch's rows of this table go to the error prefix instead of the table",
});

/** The expectations a table may declare, with its own column names, so a typo fails at load with a line number. */
function expectationSchema(table: LakeTable): TSchema {
  const anyColumn = columnOf(table, (type) => type !== "JSON", "a column");
  const numericColumn = columnOf(table, (type) => NUMERIC_TYPES.has(type), "a numeric column");
  const timeColumn = columnOf(table, (type) => TIME_TYPES.has(type), "a timestamp or date column");
  const variants: TSchema[] = [
    Type.Object({ type: Type.Literal("notNull"), column: anyColumn, blocking }, { additionalProperties: false, description: "every row has a value" }),
    Type.Object(
      { type: Type.Literal("unique"), columns: Type.Array(anyColumn, { minItems: 1, uniqueItems: true }), blocking },
      { additionalProperties: false, description: "no two rows share these columns' values (per batch on delivery; over the table in `shopstream check`)" },
    ),
    Type.Object(
      { type: Type.Literal("range"), column: numericColumn, min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()), blocking },
      { additionalProperties: false, description: "values lie within [min, max]; NULL passes" },
    ),
    Type.Object(
      {
        type: Type.Literal("allowedValues"),
        column: anyColumn,
        values: Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { minItems: 1 }),
        blocking,
      },
      { additionalProperties: false, description: "values are among these; NULL passes" },
    ),
    Type.Object(
      { type: Type.Literal("freshness"), column: timeColumn, maxAgeSec: Type.Integer({ minimum: 1, maximum: 31_536_000 }), blocking },
      { additionalProperties: false, description: "the newest value is at most maxAgeSec old" },
    ),
  ];
  return Type.Union(variants, { description: "a data-quality expectation" });
}

/** What the shipped config expects of each table. Blocking only where a value can only be a defect. */
const DEFAULT_EXPECTATIONS: Readonly<Record<LakeTableName, readonly object[]>> = {
  events: [
    { type: "unique", columns: ["event_id"] },
    { type: "freshness", column: "ingested_at", maxAgeSec: 3600 },
  ],
  orders: [
    { type: "unique", columns: ["order_id"] },
    { type: "range", column: "total", min: 0, blocking: true },
  ],
  order_items: [
    { type: "range", column: "quantity", min: 1, blocking: true },
    { type: "range", column: "unit_price", min: 0, blocking: true },
  ],
  page_views: [{ type: "notNull", column: "session_id" }],
  inventory_snapshots: [{ type: "range", column: "on_hand", min: 0, blocking: true }],
  reviews: [
    { type: "unique", columns: ["review_id"] },
    { type: "range", column: "rating", min: 1, max: 5, blocking: true },
  ],
  fraud_alerts: [
    { type: "unique", columns: ["alert_id"] },
    { type: "range", column: "score", min: 0, max: 1, blocking: true },
  ],
  payments: [
    { type: "allowedValues", column: "status", values: ["authorized", "failed"] },
    { type: "range", column: "amount", min: 0, blocking: true },
  ],
  stock_levels: [
    { type: "unique", columns: ["event_id"] },
    { type: "range", column: "on_hand", min: 0, blocking: true },
    { type: "range", column: "reserved", min: 0, blocking: true },
  ],
  low_stock_alerts: [{ type: "unique", columns: ["alert_id"] }],
};

/** The events table is also partitioned by event type, which most dashboard queries filter on. */
const DEFAULT_TABLE_PREFIXES: Partial<Record<LakeTableName, string>> = {
  events: `curated/events/type=!{partitionKeyFromQuery:type}/${HOURLY}`,
};

function tableSettingsSchema(table: LakeTable): TSchema {
  const name = table.name as LakeTableName;
  const defaultPrefix = DEFAULT_TABLE_PREFIXES[name];
  return Type.Object(
    {
      prefix: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 512,
          description: `this table's objects, in place of its delivery stream's prefix; must start with curated/${table.name}/. ${PREFIX_DESCRIPTION}`,
          ...(defaultPrefix === undefined ? {} : { default: defaultPrefix }),
        }),
      ),
      expectations: Type.Array(expectationSchema(table), {
        default: DEFAULT_EXPECTATIONS[name],
        description: "checked on every delivered batch, and over the whole table by `shopstream check`",
      }),
    },
    { additionalProperties: false, default: {}, description: table.description },
  );
}

// The schema is assembled per table (each table's own column names), so its static type is spelled out
// below rather than inferred.
export const tablesConfigSchema = Type.Unsafe<TablesConfig>(
  Type.Object(Object.fromEntries(LAKE_TABLES.map((table) => [table.name, tableSettingsSchema(table)])), {
    additionalProperties: false,
    default: {},
    description: "per lake table: where its objects go and the data-quality expectations it is held to",
  }),
);

export type Expectation =
  | { type: "notNull"; column: string; blocking: boolean }
  | { type: "unique"; columns: string[]; blocking: boolean }
  | { type: "range"; column: string; min?: number; max?: number; blocking: boolean }
  | { type: "allowedValues"; column: string; values: Array<string | number | boolean>; blocking: boolean }
  | { type: "freshness"; column: string; maxAgeSec: number; blocking: boolean };

export interface TableSettings {
  prefix?: string;
  expectations: Expectation[];
}

export type TablesConfig = Record<LakeTableName, TableSettings>;

export const DEFAULT_DELIVERY_STREAMS = Value.Default(deliveryStreamsConfigSchema, undefined) as DeliveryStreamsConfig;
export const DEFAULT_TABLES_CONFIG = Value.Default(tablesConfigSchema, {}) as TablesConfig;

/** A delivery stream's config with every default filled in, from a partial one (tests, the CLI). */
export function deliveryStreamConfig(partial: Partial<DeliveryStreamConfig> & Pick<DeliveryStreamConfig, "source">): DeliveryStreamConfig {
  return Value.Default(deliveryStreamConfigSchema, structuredClone(partial)) as DeliveryStreamConfig;
}
