// Sends event batches to a shopstream ingest endpoint as NDJSON. Throttling (429/503 + Retry-After) is
// waited out and the same request retried, so no event is ever dropped; per-event rejections are counted.
// A refused API key (401/403) fails at once with UnauthorizedError: retrying would not change the answer.
import { setTimeout as sleep } from "node:timers/promises";
import type { ShopEvent } from "../events/index.js";
import { UnavailableError, answerMessage, errorMessage, keyRefusal } from "../errors/index.js";

export interface HttpSinkOptions {
  /** events per request; the server's default limit is 10,000, and smaller requests keep latency even */
  maxEventsPerRequest?: number;
  /** attempts on network errors and 5xx answers other than 503, before giving up; default 5 */
  maxTransientAttempts?: number;
  /** longest wait between retries, whatever Retry-After says; default 30 s */
  maxRetryWaitMs?: number;
  /** extra request headers, e.g. x-api-key for a server with API keys */
  headers?: Record<string, string>;
  /** aborts a wait between retries; the batch being retried then counts as unsent */
  signal?: AbortSignal;
}

export interface HttpSinkStats {
  requests: number;
  accepted: number;
  rejected: number;
  /** retries after throttling, network errors or server errors */
  retries: number;
  /** real time spent waiting before retries */
  waitedMs: number;
  /** the first few rejection messages, as "event_id: code: message" */
  sampleRejections: string[];
}

/** An EventSink (always async) that also tells where it sends and how it went. */
export interface HttpSink {
  (events: ShopEvent[]): Promise<void>;
  readonly url: string;
  readonly stats: HttpSinkStats;
}

/** Ingest answers {accepted, rejected, results}, one result per event in request order. */
interface IngestAnswer {
  accepted: number;
  rejected: number;
  results?: Array<{ sequence_number?: string; error?: { code?: string; message?: string } }>;
}

const MAX_SAMPLE_REJECTIONS = 5;
const FIRST_BACKOFF_MS = 250;
/** "Retry-After: 0" on every answer must not turn into a busy loop. */
const MIN_RETRY_WAIT_MS = 50;

export class HttpSinkError extends UnavailableError {}

export function httpSink(targetUrl: string, options: HttpSinkOptions = {}): HttpSink {
  const url = new URL("v1/events", targetUrl.endsWith("/") ? targetUrl : `${targetUrl}/`).toString();
  const maxEventsPerRequest = options.maxEventsPerRequest ?? 1_000;
  const maxTransientAttempts = options.maxTransientAttempts ?? 5;
  const maxRetryWaitMs = options.maxRetryWaitMs ?? 30_000;
  const stats: HttpSinkStats = { requests: 0, accepted: 0, rejected: 0, retries: 0, waitedMs: 0, sampleRejections: [] };

  const wait = async (ms: number): Promise<void> => {
    const boundedMs = Math.min(ms, maxRetryWaitMs);
    stats.retries++;
    stats.waitedMs += boundedMs;
    await sleep(boundedMs, undefined, options.signal ? { signal: options.signal } : undefined);
  };

  const countAnswer = (answer: IngestAnswer, events: readonly ShopEvent[]): void => {
    stats.accepted += answer.accepted;
    stats.rejected += answer.rejected;
    if (answer.rejected === 0 || stats.sampleRejections.length >= MAX_SAMPLE_REJECTIONS) return;
    answer.results?.forEach((result, index) => {
      if (!result.error || stats.sampleRejections.length >= MAX_SAMPLE_REJECTIONS) return;
      stats.sampleRejections.push(`${events[index]?.event_id ?? `#${index}`}: ${result.error.code ?? "error"}: ${result.error.message ?? ""}`);
    });
  };

  const post = async (events: readonly ShopEvent[]): Promise<void> => {
    let body = "";
    for (const event of events) body += `${JSON.stringify(event)}\n`;
    let transientFailures = 0;
    let backoffMs = FIRST_BACKOFF_MS;
    for (;;) {
      let response: Response;
      try {
        stats.requests++;
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/x-ndjson", ...options.headers },
          body,
        });
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        if (++transientFailures >= maxTransientAttempts) {
          throw new HttpSinkError(`cannot reach ${url}: ${errorMessage(cause ?? error)}`, { cause: error });
        }
        await wait(backoffMs);
        backoffMs *= 2;
        continue;
      }
      if (response.status === 429 || response.status === 503) {
        // The server asked us to slow down: wait as told and send the very same batch again.
        await response.body?.cancel();
        await wait(Math.max(MIN_RETRY_WAIT_MS, retryAfterMs(response.headers.get("retry-after")) ?? backoffMs));
        backoffMs = Math.min(backoffMs * 2, maxRetryWaitMs);
        continue;
      }
      const text = await response.text();
      const answer = parseAnswer(text);
      // 400 with per-event results means some events were rejected and the rest are durable: never resend.
      if (answer && (response.ok || response.status === 400)) {
        countAnswer(answer, events);
        return;
      }
      const refused = keyRefusal(response.status, url, text);
      if (refused) throw refused;
      if (response.status >= 500 && ++transientFailures < maxTransientAttempts) {
        await wait(backoffMs);
        backoffMs *= 2;
        continue;
      }
      throw new HttpSinkError(`${url} answered ${response.status}: ${answerMessage(text)}`);
    }
  };

  const sink = async (events: ShopEvent[]): Promise<void> => {
    for (let start = 0; start < events.length; start += maxEventsPerRequest) {
      await post(events.slice(start, start + maxEventsPerRequest));
    }
  };
  return Object.assign(sink, { url, stats });
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const atMs = Date.parse(header);
  return Number.isNaN(atMs) ? undefined : Math.max(0, atMs - Date.now());
}

function parseAnswer(text: string): IngestAnswer | undefined {
  try {
    const value = JSON.parse(text) as Partial<IngestAnswer>;
    return typeof value.accepted === "number" && typeof value.rejected === "number" ? (value as IngestAnswer) : undefined;
  } catch {
    return undefined;
  }
}
