// The ingest component's config: limits that protect the process, each with its default.
import { Type, type Static } from "@sinclair/typebox";

export const ingestConfigSchema = Type.Object(
  {
    stream: Type.String({ default: "events", description: "stream that accepted events are appended to" }),
    maxBodyBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 10 * 1024 * 1024, description: "largest request body, in bytes; larger bodies get 413" }),
    maxEventsPerRequest: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100_000, description: "most events in one request (the body size limit usually binds first)" }),
    maxEventBytes: Type.Integer({ minimum: 256, maximum: 1024 * 1024, default: 1024 * 1024, description: "largest single event once serialized, in bytes" }),
    maxInflightEvents: Type.Integer({ minimum: 100, maximum: 10_000_000, default: 200_000, description: "events being appended at once across requests; beyond it ingest answers 429 with Retry-After" }),
    maxBacklogRecords: Type.Integer({
      minimum: 0,
      maximum: 1_000_000_000,
      default: 1_000_000,
      description:
        "admission control: while the functions of this process have more records than this waiting in their streams (the largest consumer lag, sampled each second), ingest answers 429 with Retry-After instead of letting the backlog grow without end; 0 turns it off",
    }),
  },
  { additionalProperties: false, default: {}, description: "HTTP ingest (POST /v1/events)" },
);
export type IngestConfig = Static<typeof ingestConfigSchema>;
