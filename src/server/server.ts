// The HTTP server: one Fastify app on one port that mounts ingest, the dashboard and its API, health and
// Prometheus /metrics. (The AWS-compatible endpoints mount here too.)
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { registerQueryRoutes } from "../analytics/index.js";
import { registerAwsRoutes } from "../aws/index.js";
import { registerCustomerRoutes } from "../customers/index.js";
import { fraudAlertSummary, recentFraudAlerts } from "../fraud/index.js";
import { registerIngestRoutes } from "../ingest/index.js";
import { parsePlanningOptions, registerPlanningRoutes } from "../planning/index.js";
import { componentLogger, registry } from "../monitor/index.js";
import type { Pipeline } from "../pipeline/index.js";
import { installErrorHandling } from "./errors.js";
import { exposureWarning, installApiKeyAuth } from "./auth.js";
import { installRequestTimeouts } from "./request-timeouts.js";
import { dualProtocolServer } from "./listener.js";
import { ConnectionLimit } from "./connection-limit.js";
import { registerPipelineRoutes } from "./pipeline-routes.js";
import { registerDashboardRoutes } from "./dashboard-routes.js";
import { registerKpiViewRoutes } from "./kpi-routes.js";
import { collectStats } from "./stats.js";

const LIVE_INTERVAL_MS = 1000;

export async function createServer(pipeline: Pipeline): Promise<FastifyInstance> {
  const log = componentLogger("server");
  const config = pipeline.config;
  // HTTP/1.1 and cleartext HTTP/2 on the one port (listener.ts): the AWS SDKs' HTTP/2 clients work unchanged.
  // Both count against one connection limit; past it a connection is answered 503 (connection-limit.ts).
  const connectionLimit = new ConnectionLimit({ maxConnections: config.server.maxConnections, log });
  const app = Fastify({
    logger: false,
    bodyLimit: config.ingest.maxBodyBytes,
    forceCloseConnections: true,
    serverFactory: (handler, options) => dualProtocolServer(handler, { ...options, connectionLimit }),
  });
  installErrorHandling(app, log);
  // Before any route: both apply to every route registered after them.
  installRequestTimeouts(app, config.server);
  installApiKeyAuth(app, config.server.auth, log);
  const exposure = exposureWarning(config.server.host, { apiKeys: config.server.auth.apiKeys.length, awsAccessKeys: config.aws.accessKeys?.length ?? 0 });
  if (exposure !== undefined) log.warn(exposure);

  await registerIngestRoutes(app, {
    service: pipeline.ingest,
    maxBodyBytes: config.ingest.maxBodyBytes,
    maxEventsPerRequest: config.ingest.maxEventsPerRequest,
  });

  await registerAwsRoutes(app, pipeline);
  await registerQueryRoutes(app, pipeline.queries);
  await registerCustomerRoutes(app, pipeline.store, { config: config.customers });
  await registerKpiViewRoutes(app, pipeline.analytics);
  await registerPlanningRoutes(app, { store: pipeline.store, dispatcher: pipeline.dispatcher });

  app.get<{ Querystring: { limit?: string } }>("/v1/fraud/alerts", async (request) => {
    const limit = request.query.limit === undefined ? 50 : Number(request.query.limit);
    return { alerts: await recentFraudAlerts(pipeline.store, { limit }) };
  });
  app.get("/v1/fraud/summary", async () =>
    fraudAlertSummary(pipeline.store, { sinceOccurredAt: new Date(Date.now() - 24 * 3_600_000).toISOString() }),
  );
  app.get("/v1/quality", async () => ({ deliveryStreams: pipeline.lakes.map((lake) => ({ name: lake.name, report: lake.qualityReport() })) }));

  // Store planning, invoked by hand (the dashboard's button posts here).
  // The config's `planning` and `inventory` sections apply; the body's options override them for this run.
  app.post("/v1/planning/run", async (request) => pipeline.planning.run(parsePlanningOptions(request.body)));

  await registerPipelineRoutes(app, pipeline);
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });

  app.get("/v1/stats", async () => collectStats(pipeline));

  // Server-sent events: the dashboard's live feed, one stats frame a second.
  app.get("/v1/live", (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    // HTTP/2 forbids connection-specific headers (Node warns and drops them); HTTP/1.1 keeps the socket open.
    const keepAlive = request.raw.httpVersionMajor === 1 ? { connection: "keep-alive" } : {};
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", ...keepAlive });
    const send = async () => {
      try {
        res.write(`event: stats\ndata: ${JSON.stringify(await collectStats(pipeline))}\n\n`);
      } catch (error) {
        log.debug({ err: error }, "live frame skipped");
      }
    };
    void send();
    const timer = setInterval(send, LIVE_INTERVAL_MS);
    request.raw.on("close", () => clearInterval(timer));
  });

  await registerDashboardRoutes(app);

  return app;
}

/** The base URL a listening server answers on, e.g. http://127.0.0.1:4566. */
export function serverUrl(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
