// How components feed the uniform metrics (docs/monitoring.md). A component id names one running part:
// `ingest`, `stream:<name>`, `function:<name>`, `lake:<delivery stream>`, `queue:<name>`, `dispatcher`,
// `planning`, `analytics`. Consumers use the same id as their checkpoint owner, so lag and throughput line up.
import {
  componentDiscarded,
  componentDuration,
  componentErrors,
  componentIteratorAge,
  componentLag,
  componentReceived,
  componentSent,
} from "./metrics.js";

/** Where in a component an error happened: taking input, working on it, or handing it on. */
export type ErrorStage = "receiving" | "processing" | "sending";

export const componentId = {
  stream: (name: string) => `stream:${name}`,
  function: (name: string) => `function:${name}`,
  lake: (deliveryStream: string) => `lake:${deliveryStream}`,
  queue: (name: string) => `queue:${name}`,
} as const;

export function countReceived(component: string, count = 1): void {
  if (count > 0) componentReceived.inc({ component }, count);
}

export function countSent(component: string, count = 1): void {
  if (count > 0) componentSent.inc({ component }, count);
}

export function countError(component: string, type: string, stage: ErrorStage, count = 1): void {
  if (count > 0) componentErrors.inc({ component, type, stage }, count);
}

export function countDiscarded(component: string, reason: string, count = 1): void {
  if (count > 0) componentDiscarded.inc({ component, reason }, count);
}

/** Starts timing one unit of work; call the result when it ends. */
export function timeOperation(component: string, operation: string): () => void {
  const end = componentDuration.startTimer({ component, operation });
  return () => void end();
}

export function setLag(component: string, waiting: number): void {
  componentLag.set({ component }, waiting);
}

/** The age of the last record a read returned from a shard; a read that returns nothing is caught up (0). */
export function setIteratorAge(component: string, stream: string, shard: string, lastArrivalMs: number | undefined): void {
  const ageMs = lastArrivalMs === undefined ? 0 : Math.max(0, Date.now() - lastArrivalMs);
  componentIteratorAge.set({ component, stream, shard }, ageMs / 1000);
}

/** Makes a component's received and sent series exist at 0 from the start, so that a component with no
 * traffic yet still shows on /metrics, on the dashboard and in alarms (as 0, not as missing data). */
export function declareComponents(components: Iterable<string>): void {
  for (const component of components) {
    componentReceived.inc({ component }, 0);
    componentSent.inc({ component }, 0);
  }
}

/** Records a duration measured elsewhere (e.g. a query's total execution time). */
export function observeDuration(component: string, operation: string, seconds: number): void {
  componentDuration.observe({ component, operation }, seconds);
}

/** The counters GET /v1/pipeline turns into rates and totals; sampled with the alarms' metrics. */
export const PIPELINE_RATE_METRICS: readonly string[] = [
  "shopstream_component_received_total",
  "shopstream_component_sent_total",
  "shopstream_component_errors_total",
  "shopstream_component_discarded_total",
];

/** Counts the outcomes of a write of several entries (a stream put, a queue send): each success as received,
 * each refused entry as an error by its code. */
export function countWriteOutcomes(component: string, outcomes: ReadonlyArray<object>): void {
  let received = 0;
  for (const outcome of outcomes) {
    if ("errorCode" in outcome) countError(component, String(outcome.errorCode), "receiving");
    else received++;
  }
  countReceived(component, received);
}

/** Counts what a read hands on (e.g. a queue receive) once it resolves. */
export async function countSentMessages<T extends readonly unknown[]>(component: string, read: Promise<T>): Promise<T> {
  const items = await read;
  countSent(component, items.length);
  return items;
}
