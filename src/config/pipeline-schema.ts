// The pipeline config schema, assembled from each component's own schema. The JSON Schema that editors
// use (`shopstream validate --print-schema`) and the config reference in docs/ are generated from it.
import { Type, type Static } from "@sinclair/typebox";
import { alarmsConfigSchema, alarmWebhookConfigSchema } from "../alarms/config.js";
import { analyticsConfigSchema } from "../analytics/config.js";
import { awsConfigSchema } from "../aws/config.js";
import { customersConfigSchema } from "../customers/config.js";
import { fraudConfigSchema } from "../fraud/config.js";
import { functionsConfigSchema } from "../functions/config.js";
import { ingestConfigSchema } from "../ingest/config.js";
import { dispatchConfigSchema, inventoryConfigSchema, planningConfigSchema } from "../planning/config.js";
import { deliveryStreamsConfigSchema, tablesConfigSchema } from "../lake/config.js";
import { lakeConfigSchema } from "../lake/store-config.js";
import { queueBackendConfigSchema, queuesConfigSchema } from "../queue/config.js";
import { simulatorConfigSchema } from "../simulator/config.js";
import { storeConfigSchema } from "../store/config.js";
import { serverAuthConfigSchema } from "../server/auth-config.js";
import { streamBackendConfigSchema, streamsConfigSchema } from "../stream/config.js";
import { clusterConfigSchema, nodeConfigSchema, rolesConfigSchema } from "../cluster/config.js";

export const serverConfigSchema = Type.Object(
  {
    host: Type.String({ default: "127.0.0.1", description: "address to bind; loopback by default" }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 4566, description: "HTTP port for ingest, the AWS APIs, the dashboard and /metrics" }),
    auth: serverAuthConfigSchema,
    requestTimeoutMs: Type.Integer({
      minimum: 0,
      maximum: 3_600_000,
      default: 60_000,
      description: "most time a request's body may take to arrive after its headers; slower requests get 408 and are closed (0: no limit)",
    }),
    firstByteTimeoutMs: Type.Integer({
      minimum: 0,
      maximum: 3_600_000,
      default: 10_000,
      description: "a new connection that sends nothing within this is closed (0: no limit)",
    }),
    maxConnections: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 1024,
      description:
        "most client connections open at once, HTTP/1.1 and h2c together (at least 1: there is no 'unlimited'); a new " +
        "connection past it is answered 503 with Retry-After and closed. The default is far above what producers and " +
        "dashboards open and bounds what a connection flood costs (docs/reliability.md#overload)",
    }),
  },
  { additionalProperties: false, default: {}, description: "the HTTP server" },
);

export const pipelineConfigSchema = Type.Object(
  {
    server: serverConfigSchema,
    streams: streamsConfigSchema,
    streamBackend: streamBackendConfigSchema,
    store: storeConfigSchema,
    ingest: ingestConfigSchema,
    aws: awsConfigSchema,
    queues: queuesConfigSchema,
    queueBackend: queueBackendConfigSchema,
    functions: functionsConfigSchema,
    lake: lakeConfigSchema,
    deliveryStreams: deliveryStreamsConfigSchema,
    tables: tablesConfigSchema,
    customers: customersConfigSchema,
    fraud: fraudConfigSchema,
    analytics: analyticsConfigSchema,
    inventory: inventoryConfigSchema,
    planning: planningConfigSchema,
    dispatch: dispatchConfigSchema,
    simulator: simulatorConfigSchema,
    alarms: alarmsConfigSchema,
    alarmWebhook: alarmWebhookConfigSchema,
    roles: rolesConfigSchema,
    node: nodeConfigSchema,
    cluster: clusterConfigSchema,
  },
  { additionalProperties: false, $id: "https://shopstream.dev/schemas/pipeline.json", title: "shopstream pipeline" },
);

export type PipelineConfig = Static<typeof pipelineConfigSchema>;
