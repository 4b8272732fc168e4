// An SQS event source mapping: long-polls a queue, gathers up to batchSize messages (within
// maximumBatchingWindowMs), invokes the function once with Lambda's SQS event and deletes the messages
// that succeeded. Failed messages are left alone: they come back after the queue's visibility timeout
// and, after maxReceiveCount receives, go to its dead-letter queue by the queue's redrive policy.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { errorMessage } from "../errors/index.js";
import { componentId, countReceived, countSent, functionRecords, type Logger } from "../monitor/index.js";
import type { Queue, ReceivedMessage } from "../queue/index.js";
import { queueArn } from "./arn.js";
import type { InvocationOutcome } from "./invocation.js";
import type { FunctionInvoker } from "./invoker.js";
import { backoffMs, pause, type RetryBackoff } from "./retry-backoff.js";
import { sqsEvent } from "./sqs-event.js";
import type { QueueMappingOptions } from "./types.js";

/** SQS limits: 10 messages per receive or delete, 20 s per long poll. */
const RECEIVE_MAX_MESSAGES = 10;
const LONG_POLL_SEC = 20;

export interface QueuePollerOptions {
  queue: Queue;
  functionName: string;
  mapping: QueueMappingOptions;
  invoker: FunctionInvoker;
  backoff: RetryBackoff;
  log: Logger;
}

export class QueuePoller {
  private readonly stopped = new AbortController();

  constructor(private readonly options: QueuePollerOptions) {}

  /** Runs until stop(); the batch in flight finishes (and its deletes are sent) first. */
  async run(): Promise<void> {
    const { invoker, mapping, log, functionName } = this.options;
    const eventSourceArn = queueArn(mapping.queue);
    for (let receiveFailures = 0; !this.stopped.signal.aborted; ) {
      let messages: ReceivedMessage[];
      try {
        messages = await this.gather();
        receiveFailures = 0;
      } catch (error) {
        const waitMs = backoffMs(this.options.backoff, receiveFailures++);
        log.error({ queue: mapping.queue, err: errorMessage(error), waitMs }, "queue receive failed; retrying");
        await pause(waitMs, this.stopped.signal);
        continue;
      }
      if (messages.length === 0) {
        // A long poll that ended early (a queue closing under it) must not become a loop of microtasks.
        await yieldToEventLoop();
        continue;
      }
      countReceived(componentId.function(functionName), messages.length);
      const outcome = await invoker.invokeEvent(sqsEvent(messages, eventSourceArn));
      const failed = this.failedMessageIds(outcome, messages);
      await this.deleteMessages(messages.filter((message) => !failed.has(message.messageId)));
      functionRecords.inc({ function: functionName, result: "ok" }, messages.length - failed.size);
      countSent(componentId.function(functionName), messages.length - failed.size);
      if (failed.size > 0) {
        functionRecords.inc({ function: functionName, result: "error" }, failed.size);
        const error = outcome.ok ? undefined : outcome.error;
        log.error(
          { requestId: outcome.requestId, queue: mapping.queue, failed: failed.size, of: messages.length, errorType: error?.errorType, err: error?.errorMessage },
          "queue batch failed; the failed messages return after the visibility timeout",
        );
      }
      // A queue on SQLite answers at once: a turn of the event loop between batches (see ShardLane.run).
      await yieldToEventLoop();
    }
  }

  stop(): void {
    this.stopped.abort();
  }

  /** One long poll for the first messages, then more until the batch is full or the window closes. */
  private async gather(): Promise<ReceivedMessage[]> {
    const { batchSize, maximumBatchingWindowMs } = this.options.mapping;
    const messages = await this.receive(batchSize, LONG_POLL_SEC, this.stopped.signal);
    if (messages.length === 0 || maximumBatchingWindowMs === 0) return messages;
    const closesAtMs = Date.now() + maximumBatchingWindowMs;
    while (messages.length < batchSize && !this.stopped.signal.aborted) {
      const remainingMs = closesAtMs - Date.now();
      if (remainingMs <= 0) break;
      const signal = AbortSignal.any([this.stopped.signal, AbortSignal.timeout(remainingMs)]);
      messages.push(...(await this.receive(batchSize - messages.length, Math.ceil(remainingMs / 1000), signal)));
    }
    return messages;
  }

  private async receive(wanted: number, waitTimeSec: number, signal: AbortSignal): Promise<ReceivedMessage[]> {
    try {
      return await this.options.queue.receive(this.options.mapping.queue, {
        maxMessages: Math.min(RECEIVE_MAX_MESSAGES, wanted),
        waitTimeSec: Math.min(LONG_POLL_SEC, waitTimeSec),
        signal,
      });
    } catch (error) {
      if (signal.aborted) return []; // the window closed, or a stop
      throw error;
    }
  }

  /** Lambda's reading of an SQS response: an error fails every message; with ReportBatchItemFailures the
   * listed message ids fail, and an id that is not in the batch fails them all. */
  private failedMessageIds(outcome: InvocationOutcome, messages: ReceivedMessage[]): Set<string> {
    const all = new Set(messages.map((message) => message.messageId));
    if (!outcome.ok) return all;
    if (!this.options.mapping.reportBatchItemFailures) return new Set();
    const failures = (outcome.response as { batchItemFailures?: unknown } | null)?.batchItemFailures;
    if (failures === undefined || failures === null) return new Set();
    if (!Array.isArray(failures)) return all;
    const failed = new Set<string>();
    for (const failure of failures) {
      const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      if (typeof id !== "string" || !all.has(id)) {
        this.options.log.warn({ itemIdentifier: id }, "batchItemFailures names a message not in the batch; the whole batch failed");
        return all;
      }
      failed.add(id);
    }
    return failed;
  }

  private async deleteMessages(messages: ReceivedMessage[]): Promise<void> {
    const { queue, mapping, log } = this.options;
    for (let i = 0; i < messages.length; i += RECEIVE_MAX_MESSAGES) {
      const chunk = messages.slice(i, i + RECEIVE_MAX_MESSAGES);
      try {
        const outcomes = await queue.delete(mapping.queue, chunk.map((message) => message.receiptHandle));
        for (const [j, outcome] of outcomes.entries()) {
          if (!outcome.ok) log.warn({ messageId: chunk[j]?.messageId, error: outcome.errorMessage }, "delete failed; the message will be delivered again");
        }
      } catch (error) {
        log.warn({ err: errorMessage(error), messages: chunk.length }, "delete failed; the messages will be delivered again");
      }
    }
  }
}
