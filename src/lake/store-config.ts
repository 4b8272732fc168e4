// The lake's object store config: a local directory (the default) or an S3-compatible bucket. The pipeline
// YAML is checked against this schema and the config reference is generated from its descriptions; what
// one field cannot say about another (store: s3 needs an s3 section) is checked by openLakeStore.
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

const MIB = 1024 * 1024;
/** S3's smallest part (except the last) and largest part. */
export const MIN_PART_BYTES = 5 * MIB;
export const MAX_PART_BYTES = 5 * 1024 * MIB;

export const s3StoreConfigSchema = Type.Object(
  {
    bucket: Type.String({ pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description: "the bucket the lake lives in; it must exist" }),
    prefix: Type.String({
      pattern: "^([^/].*/)?$",
      default: "",
      description: 'a key prefix for every lake object, e.g. "shopstream/lake/" (ends with "/"); empty: the bucket\'s root',
    }),
    endpoint: Type.Optional(
      Type.String({ pattern: "^https?://", description: "an S3-compatible server's URL, e.g. http://127.0.0.1:9000; AWS's regional endpoint when absent" }),
    ),
    region: Type.String({ minLength: 1, default: "us-east-1", description: "the bucket's region (signed into every request)" }),
    forcePathStyle: Type.Boolean({
      default: false,
      description: "address the bucket as <endpoint>/<bucket>/<key> instead of <bucket>.<endpoint>/<key>: what most self-hosted S3-compatible servers need",
    }),
    accessKeyId: Type.Optional(
      Type.String({ minLength: 1, description: "with secretAccessKey: static credentials, e.g. ${env:S3_ACCESS_KEY_ID}; the AWS SDK's default chain (environment, profile, instance role) when absent" }),
    ),
    secretAccessKey: Type.Optional(Type.String({ minLength: 1, description: "with accessKeyId, e.g. ${env:S3_SECRET_ACCESS_KEY}" })),
    multipartThresholdBytes: Type.Integer({
      minimum: MIN_PART_BYTES,
      maximum: MAX_PART_BYTES,
      default: 16 * MIB,
      description: "objects larger than this are uploaded in parts (multipart upload), smaller ones with one PUT",
    }),
    multipartPartSizeBytes: Type.Integer({
      minimum: MIN_PART_BYTES,
      maximum: MAX_PART_BYTES,
      default: 16 * MIB,
      description: "the size of each part of a multipart upload (S3: 5 MiB to 5 GiB; raised when an object would need more than 10,000 parts)",
    }),
    multipartConcurrency: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 4,
      description: "parts of one object uploaded at once; each holds a part in memory",
    }),
  },
  { additionalProperties: false, description: "the S3-compatible bucket of a lake with store: s3" },
);
export type S3StoreConfig = Static<typeof s3StoreConfigSchema>;

export const lakeConfigSchema = Type.Object(
  {
    store: Type.Union([Type.Literal("local"), Type.Literal("s3")], {
      default: "local",
      description:
        "local: the lake is <data-dir>/lake; s3: the lake is in an S3-compatible bucket (lake.s3), which delivery and " +
        "compaction write, and <data-dir>/lake is a local mirror of its curated zone that SQL reads (docs/backends.md)",
    }),
    s3: Type.Optional(s3StoreConfigSchema),
  },
  { additionalProperties: false, default: {}, description: "where the lake's objects are stored" },
);
export type LakeConfig = Static<typeof lakeConfigSchema>;

export const DEFAULT_LAKE_CONFIG = Value.Default(lakeConfigSchema, {}) as LakeConfig;

/** An s3 section with every default filled in, from a partial one (tests). */
export function s3StoreConfig(partial: Partial<S3StoreConfig> & Pick<S3StoreConfig, "bucket">): S3StoreConfig {
  return Value.Default(s3StoreConfigSchema, structuredClone(partial)) as S3StoreConfig;
}
