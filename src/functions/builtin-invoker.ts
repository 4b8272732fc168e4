// Runs a built-in function in this thread on records decoded from JSON: the fast path, with no event
// shaping and no worker hop. In-process code cannot be killed, so a timeout fails the invocation and
// aborts context.signal, and the built-in is expected to give up; built-ins only do bounded local work.
import { randomUUID } from "node:crypto";
import { errorMessage } from "../errors/index.js";
import { functionRecords, type Logger } from "../monitor/index.js";
import type { StreamRecord } from "../stream/index.js";
import { timeoutError, toFunctionError, type InvocationOutcome } from "./invocation.js";
import type { FunctionInvoker, StreamBatchSource } from "./invoker.js";
import type { BatchContext, BuiltinFunction, DecodedRecord } from "./types.js";

export class BuiltinInvoker implements FunctionInvoker {
  constructor(
    private readonly fn: BuiltinFunction,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  invokeStreamBatch(records: readonly StreamRecord[], source: StreamBatchSource): Promise<InvocationOutcome> {
    const decoded: DecodedRecord[] = [];
    for (const record of records) {
      const value = this.decode(record.sequenceNumber, Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength));
      if (value === undefined) continue;
      const { sequenceNumber, partitionKey, approximateArrivalTimestamp } = record;
      decoded.push({ sequenceNumber, partitionKey, approximateArrivalTimestamp, value: value.json });
    }
    return this.run(decoded, source);
  }

  /** A Kinesis-shaped event (Lambda's test events), so a built-in answers direct invocations too. */
  invokeEvent(event: unknown): Promise<InvocationOutcome> {
    const records = (event as { Records?: unknown } | null)?.Records;
    if (!Array.isArray(records)) {
      return Promise.resolve({
        ok: false,
        requestId: randomUUID(),
        error: { errorType: "ValidationError", errorMessage: `${this.fn.name} takes a Kinesis event: { "Records": [{ "kinesis": { … } }] }` },
      });
    }
    const decoded: DecodedRecord[] = [];
    let source: StreamBatchSource = { stream: "", shardId: "" };
    for (const record of records as Array<{ eventID?: string; eventSourceARN?: string; kinesis?: Record<string, unknown> }>) {
      const kinesis = record.kinesis ?? {};
      const sequenceNumber = String(kinesis["sequenceNumber"] ?? "");
      const value = this.decode(sequenceNumber, Buffer.from(String(kinesis["data"] ?? ""), "base64"));
      if (value === undefined) continue;
      decoded.push({
        sequenceNumber,
        partitionKey: String(kinesis["partitionKey"] ?? ""),
        approximateArrivalTimestamp: Number(kinesis["approximateArrivalTimestamp"] ?? 0) * 1000,
        value: value.json,
      });
      source = { stream: record.eventSourceARN?.split("/").pop() ?? "", shardId: record.eventID?.split(":")[0] ?? "" };
    }
    return this.run(decoded, source);
  }

  async close(): Promise<void> {}

  /** Ingest only appends valid JSON, so a record that is not JSON is a foreign producer's: skip it, loudly. */
  private decode(sequenceNumber: string, bytes: Buffer): { json: unknown } | undefined {
    try {
      return { json: JSON.parse(bytes.toString("utf8")) };
    } catch (error) {
      functionRecords.inc({ function: this.fn.name, result: "skipped" });
      this.log.warn({ sequenceNumber, err: errorMessage(error) }, "record is not JSON; skipped");
      return undefined;
    }
  }

  private async run(records: DecodedRecord[], source: StreamBatchSource): Promise<InvocationOutcome> {
    const requestId = randomUUID();
    if (records.length === 0) return { ok: true, requestId, response: null };
    const abort = new AbortController();
    const context: BatchContext = { functionName: this.fn.name, stream: source.stream, shardId: source.shardId, signal: abort.signal };
    if (source.checkpoint) context.checkpoint = source.checkpoint;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<InvocationOutcome>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve({ ok: false, requestId, error: timeoutError(requestId, this.timeoutMs) });
      }, this.timeoutMs);
    });
    const handled = this.fn.handleBatch(records, context).then(
      (response): InvocationOutcome => ({ ok: true, requestId, response: response ?? null }),
      (error: unknown): InvocationOutcome => ({ ok: false, requestId, error: toFunctionError(error) }),
    );
    try {
      return await Promise.race([handled, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
