// Public surface of monitoring: the metrics registry, the uniform component metrics, registry sampling
// and structured logging.
export * from "./metrics.js";
export * from "./component-metrics.js";
export * from "./registry-sampler.js";
export { componentLogger, rootLogger, type Logger } from "./logger.js";
export { maskSecrets, maskUrlPassword, REDACTED } from "./redaction.js";
