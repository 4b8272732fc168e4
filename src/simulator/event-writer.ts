// Wraps payloads in the event envelope (id, type, RFC 3339 time, source) and queues them for readers.
// Tasks write here; the generator's next()/take() read from the front.
import type { EventType, Payloads, ShopEvent } from "../events/index.js";
import type { IdSequence } from "./ids.js";

export const SIMULATOR_SOURCE = "simulator";

/** A payload of type K; payloads may carry extra fields (the lake keeps them), and the simulator adds a few. */
export type PayloadOf<K extends EventType> = Payloads[K] & { [extra: string]: unknown };

export class EventWriter {
  private readonly queue: ShopEvent[] = [];
  private readIndex = 0;
  private formattedMs = Number.NaN;
  private formattedIso = "";

  constructor(private readonly ids: IdSequence) {}

  emit<K extends EventType>(type: K, atMs: number, payload: PayloadOf<K>): void {
    // Snapshots and checkout bursts share a timestamp; formatting once per distinct ms saves real time.
    if (atMs !== this.formattedMs) {
      this.formattedMs = atMs;
      this.formattedIso = new Date(atMs).toISOString();
    }
    this.queue.push({
      event_id: this.ids.next("ev"),
      type,
      occurred_at: this.formattedIso,
      source: SIMULATOR_SOURCE,
      payload,
    } as ShopEvent);
  }

  get queued(): number {
    return this.queue.length - this.readIndex;
  }

  /** The oldest queued event, or undefined when the queue is empty. */
  shift(): ShopEvent | undefined {
    const event = this.queue[this.readIndex];
    if (event === undefined) return undefined;
    this.readIndex++;
    if (this.readIndex === this.queue.length) {
      this.queue.length = 0;
      this.readIndex = 0;
    }
    return event;
  }
}
