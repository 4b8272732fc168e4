// Where the dispatcher's events go: the pipeline's ingest in process (IngestService satisfies this), or a
// running pipeline's POST /v1/events over HTTP. Either way an event counts only once its append is durable.
import type { IngestResult } from "../ingest/index.js";
import { keyRefusal } from "../errors/index.js";

export interface EventSink {
  ingest(items: { ok: true; value: unknown }[]): Promise<IngestResult>;
}

/** Ingest answered, but not every event was appended: the caller must not treat them as durable. */
export class EventsNotAcceptedError extends Error {
  override readonly name = "EventsNotAcceptedError";
}

/** Appends `events` through `sink` and throws unless every one of them is durable. */
export async function appendDurably(sink: EventSink, events: readonly object[]): Promise<void> {
  const result = await sink.ingest(events.map((value) => ({ ok: true as const, value })));
  const failed = result.results.find((r) => !("sequence_number" in r));
  if (result.accepted !== events.length || failed !== undefined) {
    const reason = failed && "error" in failed ? `${failed.error.code}: ${failed.error.message}` : "not every event was accepted";
    throw new EventsNotAcceptedError(`ingest accepted ${result.accepted} of ${events.length} events (${reason})`);
  }
}

/**
 * POSTs events as a JSON array to `<target>/v1/events` with `headers` (e.g. x-api-key); ingest's 429
 * (backpressure) and 5xx throw EventsNotAcceptedError, a refused key UnauthorizedError.
 */
export function httpEventSink(target: string, options: { headers?: Record<string, string> } = {}): EventSink {
  const url = new URL("/v1/events", target).toString();
  return {
    async ingest(items) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...options.headers },
        body: JSON.stringify(items.map((item) => item.value)),
      });
      if (response.status !== 200 && response.status !== 400) {
        const text = await response.text();
        throw keyRefusal(response.status, `POST ${url}`, text) ?? new EventsNotAcceptedError(`POST ${url} answered ${response.status}: ${text.slice(0, 200)}`);
      }
      return (await response.json()) as IngestResult;
    },
  };
}
