// Public surface of the HTTP server.
export { createServer, serverUrl } from "./server.js";
export { collectStats, type PipelineStats } from "./stats.js";
export { API_KEY_HEADER, exposureWarning, isLoopbackHost } from "./auth.js";
export { API_KEY_SCOPES, serverAuthConfigSchema, type ApiKeyScope, type ServerAuthConfig } from "./auth-config.js";
