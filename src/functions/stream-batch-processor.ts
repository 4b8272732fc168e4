// A stream mapping's error handling for one batch, as Lambda does it for Kinesis: invoke; with
// ReportBatchItemFailures, keep the records before the lowest reported failure; on an error, split the
// batch in two (bisectBatchOnFunctionError) or retry it after a backoff; discard what is too old
// (maximumRecordAgeSec) or failed too often (maximumRetryAttempts) to the on-failure destination. Splits
// do not count as retries. Every run of records that is done, succeeded or discarded, is handed to
// `settle` in order, so the checkpoint follows progress inside a batch that is still being retried.
import type { Logger } from "../monitor/index.js";
import { componentId, countDiscarded, countReceived, countSent, functionRecords, functionRetries } from "../monitor/index.js";
import type { StreamRecord } from "../stream/index.js";
import type { DiscardCondition, FailureDestination } from "./failure-destination.js";
import type { FunctionError, InvocationOutcome } from "./invocation.js";
import type { FunctionInvoker, StreamBatchSource } from "./invoker.js";
import { backoffMs, pause, type RetryBackoff } from "./retry-backoff.js";
import type { StreamMappingOptions } from "./types.js";

/** A record with its place in the shard's read order (see CheckpointTracker). */
export interface TrackedRecord {
  ordinal: number;
  record: StreamRecord;
}

export interface StreamBatchProcessorOptions {
  functionName: string;
  consumerName: string;
  shardId: string;
  mapping: StreamMappingOptions;
  invoker: FunctionInvoker;
  destination: FailureDestination | undefined;
  backoff: RetryBackoff;
  /** ms since the epoch; record ages are measured against it */
  clock: () => number;
  log: Logger;
  /** aborted on stop: a batch being retried is left for the next start */
  signal: AbortSignal;
}

/** Records still to process together, and their history. */
interface Part {
  records: TrackedRecord[];
  /** retries of these records; a split starts the halves at 0 */
  retries: number;
  invocations: number;
  /** the last invocation that included them; `error` unless it answered with batchItemFailures */
  lastInvocation?: { requestId: string; error?: FunctionError };
}

type Verdict = { kind: "succeeded" } | { kind: "partial"; failedAt: number } | { kind: "failed"; error: FunctionError };

export class StreamBatchProcessor {
  constructor(private readonly options: StreamBatchProcessorOptions) {}

  /** Returns when every record of the batch is settled, or early when the mapping stops. */
  async process(batch: TrackedRecord[], settle: (records: TrackedRecord[]) => Promise<void>): Promise<void> {
    const { mapping, signal, log } = this.options;
    const parts: Part[] = [{ records: batch, retries: 0, invocations: 0 }];
    countReceived(componentId.function(this.options.functionName), batch.length);
    while (parts.length > 0 && !signal.aborted) {
      const part = parts[0]!;
      const expired = this.expiredCount(part.records);
      if (expired > 0) {
        const old = part.records.slice(0, expired);
        if (!(await this.discard(old, "RecordAgeExceeded", part))) return;
        await settle(old);
        part.records = part.records.slice(expired);
        if (part.records.length === 0) parts.shift();
        continue;
      }

      const outcome = await this.options.invoker.invokeStreamBatch(
        part.records.map((r) => r.record),
        this.source(part.records),
      );
      part.invocations++;
      const verdict = this.judge(outcome, part.records);
      if (verdict.kind === "succeeded") {
        functionRecords.inc({ function: this.options.functionName, result: "ok" }, part.records.length);
        countSent(componentId.function(this.options.functionName), part.records.length);
        await settle(part.records);
        parts.shift();
        continue;
      }
      const failedAt = verdict.kind === "partial" ? verdict.failedAt : 0;
      if (failedAt > 0) {
        const done = part.records.slice(0, failedAt);
        functionRecords.inc({ function: this.options.functionName, result: "ok" }, done.length);
        countSent(componentId.function(this.options.functionName), done.length);
        await settle(done);
      }
      const remaining = part.records.slice(failedAt);
      functionRecords.inc({ function: this.options.functionName, result: "error" }, remaining.length);
      part.lastInvocation = { requestId: outcome.requestId, ...(verdict.kind === "failed" && { error: verdict.error }) };
      const failure = {
        requestId: outcome.requestId,
        shardId: this.options.shardId,
        firstSequenceNumber: remaining[0]!.record.sequenceNumber,
        records: remaining.length,
        ...(verdict.kind === "failed" ? { errorType: verdict.error.errorType, err: verdict.error.errorMessage } : { reportedByHandler: true }),
      };

      // AWS splits a failed batch in halves, and a partly failed one at the reported record; a split
      // is not a retry.
      if (mapping.bisectBatchOnFunctionError && verdict.kind === "partial" && failedAt > 0) {
        part.records = remaining;
        continue;
      }
      if (mapping.bisectBatchOnFunctionError && verdict.kind === "failed" && remaining.length > 1) {
        const half = Math.ceil(remaining.length / 2);
        const history = { retries: 0, invocations: part.invocations, lastInvocation: part.lastInvocation };
        parts.splice(0, 1, { records: remaining.slice(0, half), ...history }, { records: remaining.slice(half), ...history });
        log.warn(failure, "batch failed; split in two");
        continue;
      }

      part.records = remaining;
      part.retries++;
      functionRetries.inc({ function: this.options.functionName });
      if (mapping.maximumRetryAttempts !== -1 && part.retries > mapping.maximumRetryAttempts) {
        log.error({ ...failure, retries: part.retries - 1 }, "batch failed after its last retry; discarded");
        if (!(await this.discard(remaining, "RetryAttemptsExhausted", part))) return;
        await settle(remaining);
        parts.shift();
        continue;
      }
      const waitMs = backoffMs(this.options.backoff, part.retries - 1);
      log.error({ ...failure, retry: part.retries, waitMs }, "batch failed; retrying");
      await pause(waitMs, signal);
    }
  }

