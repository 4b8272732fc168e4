// SQS's errors in both of its protocols. JSON 1.0 answers name the error shape (`__type:
// com.amazonaws.sqs#QueueDoesNotExist`); the query protocol answers the older code
// (`AWS.SimpleQueueService.NonExistentQueue`). Operations throw SqsError with the shape name, and
// shopstream's typed errors from the queue are mapped here, so every failure leaves with SQS's codes.
import { ConflictError, NotFoundError, ThrottledError, ValidationError } from "../../errors/index.js";
import { AwsError, faultOf, toAwsError, type AwsErrorCodes } from "../errors.js";
import type { WireProtocol } from "../service.js";

interface ErrorSpec {
  /** the query protocol's code (the JSON protocol's x-amzn-query-error) */
  queryCode: string;
  status: number;
  /** modeled in the JSON API under com.amazonaws.sqs# (the others go out by their bare code) */
  modeled: boolean;
}

const spec = (queryCode: string, status = 400, modeled = true): ErrorSpec => ({ queryCode, status, modeled });

/** Every error the SQS adapter answers, by the name the SDKs give the exception. */
export const SQS_ERRORS = {
  QueueDoesNotExist: spec("AWS.SimpleQueueService.NonExistentQueue"),
  QueueNameExists: spec("QueueAlreadyExists"),
  QueueDeletedRecently: spec("AWS.SimpleQueueService.QueueDeletedRecently"),
  PurgeQueueInProgress: spec("AWS.SimpleQueueService.PurgeQueueInProgress", 403),
  ReceiptHandleIsInvalid: spec("ReceiptHandleIsInvalid", 404),
  MessageNotInflight: spec("AWS.SimpleQueueService.MessageNotInflight"),
  InvalidAttributeName: spec("InvalidAttributeName"),
  InvalidAttributeValue: spec("InvalidAttributeValue"),
  InvalidMessageContents: spec("InvalidMessageContents"),
  InvalidAddress: spec("InvalidAddress", 404),
  InvalidBatchEntryId: spec("AWS.SimpleQueueService.InvalidBatchEntryId"),
  BatchEntryIdsNotDistinct: spec("AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
  EmptyBatchRequest: spec("AWS.SimpleQueueService.EmptyBatchRequest"),
  TooManyEntriesInBatchRequest: spec("AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
  BatchRequestTooLong: spec("AWS.SimpleQueueService.BatchRequestTooLong"),
  UnsupportedOperation: spec("AWS.SimpleQueueService.UnsupportedOperation"),
  ResourceNotFoundException: spec("ResourceNotFoundException", 404),
  RequestThrottled: spec("RequestThrottled", 403),
  InvalidParameterValue: spec("InvalidParameterValue", 400, false),
  MissingParameter: spec("MissingParameter", 400, false),
  InvalidAction: spec("InvalidAction", 400, false),
} as const satisfies Record<string, ErrorSpec>;

export type SqsErrorName = keyof typeof SQS_ERRORS;

export class SqsError extends AwsError {
  constructor(
    readonly errorName: SqsErrorName,
    message: string,
  ) {
    super(errorName, message, SQS_ERRORS[errorName].status);
    this.name = "SqsError";
  }
}

/** For failures outside the operations (unknown action, a body over the limit, a bad signature). */
export const SQS_ERROR_CODES: AwsErrorCodes = {
  invalidArgument: "InvalidParameterValue",
  notFound: "AWS.SimpleQueueService.NonExistentQueue",
  inUse: "QueueAlreadyExists",
  throttled: "RequestThrottled",
  throttledStatus: 403,
};

/** The queue component's error codes (src/queue) as SQS's errors. */
const QUEUE_CODES: Record<string, SqsErrorName> = {
  queue_not_found: "QueueDoesNotExist",
  queue_name_exists: "QueueNameExists",
  invalid_queue_name: "InvalidParameterValue",
  invalid_attribute_name: "InvalidAttributeName",
  invalid_attribute_value: "InvalidAttributeValue",
  empty_batch_request: "EmptyBatchRequest",
  too_many_entries_in_batch_request: "TooManyEntriesInBatchRequest",
  batch_request_too_long: "BatchRequestTooLong",
  invalid_parameter_value: "InvalidParameterValue",
};

/** Any failure as an SqsError (or the endpoint's InternalFailure, by leaving unexpected errors alone). */
export function toSqsError(error: unknown): unknown {
  if (error instanceof SqsError) return error;
  if (error instanceof NotFoundError || error instanceof ConflictError || error instanceof ValidationError) {
    const name = QUEUE_CODES[error.code] ?? (error instanceof NotFoundError ? "QueueDoesNotExist" : "InvalidParameterValue");
    return new SqsError(name, name === "QueueDoesNotExist" ? "The specified queue does not exist." : error.message);
  }
  if (error instanceof ThrottledError) return new SqsError("RequestThrottled", error.message);
  if (error instanceof AwsError) {
    // The shared member readers (src/aws/values.ts) speak the JSON services' codes.
    if (error.code === "ValidationException") {
      return new SqsError(/must not be null/.test(error.message) ? "MissingParameter" : "InvalidParameterValue", error.message.replace(/^1 validation error detected: /, ""));
    }
    if (error.code === "SerializationException") return new SqsError("InvalidParameterValue", error.message);
    return error;
  }
  return toAwsError(error, SQS_ERROR_CODES) ?? error;
}

/**
 * An SqsError as the protocol spells it: the query code in XML; in JSON the shape id, and the query code with
 * its fault in x-amzn-query-error, which the v3 SDK (SQS is awsQueryCompatible) reads into error.Code and
 * error.Type.
 */
export function onTheWire(error: unknown, protocol: WireProtocol): unknown {
  const sqs = toSqsError(error);
  if (!(sqs instanceof SqsError)) return sqs;
  const errorSpec = SQS_ERRORS[sqs.errorName];
  if (protocol === "query") return new AwsError(errorSpec.queryCode, sqs.message, errorSpec.status);
  return new AwsError(errorSpec.modeled ? `com.amazonaws.sqs#${sqs.errorName}` : sqs.errorName, sqs.message, errorSpec.status, {
    headers: { "x-amzn-query-error": `${errorSpec.queryCode};${faultOf(errorSpec.status)}` },
  });
}
