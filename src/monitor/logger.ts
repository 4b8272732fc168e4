// Structured JSON logs with pino, one child logger per component. Level from SHOPSTREAM_LOG_LEVEL.
import { pino, type Logger } from "pino";
import { censorLogValue, logRedactionPaths } from "./redaction.js";

// Logs go to stderr, so that a command's own output on stdout (results, the `up` banner) stays clean.
export const rootLogger: Logger = pino({
  // Tests provoke errors on purpose; their logs stay quiet unless SHOPSTREAM_LOG_LEVEL asks otherwise.
  level: process.env["SHOPSTREAM_LOG_LEVEL"] ?? (process.env["NODE_ENV"] === "test" ? "silent" : "info"),
  base: { app: "shopstream" },
  // Secrets never reach a log line: API keys, AWS secret keys, passwords (in URLs too), credential headers.
  redact: { paths: logRedactionPaths(), censor: censorLogValue },
}, pino.destination({ fd: 2, sync: false }));

export function componentLogger(component: string): Logger {
  return rootLogger.child({ component });
}

export type { Logger };
