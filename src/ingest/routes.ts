// POST /v1/events: the HTTP face of ingest. Bodies arrive as raw bytes (our parser, not Fastify's, so a
// malformed line fails only itself); the answer is 200 when every event was accepted, else 400 with
// per-event results, where every result with a sequence_number is durable and must not be re-sent.
import type { FastifyInstance } from "fastify";
import { ingestAckSeconds, ingestRequests, timeOperation } from "../monitor/index.js";
import type { IngestService } from "./ingest-service.js";
import { parseBody } from "./parse-body.js";

export interface IngestRouteOptions {
  service: IngestService;
  maxBodyBytes: number;
  maxEventsPerRequest: number;
}

export async function registerIngestRoutes(app: FastifyInstance, options: IngestRouteOptions): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: options.maxBodyBytes }, (_req, body, done) => done(null, body));
    // Every answer counts, refusals (413, 415, 429) included: they are the ones an operator looks for.
    scope.addHook("onResponse", async (_request, reply) => {
      ingestRequests.inc({ status: String(reply.statusCode) });
    });
    scope.post("/v1/events", async (request, reply) => {
      const body = request.body;
      const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
      const items = parseBody(bytes, request.headers["content-type"], options.maxEventsPerRequest);
      const end = ingestAckSeconds.startTimer();
      const endOperation = timeOperation("ingest", "ack");
      const result = await options.service.ingest(items);
      end();
      endOperation();
      return reply.code(result.rejected === 0 ? 200 : 400).send(result);
    });
  });
}
