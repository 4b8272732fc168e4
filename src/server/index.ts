// Public surface of the HTTP server.
export { createServer, serverUrl } from "./server.js";
export { collectStats, type PipelineStats } from "./stats.js";
