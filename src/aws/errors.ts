// AWS errors: a code (the `__type` clients switch on), an HTTP status and a message, plus what a service adds
// to its error answers (body members such as Athena's AthenaErrorCode, headers such as SQS's
// x-amzn-query-error). Every failure of an AWS request ends up as one of these, in one place (toAwsError), so
// the SDKs' retry logic sees AWS's codes: throttling codes are retried with backoff, 5xx are retried, other
// 4xx are not.
import { ConfigError, ConflictError, NotFoundError, PayloadTooLargeError, ThrottledError, ValidationError } from "../errors/index.js";

/** What a service's error answer carries besides `__type` and `message`. */
export interface AwsErrorExtras {
  /** members of the JSON (or CBOR) error body, e.g. `{ AthenaErrorCode: "INVALID_INPUT" }`; never `__type` or `message` */
  members?: Readonly<Record<string, unknown>>;
  /** response headers, in every protocol, e.g. `{ "x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender" }` */
  headers?: Readonly<Record<string, string>>;
}

export class AwsError extends Error {
  readonly members: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
    extras: AwsErrorExtras = {},
  ) {
    super(message);
    this.name = "AwsError";
    this.members = extras.members ?? {};
    this.headers = extras.headers ?? {};
  }
}

/** How a service names the common failure modes (each service has its own spelling). */
export interface AwsErrorCodes {
  /** a parameter is wrong (Kinesis and Firehose: InvalidArgumentException) */
  invalidArgument: string;
  notFound: string;
  inUse: string;
  /** over capacity; SDKs retry it with backoff */
  throttled: string;
  /** status of the throttling error (Kinesis: 400; Firehose's ServiceUnavailableException: 500) */
  throttledStatus: number;
}

export const DEFAULT_ERROR_CODES: AwsErrorCodes = {
  invalidArgument: "InvalidArgumentException",
  notFound: "ResourceNotFoundException",
  inUse: "ResourceInUseException",
  throttled: "ThrottlingException",
  throttledStatus: 400,
};

/** Whose fault an error is, as the query protocol's `<Type>` and SQS's x-amzn-query-error spell it. */
export const faultOf = (httpStatus: number): "Sender" | "Receiver" => (httpStatus >= 500 ? "Receiver" : "Sender");

export const internalFailure = () => new AwsError("InternalFailure", "internal failure; see the server log", 500);

/** A schema constraint (length, range, required member), phrased the way AWS's validation layer does. */
export function validationError(message: string): AwsError {
  return new AwsError("ValidationException", `1 validation error detected: ${message}`);
}

/** Maps shopstream's typed errors (and Fastify's) onto the service's AWS codes; undefined for unexpected ones. */
export function toAwsError(error: unknown, codes: AwsErrorCodes): AwsError | undefined {
  if (error instanceof AwsError) return error;
  if (error instanceof ThrottledError) return new AwsError(codes.throttled, error.message, codes.throttledStatus);
  if (error instanceof NotFoundError) return new AwsError(codes.notFound, error.message);
  if (error instanceof ConflictError) return new AwsError(codes.inUse, error.message);
  if (error instanceof ValidationError || error instanceof ConfigError || error instanceof PayloadTooLargeError) {
    return new AwsError(codes.invalidArgument, error.message);
  }
  const fastify = error as { code?: string; statusCode?: number; message?: string };
  if (fastify.code === "FST_ERR_CTP_BODY_TOO_LARGE") return new AwsError("SerializationException", "request body is too large", 413);
  // The server's request timeout (a body that trickles in): the status stays 408, as API Gateway answers.
  if (fastify.statusCode === 408) return new AwsError("RequestTimeoutException", fastify.message ?? "request timed out", 408);
  if (typeof fastify.statusCode === "number" && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return new AwsError("SerializationException", fastify.message ?? "bad request");
  }
  return undefined;
}
