// Which PostgreSQL failures a whole transaction may simply run again, and how long to wait before it does.

/** SQLSTATEs: serialization failure, deadlock, and the server shutting a connection down. */
const RETRYABLE_STATES = new Set(["40001", "40P01", "57P01", "57P02", "57P03"]);
/** Socket failures Node reports when the server goes away or is not there yet. */
const CONNECTION_ERRORS = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The connection is gone or unusable: it must not go back to the pool. */
export function isConnectionLoss(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined) return code.startsWith("08") || code.startsWith("57P") || CONNECTION_ERRORS.has(code);
  // pg reports a connection that ended under a query without a code.
  return error instanceof Error && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message);
}

export function isRetryable(error: unknown): boolean {
  const code = codeOf(error);
  return (code !== undefined && RETRYABLE_STATES.has(code)) || isConnectionLoss(error);
}

/** Exponential backoff from 20 ms, capped at 1 s, with full jitter so that two losers do not meet again. */
export function retryDelayMs(attempt: number): number {
  return Math.random() * Math.min(1000, 20 * 2 ** (attempt - 1));
}
