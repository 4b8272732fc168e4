// X-Amz-Log-Result for Invoke with LogType Tail: the last 4 KB of the invocation's log, base64. Lambda's
// platform lines (START, END, REPORT) and, for a function error, the runtime's "Invoke Error" line; the
// handler's own console output goes to the server log (component functions), not here.
import type { LambdaFunction, LambdaInvokeOutcome } from "./lambda-function.js";

const TAIL_BYTES = 4096;

export function invocationLogTail(fn: LambdaFunction, outcome: LambdaInvokeOutcome, durationMs: number): string {
  const { requestId } = outcome;
  const lines = [`START RequestId: ${requestId} Version: $LATEST`];
  if (outcome.functionError) lines.push(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(outcome.payload)}`);
  const usedMb = Math.ceil(process.memoryUsage().rss / (1024 * 1024));
  lines.push(
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms\tMemory Size: ${fn.memorySizeMb} MB\tMax Memory Used: ${Math.min(usedMb, fn.memorySizeMb)} MB\t`,
    "",
  );
  const log = Buffer.from(lines.join("\n"), "utf8");
  return log.subarray(Math.max(0, log.length - TAIL_BYTES)).toString("base64");
}
