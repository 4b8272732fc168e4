// Public surface of monitoring: the metrics registry and structured logging.
export * from "./metrics.js";
export { componentLogger, rootLogger, type Logger } from "./logger.js";
