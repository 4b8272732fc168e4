// Runs a built-in function in this thread on records decoded from JSON: the fast path, with no event
// shaping and no worker hop. In-process code cannot be killed, so a timeout fails the invocation and
// aborts context.signal, and the built-in is expected to give up; built-ins only do bounded local work.
import { randomUUID } from "node:crypto";
import { errorMessage } from "../errors/index.js";
import { componentId, countDiscarded, functionRecords, type Logger } from "../monitor/index.js";
import type { StreamRecord } from "../stream/index.js";
import { timeoutError, toFunctionError, type InvocationOutcome } from "./invocation.js";
import type { FunctionInvoker, StreamBatchSource } from "./invoker.js";
import type { BatchContext, BuiltinFunction, DecodedRecord } from "./types.js";

/**
 * A built-in that handles only some event types. Records of other types never reach it and are not
 * decoded: most of a consumer's records are types it ignores, and JSON.parse is most of their cost.
 */
export interface TypeFilteredBuiltin<T = unknown> extends BuiltinFunction<T> {
  readonly handlesTypes: ReadonlySet<string>;
}

const ENVELOPE_HEAD = '{"event_id":"';
const TYPE_KEY = '","type":"';
/** how far into a record its type is looked for: ids are at most 128 characters */
const SNIFF_CHARS = 256;

/**
 * The type of a record that starts as ingest and enrich write every event, `{"event_id":"…","type":"…"`,
 * read without parsing it; undefined for any other shape (or an escape in either string), which is then
 * parsed in full.
 */
export function sniffEventType(bytes: Buffer): string | undefined {
  const head = bytes.toString("latin1", 0, Math.min(bytes.length, SNIFF_CHARS));
  if (!head.startsWith(ENVELOPE_HEAD)) return undefined;
  const idEnd = head.indexOf('"', ENVELOPE_HEAD.length);
  if (idEnd < 0 || !head.startsWith(TYPE_KEY, idEnd)) return undefined;
  const typeStart = idEnd + TYPE_KEY.length;
  const typeEnd = head.indexOf('"', typeStart);
  if (typeEnd < 0) return undefined;
  const type = head.slice(typeStart, typeEnd);
  return head.lastIndexOf("\\", typeEnd) >= 0 ? undefined : type;
}

export class BuiltinInvoker implements FunctionInvoker {
  constructor(
    private readonly fn: BuiltinFunction,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  invokeStreamBatch(records: readonly StreamRecord[], source: StreamBatchSource): Promise<InvocationOutcome> {
    const decoded: DecodedRecord[] = [];
    const handles = (this.fn as Partial<TypeFilteredBuiltin>).handlesTypes;
    for (const record of records) {
      const bytes = Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength);
      if (handles !== undefined) {
        const type = sniffEventType(bytes);
        if (type !== undefined && !handles.has(type)) continue;
      }
      const value = this.decode(record.sequenceNumber, bytes);
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
      countDiscarded(componentId.function(this.fn.name), "not_json");
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
