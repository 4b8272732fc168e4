// Structured JSON logs with pino, one child logger per component. Level from SHOPSTREAM_LOG_LEVEL.
import { pino, type Logger } from "pino";

export const rootLogger: Logger = pino({
  level: process.env["SHOPSTREAM_LOG_LEVEL"] ?? (process.env["NODE_ENV"] === "test" ? "warn" : "info"),
  base: { app: "shopstream" },
  redact: { paths: ["*.apiKey", "*.api_key", "*.password", "*.secretAccessKey", "headers.authorization"], censor: "[redacted]" },
});

export function componentLogger(component: string): Logger {
  return rootLogger.child({ component });
}

export type { Logger };
