// The pipeline config schema, assembled from each component's own schema. The JSON Schema that editors
// use (`shopstream validate --print-schema`) and the config reference in docs/ are generated from it.
import { Type, type Static } from "@sinclair/typebox";
import { analyticsConfigSchema } from "../analytics/config.js";
import { customersConfigSchema } from "../customers/config.js";
import { fraudConfigSchema } from "../fraud/config.js";
import { functionsConfigSchema } from "../functions/config.js";
import { ingestConfigSchema } from "../ingest/config.js";
import { deliveryStreamsConfigSchema, tablesConfigSchema } from "../lake/config.js";
import { queueBackendConfigSchema, queuesConfigSchema } from "../queue/config.js";
import { simulatorConfigSchema } from "../simulator/config.js";
import { streamBackendConfigSchema, streamsConfigSchema } from "../stream/config.js";

export const serverConfigSchema = Type.Object(
  {
    host: Type.String({ default: "127.0.0.1", description: "address to bind; loopback by default" }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 4566, description: "HTTP port for ingest, the AWS APIs, the dashboard and /metrics" }),
  },
  { additionalProperties: false, default: {}, description: "the HTTP server" },
);

export const pipelineConfigSchema = Type.Object(
  {
    server: serverConfigSchema,
    streams: streamsConfigSchema,
    streamBackend: streamBackendConfigSchema,
    ingest: ingestConfigSchema,
    queues: queuesConfigSchema,
    queueBackend: queueBackendConfigSchema,
    functions: functionsConfigSchema,
    deliveryStreams: deliveryStreamsConfigSchema,
    tables: tablesConfigSchema,
    customers: customersConfigSchema,
    fraud: fraudConfigSchema,
    analytics: analyticsConfigSchema,
    simulator: simulatorConfigSchema,
  },
  { additionalProperties: false, $id: "https://shopstream.dev/schemas/pipeline.json", title: "shopstream pipeline" },
);

export type PipelineConfig = Static<typeof pipelineConfigSchema>;
