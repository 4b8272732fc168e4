// Public surface of ingest: the service (validate, stamp, append durably) and its HTTP route.
export { IngestService, type IngestResult, type EventResult, type IngestServiceOptions } from "./ingest-service.js";
export { parseBody, type BodyItem } from "./parse-body.js";
export { registerIngestRoutes, type IngestRouteOptions } from "./routes.js";