  /** Records are in arrival order, so the ones past the maximum age are a prefix. */
  private expiredCount(records: TrackedRecord[]): number {
    const maxAgeSec = this.options.mapping.maximumRecordAgeSec;
    if (maxAgeSec === -1) return 0;
    const oldestAllowedMs = this.options.clock() - maxAgeSec * 1000;
    let count = 0;
    while (count < records.length && records[count]!.record.approximateArrivalTimestamp < oldestAllowedMs) count++;
    return count;
  }

  private source(records: TrackedRecord[]): StreamBatchSource {
    const { mapping, shardId, consumerName } = this.options;
    const source: StreamBatchSource = { stream: mapping.stream, shardId };
    // One batch at a time per shard: when this one succeeds, everything before its last record is done,
    // so a function may commit that checkpoint with its output.
    if (mapping.parallelizationFactor === 1) {
      source.checkpoint = { consumer: consumerName, stream: mapping.stream, shardId, sequenceNumber: records[records.length - 1]!.record.sequenceNumber };
    }
    return source;
  }

  /** Lambda's reading of a response: with ReportBatchItemFailures, an empty or missing list is success,
   * and an identifier that is not a sequence number of the batch fails the whole batch. */
  private judge(outcome: InvocationOutcome, records: TrackedRecord[]): Verdict {
    if (!outcome.ok) return { kind: "failed", error: outcome.error };
    if (!this.options.mapping.reportBatchItemFailures) return { kind: "succeeded" };
    const failures = (outcome.response as { batchItemFailures?: unknown } | null)?.batchItemFailures;
    if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return { kind: "succeeded" };
    const invalid = (what: string): Verdict => ({ kind: "failed", error: { errorType: "InvalidBatchItemFailures", errorMessage: what } });
    if (!Array.isArray(failures)) return invalid("batchItemFailures is not a list");
    const indexOf = new Map(records.map((r, i) => [r.record.sequenceNumber, i]));
    let failedAt = records.length;
    for (const failure of failures) {
      const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      const index = typeof id === "string" ? indexOf.get(id) : undefined;
      if (index === undefined) return invalid(`itemIdentifier ${JSON.stringify(id)} is not a sequence number of this batch`);
      failedAt = Math.min(failedAt, index);
    }
    return { kind: "partial", failedAt };
  }

  /** Reports discarded records to the destination, if any; false when the mapping stopped first. */
  private async discard(records: TrackedRecord[], condition: DiscardCondition, part: Part): Promise<boolean> {
    const { destination, mapping, shardId, signal, functionName } = this.options;
    this.options.log.error(
      { condition, shardId, firstSequenceNumber: records[0]!.record.sequenceNumber, records: records.length, destination: mapping.onFailure?.queue },
      "records discarded",
    );
    if (destination) {
      const sent = await destination.send(
        {
          condition,
          stream: mapping.stream,
          shardId,
          records: records.map((r) => r.record),
          approximateInvokeCount: part.invocations,
          ...(part.lastInvocation && { lastInvocation: part.lastInvocation }),
        },
        signal,
      );
      if (!sent) return false;
    }
    functionRecords.inc({ function: functionName, result: "discarded" }, records.length);
    countDiscarded(componentId.function(functionName), condition, records.length);
    return true;
  }
}
