// The stream component's config: the streams a pipeline declares.
import { Type, type Static } from "@sinclair/typebox";

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

export const streamBackendConfigSchema = Type.Object(
  {
    synchronous: Type.Union([Type.Literal("NORMAL"), Type.Literal("FULL")], {
      default: "NORMAL",
      description: "SQLite synchronous setting: NORMAL survives process death; FULL also survives power loss, at a cost",
    }),
    maxRecordBytes: Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024, default: 1024 * 1024, description: "largest record, in bytes" }),
  },
  { additionalProperties: false, default: {}, description: "the embedded SQLite stream backend" },
);
export type StreamBackendConfig = Static<typeof streamBackendConfigSchema>;
