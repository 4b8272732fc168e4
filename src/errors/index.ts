// Typed errors shared by every component. The HTTP layer maps them to status codes (and, later, to AWS
// error shapes) in one place, so callers use `instanceof`, never string matching.

export class ShopstreamError extends Error {
  /** machine-readable code, stable across releases */
  readonly code: string;
  readonly httpStatus: number;
  constructor(code: string, httpStatus: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/** The input is wrong; retrying the same input fails again. */
export class ValidationError extends ShopstreamError {
  constructor(message: string, code = "validation_error", options?: { cause?: unknown }) {
    super(code, 400, message, options);
  }
}

export class PayloadTooLargeError extends ShopstreamError {
  constructor(message: string) {
    super("payload_too_large", 413, message);
  }
}

export class NotFoundError extends ShopstreamError {
  constructor(message: string, code = "not_found") {
    super(code, 404, message);
  }
}

export class ConflictError extends ShopstreamError {
  constructor(message: string, code = "conflict") {
    super(code, 409, message);
  }
}

/** Over capacity: the caller should retry after `retryAfterMs`. Nothing was accepted. */
export class ThrottledError extends ShopstreamError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs = 1000) {
    super("throttled", 429, message);
    this.retryAfterMs = retryAfterMs;
  }
}

export class UnavailableError extends ShopstreamError {
  /** when set, the caller may retry after it (HTTP Retry-After) */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super("unavailable", 503, message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A server refused the request's API key: 401 (none, or not a valid one) or 403 (a key without the scope). */
export class UnauthorizedError extends ShopstreamError {
  constructor(message: string, httpStatus: 401 | 403 = 401) {
    super(httpStatus === 401 ? "unauthorized" : "forbidden", httpStatus, message);
  }
}

/** A pipeline config problem, located in its file. */
export class ConfigError extends ShopstreamError {
  constructor(message: string) {
    super("config_error", 400, message);
  }
}

/** The message of an HTTP API error body (`{"error": {"code", "message"}}`), or the start of any other body. */
export function answerMessage(body: string): string {
  try {
    const value = JSON.parse(body) as { error?: { message?: unknown } } | null;
    if (typeof value?.error?.message === "string") return value.error.message;
  } catch {
    // not JSON: show the start of the body
  }
  return body.slice(0, 200) || "(empty body)";
}

/** An HTTP client's view of a refused API key: UnauthorizedError for a 401 or 403 answer, else undefined. */
export function keyRefusal(status: number, url: string, body: string): UnauthorizedError | undefined {
  if (status !== 401 && status !== 403) return undefined;
  return new UnauthorizedError(`${url} answered ${status}: ${answerMessage(body)}`, status);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
