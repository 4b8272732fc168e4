// A seeded run to score detection on: the first events of a traffic stream, plus the later events of
// every injected case already under way, so that the end of the sample cuts no case in half (a card
// tester half-way through a burst would count as a miss that no detector could avoid).
import type { ShopEvent } from "../events/index.js";
import { createTrafficGenerator, simulationLabelOf, type TrafficOptions } from "../simulator/index.js";

/** Longer than any injected case takes to play out, in shop time. */
const CASE_COMPLETION_MS = 2 * 3_600_000;

export function labelledRun(options: TrafficOptions, eventCount: number): ShopEvent[] {
  const generator = createTrafficGenerator(options);
  const events = generator.take(eventCount);
  const underway = new Set(events.flatMap((event) => simulationLabelOf(event.payload as Record<string, unknown>)?.case_id ?? []));
  const endMs = generator.shopTimeMs + CASE_COMPLETION_MS;
  while (generator.shopTimeMs < endMs) {
    const event = generator.next();
    const caseId = simulationLabelOf(event.payload as Record<string, unknown>)?.case_id;
    if (caseId !== undefined && underway.has(caseId)) events.push(event);
  }
  return events;
}
