// Ingest: validates events, stamps ingested_at and appends them to the stream. It answers only once the
// accepted events are durable, with one result per event in input order. Used by the HTTP API and by the
// in-process simulator alike.
import { partitionKeyOf, validateEvent, type IngestedEvent } from "../events/index.js";
import { ThrottledError } from "../errors/index.js";
import { countError, countReceived, countSent, ingestEvents, ingestRejections, streamAppends } from "../monitor/index.js";
import type { PutRecordInput, Stream } from "../stream/index.js";
import { eventShapeProblem } from "./event-shape.js";
import type { BodyItem } from "./parse-body.js";

export type EventResult = { sequence_number: string } | { error: { code: string; message: string } };

export interface IngestResult {
  accepted: number;
  rejected: number;
  results: EventResult[];
}

export interface IngestServiceOptions {
  stream: Stream;
  streamName: string;
  /** largest serialized event accepted, in bytes */
  maxEventBytes: number;
  /** events being appended at once, across requests; beyond it callers get ThrottledError (429) */
  maxInflightEvents: number;
  /** while the reported backlog is above this, callers get ThrottledError (429); 0 or absent: no limit */
  maxBacklogRecords?: number;
}

/** How long a client refused for backlog is asked to wait: long enough for consumers to make headway. */
const BACKLOG_RETRY_AFTER_MS = 2000;

const PUT_BATCH = 500;

/**
 * Adds ingested_at to an event's own JSON text. The text is a valid JSON object (it parsed and passed the
 * envelope check), and the envelope admits no unknown fields, so it has no ingested_at of its own: the
 * stamp goes before the closing brace. Cheaper than serializing the parsed event again.
 */
function stampRaw(raw: string, stamp: string): string {
  return raw.slice(0, raw.lastIndexOf("}")) + stamp;
}

export class IngestService {
  private inflightEvents = 0;
  private backlogRecords = 0;
  constructor(private readonly options: IngestServiceOptions) {}

  /**
   * The records this process's consumers have yet to process (the pipeline samples it each second). An
   * append is fast (SQLite answers at once), so in-flight events alone never show that the functions
   * behind ingest cannot keep up: the backlog does, and above maxBacklogRecords ingest refuses new events.
   */
  reportBacklog(records: number): void {
    this.backlogRecords = records;
  }

  get inflight(): number {
    return this.inflightEvents;
  }

  async ingest(items: BodyItem[]): Promise<IngestResult> {
    const maxBacklog = this.options.maxBacklogRecords ?? 0;
    if (maxBacklog > 0 && this.backlogRecords > maxBacklog) {
      this.countThrottled(items.length);
      throw new ThrottledError(
        `the pipeline is behind: ${this.backlogRecords} records wait to be processed (limit ${maxBacklog}); retry after the Retry-After delay`,
        BACKLOG_RETRY_AFTER_MS,
      );
    }
    if (this.inflightEvents > 0 && this.inflightEvents + items.length > this.options.maxInflightEvents) {
      this.countThrottled(items.length);
      throw new ThrottledError(
        `ingest is at capacity (${this.inflightEvents} events in flight); retry after the Retry-After delay`,
        1000,
      );
    }
    this.inflightEvents += items.length;
    try {
      return await this.validateAndAppend(items);
    } finally {
      this.inflightEvents -= items.length;
    }
  }

  /** Refused, and the client is told (429): counted, so that the refusal is visible in metrics too. */
  private countThrottled(events: number): void {
    ingestEvents.inc({ result: "throttled" }, events);
    countReceived("ingest", events);
    countError("ingest", "throttled", "receiving", events);
  }

  private async validateAndAppend(items: BodyItem[]): Promise<IngestResult> {
    const results: EventResult[] = new Array(items.length);
    const records: PutRecordInput[] = [];
    const slots: number[] = [];
    const ingestedAt = new Date().toISOString();
    const stamp = `,"ingested_at":"${ingestedAt}"}`;
    for (const [i, item] of items.entries()) {
      if (!item.ok) {
        results[i] = { error: { code: item.code, message: item.message } };
        continue;
      }
      const shape = eventShapeProblem(item.value, item.raw);
      if (shape !== undefined) {
        results[i] = { error: shape };
        continue;
      }
      const checked = validateEvent(item.value);
      if (!checked.ok) {
        results[i] = { error: { code: checked.code, message: checked.message } };
        continue;
      }
      const data = Buffer.from(item.raw === undefined ? JSON.stringify({ ...checked.event, ingested_at: ingestedAt } satisfies IngestedEvent) : stampRaw(item.raw, stamp));
      if (data.byteLength > this.options.maxEventBytes) {
        results[i] = {
          error: { code: "event_too_large", message: `event is ${data.byteLength} bytes, more than the ${this.options.maxEventBytes}-byte limit` },
        };
        continue;
      }
      records.push({ partitionKey: partitionKeyOf(checked.event), data });
      slots.push(i);
    }
    for (let start = 0; start < records.length; start += PUT_BATCH) {
      const put = await this.options.stream.putRecords(this.options.streamName, records.slice(start, start + PUT_BATCH));
      for (const [j, result] of put.entries()) {
        results[slots[start + j]!] =
          "sequenceNumber" in result
            ? { sequence_number: result.sequenceNumber }
            : { error: { code: "stream_error", message: result.errorMessage } };
      }
    }
    let accepted = 0;
    for (const result of results) {
      if ("sequence_number" in result) accepted++;
      else ingestRejections.inc({ code: result.error.code });
      if ("error" in result) countError("ingest", result.error.code, "receiving");
    }
    const rejected = results.length - accepted;
    ingestEvents.inc({ result: "accepted" }, accepted);
    if (rejected > 0) ingestEvents.inc({ result: "rejected" }, rejected);
    streamAppends.inc({ stream: this.options.streamName }, accepted);
    countReceived("ingest", results.length);
    countSent("ingest", accepted);
    return { accepted, rejected, results };
  }
}
