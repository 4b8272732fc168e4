// The lake delivery's config: Firehose's buffering hints and the Parquet options. The pipeline YAML is
// checked against this schema, and its docs are generated from the descriptions.
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

export const lakeConfigSchema = Type.Object(
  {
    source: Type.String({ default: "curated", description: "stream the lake delivery reads" }),
    bufferSizeBytes: Type.Integer({
      minimum: 1024 * 1024,
      maximum: 128 * 1024 * 1024,
      default: 5 * 1024 * 1024,
      description: "flush a shard's buffer when it holds this many bytes of records (Firehose: 1–128 MiB)",
    }),
    bufferIntervalMs: Type.Integer({
      minimum: 0,
      maximum: 900_000,
      default: 1000,
      description:
        "flush a shard's buffer when its oldest record has waited this long, in ms (Firehose: 0–900 s). " +
        "1 s keeps a local dashboard fresh at the cost of more, smaller files; raise it for fewer files",
    }),
    compression: Type.Union([Type.Literal("zstd"), Type.Literal("snappy")], { default: "zstd", description: "Parquet compression" }),
    readBatchSize: Type.Integer({ minimum: 1, maximum: 10_000, default: 5000, description: "most records per stream read" }),
  },
  { additionalProperties: false, default: {}, description: "the Parquet data lake's delivery stream" },
);

export type LakeConfig = Static<typeof lakeConfigSchema>;

export const DEFAULT_LAKE_CONFIG = Value.Default(lakeConfigSchema, {}) as LakeConfig;
