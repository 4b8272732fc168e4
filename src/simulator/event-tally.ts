// Counts events per type, for the summaries the CLI prints after writing or sending a stream.
import { eventTypes, type ShopEvent } from "../events/index.js";

export class EventTally {
  private readonly counts = new Map<string, number>();
  private totalCount = 0;

  add(events: readonly ShopEvent[]): void {
    for (const event of events) this.counts.set(event.type, (this.counts.get(event.type) ?? 0) + 1);
    this.totalCount += events.length;
  }

  get total(): number {
    return this.totalCount;
  }

  count(type: string): number {
    return this.counts.get(type) ?? 0;
  }

  /** Types seen, in the order the event model lists them (the funnel order). */
  byType(): Array<[type: string, count: number]> {
    return eventTypes.filter((type) => this.counts.has(type)).map((type) => [type, this.counts.get(type) ?? 0]);
  }
}
