// The stream component's config: the streams a pipeline declares.
import { Type, type Static } from "@sinclair/typebox";
import { SUBJECT_PREFIX_PATTERN } from "./jetstream/naming.js";

export const streamConfigSchema = Type.Object(
  {
    shards: Type.Integer({ minimum: 1, maximum: 1024, default: 4, description: "shard count; ordering holds per shard" }),
    retentionHours: Type.Integer({ minimum: 1, maximum: 8760, default: 24, description: "records older than this are trimmed" }),
  },
  { additionalProperties: false, default: {} },
);
export type StreamConfig = Static<typeof streamConfigSchema>;

export const streamsConfigSchema = Type.Record(Type.String({ pattern: "^[a-zA-Z0-9_.-]{1,128}$" }), streamConfigSchema, {
  default: { events: {}, curated: {} },
  description: "named streams (Kinesis data streams); `events` receives ingest, `curated` receives enrich's output",
});

/** The JetStream connection and layout, shared in shape by the stream and queue backends. */
export const jetStreamConnectionConfigSchema = Type.Object(
  {
    servers: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })], {
      default: "127.0.0.1:4222",
      description: "NATS server URL(s), e.g. \"nats://10.0.0.5:4222\" or a list of a cluster's servers",
    }),
    subjectPrefix: Type.String({
      pattern: SUBJECT_PREFIX_PATTERN,
      default: "shopstream",
      description: "first subject tokens of every subject; also names the JetStream streams and KV buckets, so two pipelines on one server keep apart",
    }),
    replicas: Type.Integer({ minimum: 1, maximum: 5, default: 1, description: "JetStream replicas of each stream and bucket (3 or 5 in a cluster survive the loss of 1 or 2 servers)" }),
    storage: Type.Union([Type.Literal("file"), Type.Literal("memory")], { default: "file", description: "JetStream storage: file (durable) or memory" }),
  },
  { additionalProperties: false, default: {}, description: "NATS JetStream: used when type is jetstream" },
);
export type JetStreamConnectionConfig = Static<typeof jetStreamConnectionConfigSchema>;

export const jetStreamStreamConfigSchema = Type.Composite(
  [
    jetStreamConnectionConfigSchema,
    Type.Object({
      duplicateWindowMs: Type.Integer({
        minimum: 1000,
        maximum: 86_400_000,
        default: 120_000,
        description: "how long JetStream remembers a put's Nats-Msg-Id: a function's retry after a crash, or a repeated put with the same idempotency key, within it is stored once",
      }),
    }),
  ],
  { additionalProperties: false, default: {}, description: "NATS JetStream: used when type is jetstream" },
);

export const streamBackendConfigSchema = Type.Object(
  {
    type: Type.Union([Type.Literal("sqlite"), Type.Literal("jetstream")], {
      default: "sqlite",
      description: "sqlite: the embedded log under the data dir; jetstream: NATS JetStream streams (several machines, replicated)",
    }),
    jetstream: jetStreamStreamConfigSchema,
    synchronous: Type.Union([Type.Literal("NORMAL"), Type.Literal("FULL")], {
      default: "NORMAL",
      description: "SQLite synchronous setting: NORMAL survives process death; FULL also survives power loss, at a cost",
    }),
    maxRecordBytes: Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024, default: 1024 * 1024, description: "largest record, in bytes" }),
  },
  { additionalProperties: false, default: {}, description: "where the streams live: the embedded SQLite log or NATS JetStream" },
);
export type StreamBackendConfig = Static<typeof streamBackendConfigSchema>;
