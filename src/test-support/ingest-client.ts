// A test client of POST /v1/events that keeps a ledger of what the server said about each event:
// acknowledged (a sequence number: durable, must be in every sink exactly once), refused (a per-event
// error, or a 429/503 for the whole request: the client was told), or unknown (no answer, e.g. the server
// was killed: the event may be in the sinks at most once).

export type PostStatus = number | "no_answer";

export interface PostOutcome {
  status: PostStatus;
  /** Retry-After, in seconds, when the server sent one */
  retryAfterSec?: number;
  elapsedMs: number;
}

interface EventResultBody {
  results?: Array<{ sequence_number?: string; error?: { code: string } }>;
}

export class IngestLedger {
  readonly acknowledged = new Set<string>();
  /** refused one by one in a 200/400 answer's results */
  readonly refused = new Set<string>();
  /** refused as a whole request: 429 or 503 */
  readonly throttled = new Set<string>();
  readonly unknown = new Set<string>();
  /** requests by status */
  readonly statuses = new Map<PostStatus, number>();
  /** 429/503 answers without a Retry-After header */
  throttledWithoutRetryAfter = 0;

  /**
   * Posts `events` (each an event id and its JSON line) as one NDJSON request and records the outcome.
   * Never throws: a failed connection is an outcome too.
   */
  async post(url: string, events: ReadonlyArray<{ id: string; line: string }>, options: { timeoutMs?: number } = {}): Promise<PostOutcome> {
    const started = Date.now();
    let status: PostStatus = "no_answer";
    let retryAfterSec: number | undefined;
    let body: EventResultBody | undefined;
    try {
      const response = await fetch(`${url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: events.map((event) => event.line).join("\n"),
        signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
      });
      const header = response.headers.get("retry-after");
      if (header !== null) retryAfterSec = Number(header);
      const text = await response.text();
      status = response.status;
      try {
        body = JSON.parse(text) as EventResultBody;
      } catch {
        body = undefined;
      }
    } catch {
      status = "no_answer";
    }
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (status === 429 || status === 503) {
      if (retryAfterSec === undefined || !Number.isFinite(retryAfterSec)) this.throttledWithoutRetryAfter++;
      for (const event of events) this.throttled.add(event.id);
    } else if ((status === 200 || status === 400) && body?.results?.length === events.length) {
      for (const [i, result] of body.results.entries()) {
        const id = events[i]!.id;
        if (typeof result.sequence_number === "string") this.acknowledged.add(id);
        else this.refused.add(id);
      }
    } else {
      // No answer, or an answer that says nothing per event: the events may or may not be durable.
      for (const event of events) this.unknown.add(event.id);
    }
    return { status, ...(retryAfterSec !== undefined && { retryAfterSec }), elapsedMs: Date.now() - started };
  }

  /** every event posted so far */
  get posted(): number {
    return this.acknowledged.size + this.refused.size + this.throttled.size + this.unknown.size;
  }
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reads the simulator's NDJSON output into { id, type, line } records. */
export function parseEventLines(text: string): Array<{ id: string; type: string; orderId: string | undefined; line: string }> {
  return text
    .trim()
    .split("\n")
    .map((line) => {
      const event = JSON.parse(line) as { event_id: string; type: string; payload?: { order_id?: string } };
      return { id: event.event_id, type: event.type, orderId: event.payload?.order_id, line };
    });
}

/** The sum of every consumer's lag in records, from GET /v1/stats. */
export async function totalLag(url: string): Promise<{ total: number; byConsumer: Record<string, number> }> {
  const stats = (await (await fetch(`${url}/v1/stats`, { signal: AbortSignal.timeout(30_000) })).json()) as { lag: Record<string, number> };
  return { total: Object.values(stats.lag).reduce((sum, n) => sum + n, 0), byConsumer: stats.lag };
}
