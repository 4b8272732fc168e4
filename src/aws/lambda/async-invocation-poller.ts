// Runs the queued Event invocations on a worker: long-polls the internal queue, runs up to maxConcurrency
// invocations at once, each under its function's timeout, and deletes a message once its invocation
// succeeded. A failed attempt is sent again with the next attempt number after a delay, until
// 1 + asyncMaximumRetryAttempts attempts failed; then the invocation is dropped, logged and counted. A
// message is held invisible while it runs by a short lease the poller renews, so after a crash it is run
// again within LEASE_SEC; a stop lets the running invocations finish.
import { errorMessage } from "../../errors/index.js";
import { backoffMs, DEFAULT_RETRY_BACKOFF, pause } from "../../functions/index.js";
import { lambdaAsyncInvocations, type Logger } from "../../monitor/index.js";
import type { Queue, ReceivedMessage } from "../../queue/index.js";
import { asyncInvocationOf, enqueueAsyncInvocation, LAMBDA_ASYNC_QUEUE, type AsyncInvocation } from "./async-invocations.js";
import type { LambdaConfig } from "./config.js";
import { functionErrorOf, type LambdaFunction, type LambdaFunctionCatalog, type LambdaInvokeOutcome } from "./lambda-function.js";

/** SQS limits: 10 messages per receive, 20 s per long poll. */
const RECEIVE_MAX_MESSAGES = 10;
const LONG_POLL_SEC = 20;
/** How long a received message stays invisible without a renewal: the wait for a rerun after a crash. */
const LEASE_SEC = 10;
const LEASE_RENEW_MS = (LEASE_SEC * 1000) / 3;
/** Past the function's own timeout, how long the poller waits before it calls the attempt timed out. */
const TIMEOUT_GRACE_MS = 1000;

export interface AsyncInvocationPollerOptions {
  queue: Queue;
  functions: LambdaFunctionCatalog;
  config: LambdaConfig;
  log: Logger;
}

type AttemptResult = { ok: true } | { ok: false; errorType: string; errorMessage: string };

