// How the event source mappings call a function, whatever runs it: a built-in in this thread, or a Lambda
// handler in a worker thread. The mappings own batching and error handling; an invoker only shapes the
// event, runs the function once and reports the outcome.
import { randomUUID } from "node:crypto";
import { componentId, countError, functionBatchSeconds, functionErrors, timeOperation } from "../monitor/index.js";
import type { StreamRecord } from "../stream/index.js";
import { toFunctionError, type InvocationOutcome } from "./invocation.js";
import type { CheckpointRef } from "./types.js";

export interface StreamBatchSource {
  stream: string;
  shardId: string;
  /** see BatchContext.checkpoint */
  checkpoint?: CheckpointRef;
}

export interface FunctionInvoker {
  /** Runs the function on records of one shard, in the function's own form (decoded or Lambda's event). */
  invokeStreamBatch(records: readonly StreamRecord[], source: StreamBatchSource): Promise<InvocationOutcome>;
  /** Runs the function on a JSON event as is: an SQS event, or a direct invocation. */
  invokeEvent(event: unknown): Promise<InvocationOutcome>;
  close(): Promise<void>;
}

/** Wraps an invoker so that every invocation's duration and every failure (by error type) is counted in
 * one place for all callers, and an exception escaping an invoker becomes a failed outcome: the mappings
 * never have to expect a throw. */
export function instrumentInvoker(functionName: string, invoker: FunctionInvoker): FunctionInvoker {
  const measure = async (invoke: () => Promise<InvocationOutcome>): Promise<InvocationOutcome> => {
    const end = functionBatchSeconds.startTimer({ function: functionName });
    const endOperation = timeOperation(componentId.function(functionName), "invoke");
    let outcome: InvocationOutcome;
    try {
      outcome = await invoke();
    } catch (error) {
      outcome = { ok: false, requestId: randomUUID(), error: toFunctionError(error) };
    }
    end();
    endOperation();
    if (!outcome.ok) functionErrors.inc({ function: functionName, error_type: outcome.error.errorType });
    if (!outcome.ok) countError(componentId.function(functionName), outcome.error.errorType, "processing");
    return outcome;
  };
  return {
    invokeStreamBatch: (records, source) => measure(() => invoker.invokeStreamBatch(records, source)),
    invokeEvent: (event) => measure(() => invoker.invokeEvent(event)),
    close: () => invoker.close(),
  };
}
