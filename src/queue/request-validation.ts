// Limits of whole calls (batch sizes, receive options). Breaking one fails the call with ValidationError,
// as SQS fails the request; per-entry problems are message-validation's.
import { ValidationError } from "../errors/index.js";
import { INTEGER_ATTRIBUTES } from "./queue-attributes.js";
import type { QueueAttributes, ReceiveOptions } from "./types.js";

export const MAX_BATCH_ENTRIES = 10;
/** SendMessageBatch: the sum of the messages' sizes (SQS: 1 MiB) */
export const MAX_BATCH_BYTES = 1_048_576;
const MAX_RECEIVE_MESSAGES = 10;
const MAX_WAIT_TIME_SEC = 20;
/** ChangeMessageVisibility may extend a message's invisibility to at most 12 hours after its receive. */
export const MAX_VISIBILITY_AFTER_RECEIVE_MS = INTEGER_ATTRIBUTES.visibilityTimeoutSec.max * 1000;

export function checkBatch(operation: string, entries: unknown[]): void {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new ValidationError(`${operation} needs at least one entry`, "empty_batch_request");
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new ValidationError(`${operation} takes at most ${MAX_BATCH_ENTRIES} entries, got ${entries.length}`, "too_many_entries_in_batch_request");
  }
}

export function checkBatchBytes(totalBytes: number): void {
  if (totalBytes > MAX_BATCH_BYTES) {
    throw new ValidationError(`the batch is ${totalBytes} bytes; the messages of one send add up to at most ${MAX_BATCH_BYTES}`, "batch_request_too_long");
  }
}

/** A visibility timeout problem, or undefined when `value` is a whole number of seconds in range. */
export function visibilityTimeoutProblem(value: number): string | undefined {
  const { min, max } = INTEGER_ATTRIBUTES.visibilityTimeoutSec;
  if (!Number.isInteger(value) || value < min || value > max) return `visibility timeout must be an integer from ${min} to ${max} seconds, got ${value}`;
  return undefined;
}

export interface ResolvedReceive {
  maxMessages: number;
  waitMs: number;
  visibilityTimeoutMs: number;
}

/** The options of one receive, validated, with the queue's defaults filled in. */
export function resolveReceiveOptions(options: ReceiveOptions, queue: QueueAttributes): ResolvedReceive {
  const maxMessages = options.maxMessages ?? 1;
  if (!Number.isInteger(maxMessages) || maxMessages < 1 || maxMessages > MAX_RECEIVE_MESSAGES) {
    throw new ValidationError(`maxMessages must be an integer from 1 to ${MAX_RECEIVE_MESSAGES}, got ${maxMessages}`, "invalid_parameter_value");
  }
  const waitTimeSec = options.waitTimeSec ?? queue.receiveWaitTimeSec;
  if (!Number.isInteger(waitTimeSec) || waitTimeSec < 0 || waitTimeSec > MAX_WAIT_TIME_SEC) {
    throw new ValidationError(`waitTimeSec must be an integer from 0 to ${MAX_WAIT_TIME_SEC}, got ${waitTimeSec}`, "invalid_parameter_value");
  }
  const visibilityTimeoutSec = options.visibilityTimeoutSec ?? queue.visibilityTimeoutSec;
  const problem = visibilityTimeoutProblem(visibilityTimeoutSec);
  if (problem) throw new ValidationError(problem, "invalid_parameter_value");
  return { maxMessages, waitMs: waitTimeSec * 1000, visibilityTimeoutMs: visibilityTimeoutSec * 1000 };
}