export class AsyncInvocationPoller {
  private readonly stopped = new AbortController();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: AsyncInvocationPollerOptions) {}

  /** Runs until stop(), then waits for the invocations in flight. */
  async run(): Promise<void> {
    const { queue, config, log } = this.options;
    for (let receiveFailures = 0; !this.stopped.signal.aborted; ) {
      const free = config.asyncMaxConcurrency - this.running.size;
      if (free <= 0) {
        await Promise.race(this.running);
        continue;
      }
      let messages: ReceivedMessage[];
      try {
        messages = await queue.receive(LAMBDA_ASYNC_QUEUE, {
          maxMessages: Math.min(RECEIVE_MAX_MESSAGES, free),
          waitTimeSec: LONG_POLL_SEC,
          visibilityTimeoutSec: LEASE_SEC,
          signal: this.stopped.signal,
        });
        receiveFailures = 0;
      } catch (error) {
        if (this.stopped.signal.aborted) break;
        const waitMs = backoffMs(DEFAULT_RETRY_BACKOFF, receiveFailures++);
        log.error({ queue: LAMBDA_ASYNC_QUEUE, err: errorMessage(error), waitMs }, "queue receive failed; retrying");
        await pause(waitMs, this.stopped.signal);
        continue;
      }
      for (const message of messages) {
        const done: Promise<void> = this.runMessage(message)
          .catch((error: unknown) => log.error({ messageId: message.messageId, err: errorMessage(error) }, "asynchronous invocation failed in the poller; the message comes back"))
          .finally(() => this.running.delete(done));
        this.running.add(done);
      }
    }
    await Promise.allSettled([...this.running]);
  }

  /** Ends the long poll; run() resolves once the invocations in flight have finished. */
  stop(): void {
    this.stopped.abort();
  }

  private async runMessage(message: ReceivedMessage): Promise<void> {
    const { functions, config, log } = this.options;
    const invocation = asyncInvocationOf(message.body);
    if (!invocation) {
      log.warn({ queue: LAMBDA_ASYNC_QUEUE, messageId: message.messageId }, "asynchronous invocation dropped: its message is not one the Lambda API wrote");
      lambdaAsyncInvocations.inc({ function: "", result: "dropped" });
      await this.deleteMessage(message);
      return;
    }
    const { functionName, requestId, attempt } = invocation;
    const fn = functions.get(functionName);
    if (!fn) {
      log.warn({ function: functionName, requestId }, "asynchronous invocation dropped: the function no longer exists");
      lambdaAsyncInvocations.inc({ function: functionName, result: "dropped" });
      await this.deleteMessage(message);
      return;
    }
    const result = await this.holdWhile(message, () => attemptInvocation(fn, invocation.event));
    if (result.ok) {
      lambdaAsyncInvocations.inc({ function: functionName, result: "succeeded" });
      await this.deleteMessage(message);
      return;
    }
    const failure = { function: functionName, requestId, attempt, errorType: result.errorType, err: result.errorMessage };
    if (attempt > config.asyncMaximumRetryAttempts) {
      log.warn({ ...failure, attempts: attempt }, "asynchronous invocation dropped: every attempt failed");
      lambdaAsyncInvocations.inc({ function: functionName, result: "dropped" });
      await this.deleteMessage(message);
      return;
    }
    const delaySec = config.asyncRetryDelaySec * 2 ** (attempt - 1);
    log.warn({ ...failure, retryInSec: delaySec }, "asynchronous invocation failed; it will be retried");
    lambdaAsyncInvocations.inc({ function: functionName, result: "retried" });
    await this.retryLater(message, { ...invocation, attempt: attempt + 1 }, delaySec);
  }

  /** Runs `work` while renewing the message's lease, so no other receive gets it meanwhile. */
  private async holdWhile<T>(message: ReceivedMessage, work: () => Promise<T>): Promise<T> {
    const renew = setInterval(() => {
      this.options.queue.changeVisibility(LAMBDA_ASYNC_QUEUE, [{ receiptHandle: message.receiptHandle, visibilityTimeoutSec: LEASE_SEC }]).then(
        ([outcome]) => {
          if (outcome && !outcome.ok) this.options.log.warn({ messageId: message.messageId, error: outcome.errorMessage }, "lease renewal failed; the invocation may run twice");
        },
        (error: unknown) => this.options.log.warn({ messageId: message.messageId, err: errorMessage(error) }, "lease renewal failed; the invocation may run twice"),
      );
    }, LEASE_RENEW_MS);
    try {
      return await work();
    } finally {
      clearInterval(renew);
    }
  }

  /** The next attempt as a message of its own, then the old one deleted: a crash in between runs it twice, never loses it. */
  private async retryLater(message: ReceivedMessage, next: AsyncInvocation, delaySec: number): Promise<void> {
    try {
      await enqueueAsyncInvocation(this.options.queue, next, delaySec);
    } catch (error) {
      // Unsent: the same message comes back after the delay and repeats this attempt.
      this.options.log.warn({ function: next.functionName, requestId: next.requestId, err: errorMessage(error) }, "retry could not be queued; the attempt repeats");
      await this.options.queue
        .changeVisibility(LAMBDA_ASYNC_QUEUE, [{ receiptHandle: message.receiptHandle, visibilityTimeoutSec: delaySec }])
        .catch(() => undefined);
      return;
    }
    await this.deleteMessage(message);
  }

  private async deleteMessage(message: ReceivedMessage): Promise<void> {
    const { queue, log } = this.options;
    try {
      const [outcome] = await queue.delete(LAMBDA_ASYNC_QUEUE, [message.receiptHandle]);
      if (outcome && !outcome.ok) log.warn({ messageId: message.messageId, error: outcome.errorMessage }, "delete failed; the invocation will run again");
    } catch (error) {
      log.warn({ messageId: message.messageId, err: errorMessage(error) }, "delete failed; the invocation will run again");
    }
  }
}

/** One attempt under the function's timeout (the runtime enforces it for handlers; this bounds the rest). */
async function attemptInvocation(fn: LambdaFunction, event: unknown): Promise<AttemptResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = fn.timeoutSec * 1000 + TIMEOUT_GRACE_MS;
  const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  try {
    const outcome: LambdaInvokeOutcome | "timeout" = await Promise.race([fn.invoke(event), timedOut]);
    if (outcome === "timeout") return { ok: false, errorType: "Sandbox.Timedout", errorMessage: `Task timed out after ${fn.timeoutSec.toFixed(2)} seconds` };
    if (!outcome.functionError) return { ok: true };
    const error = (outcome.payload ?? {}) as { errorType?: unknown; errorMessage?: unknown };
    return { ok: false, errorType: String(error.errorType ?? "Unhandled"), errorMessage: String(error.errorMessage ?? "") };
  } catch (thrown) {
    const error = functionErrorOf(thrown);
    return { ok: false, errorType: error.errorType, errorMessage: error.errorMessage };
  } finally {
    clearTimeout(timer);
  }
}
