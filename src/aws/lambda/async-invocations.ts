// Asynchronous (Event) invocations as messages of one internal queue of the pipeline: an Invoke with
// InvocationType Event is answered 202 only once its message is durable there, and the workers' poller
// (async-invocation-poller.ts) runs it from the queue, so an acknowledged invocation survives a kill -9.
import type { Queue, SendMessageInput, SendOutcome } from "../../queue/index.js";
import { AwsError } from "../errors.js";

/**
 * The internal queue. A valid SQS name (the queue backends take no other), so a user could pick it too:
 * the name is reserved, SQS CreateQueue refuses it, ListQueues hides it and DeleteQueue will not delete it.
 */
export const LAMBDA_ASYNC_QUEUE = "shopstream-lambda-async";

/** Lambda's MaximumEventAgeInSeconds default: an event not processed within 6 hours is dropped. */
const MAX_EVENT_AGE_SEC = 6 * 60 * 60;
/** The queue's largest message (SQS's ceiling): the event and the few fields around it. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** SQS's longest per-message delay, which bounds a retry's wait. */
const MAX_DELAY_SEC = 900;

export interface AsyncInvocation {
  functionName: string;
  /** the x-amzn-RequestId the 202 carried: the client's handle on this invocation, in every log line */
  requestId: string;
  /** 1 for the first attempt; a retry is sent again with the next number */
  attempt: number;
  event: unknown;
}

/** Creates the internal queue unless it exists (the pipeline does, as it opens). */
export async function ensureLambdaAsyncQueue(queue: Queue): Promise<void> {
  await queue.ensureQueue(LAMBDA_ASYNC_QUEUE, { messageRetentionSec: MAX_EVENT_AGE_SEC, maximumMessageBytes: MAX_MESSAGE_BYTES });
}

/** The message of an invocation; JSON.stringify escapes what SQS bodies may not hold. */
function messageOf(invocation: AsyncInvocation, delaySec: number): SendMessageInput {
  const { functionName, requestId, attempt, event } = invocation;
  return { body: JSON.stringify({ functionName, requestId, attempt, event }), ...(delaySec > 0 && { delaySec: Math.min(MAX_DELAY_SEC, delaySec) }) };
}

/** The invocation a message holds, or undefined for a body this module did not write. */
export function asyncInvocationOf(body: string): AsyncInvocation | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const { functionName, requestId, attempt, event } = (parsed ?? {}) as Partial<AsyncInvocation>;
  if (typeof functionName !== "string" || typeof requestId !== "string" || !Number.isInteger(attempt) || (attempt as number) < 1) return undefined;
  return { functionName, requestId, attempt: attempt as number, event: event ?? {} };
}

/**
 * Sends an invocation to the internal queue, durable when it resolves; `delaySec` holds a retry back. An
 * event too large for a message with the fields around it (within a few hundred bytes of the 1 MB limit)
 * is RequestTooLargeException; a queue that refuses or fails is ServiceException: never a 202.
 */
export async function enqueueAsyncInvocation(queue: Queue, invocation: AsyncInvocation, delaySec = 0): Promise<void> {
  const message = messageOf(invocation, delaySec);
  const bytes = Buffer.byteLength(message.body, "utf8");
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new AwsError("RequestTooLargeException", `the Event invocation takes ${bytes} bytes to queue (limit ${MAX_MESSAGE_BYTES} bytes)`, 413);
  }
  let outcome: SendOutcome | undefined;
  try {
    [outcome] = await queue.send(LAMBDA_ASYNC_QUEUE, [message]);
  } catch (error) {
    throw new AwsError("ServiceException", `the invocation could not be queued: ${(error as Error).message}`, 500);
  }
  if (!outcome || "errorCode" in outcome) {
    throw new AwsError("ServiceException", `the invocation could not be queued: ${outcome?.errorMessage ?? "no answer from the queue"}`, 500);
  }
}
