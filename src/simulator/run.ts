// Live mode: draws events from a generator and hands them to a sink in small batches, paced against the
// wall clock so the requested rate holds on average, whatever the sink's latency.
import { setTimeout as sleep } from "node:timers/promises";
import type { ShopEvent } from "../events/index.js";
import type { TrafficGenerator } from "./traffic.js";

/** Where live events go: an HTTP endpoint (httpSink) or, inside `shopstream up`, ingest itself. */
export type EventSink = (events: ShopEvent[]) => Promise<void> | void;

export interface RunSimulatorOptions {
  generator: TrafficGenerator;
  /** events per real second */
  ratePerSec: number;
  /** stop after this much real time; default: until `signal` aborts or `maxEvents` are sent */
  durationMs?: number;
  maxEvents?: number;
  sink: EventSink;
  /** stops the run after the batch in flight; nothing already drawn is dropped */
  signal?: AbortSignal;
  /** how often a batch goes out; default 100 ms */
  intervalMs?: number;
  onBatch?: (progress: RunProgress, batch: readonly ShopEvent[]) => void;
}

export interface RunProgress {
  sent: number;
  batches: number;
  elapsedMs: number;
  /** shop time of the latest event sent */
  shopTimeMs: number;
}

/**
 * After a stall (a slow or throttled sink) the run catches up, but at most this much traffic per batch, so
 * a recovering server is not hit by one giant request.
 */
const MAX_CATCH_UP_MS = 1_000;
const TIMER_SLACK_MS = 2;

export async function runSimulator(options: RunSimulatorOptions): Promise<RunProgress> {
  const { generator, ratePerSec, durationMs, sink, signal } = options;
  const intervalMs = options.intervalMs ?? 100;
  if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) throw new RangeError(`ratePerSec must be a positive number, got ${ratePerSec}`);
  if (durationMs !== undefined && !(durationMs >= 0)) throw new RangeError(`durationMs must be >= 0, got ${durationMs}`);
  if (!(intervalMs >= 1)) throw new RangeError(`intervalMs must be >= 1, got ${intervalMs}`);

  const limit = Math.min(
    options.maxEvents ?? Infinity,
    durationMs === undefined ? Infinity : Math.round((ratePerSec * durationMs) / 1_000),
  );
  const maxBatch = Math.max(1, Math.ceil((ratePerSec * MAX_CATCH_UP_MS) / 1_000));
  const startedMs = performance.now();
  const progress: RunProgress = { sent: 0, batches: 0, elapsedMs: 0, shopTimeMs: generator.shopTimeMs };

  while (progress.sent < limit && !signal?.aborted) {
    const elapsedMs = performance.now() - startedMs;
    // Timers can fire a hair before their time; that close to the deadline counts as the deadline.
    const timeIsUp = durationMs !== undefined && elapsedMs >= durationMs - TIMER_SLACK_MS;
    // The schedule is absolute (rate × elapsed), so timer jitter and sink latency do not accumulate.
    const horizonMs = timeIsUp ? (durationMs as number) : elapsedMs;
    const due = Math.min(limit, Math.floor((ratePerSec * horizonMs) / 1_000));
    const batchSize = Math.min(due - progress.sent, maxBatch);
    if (batchSize > 0) {
      const batch = generator.take(batchSize);
      await sink(batch);
      progress.sent += batch.length;
      progress.batches++;
      progress.shopTimeMs = generator.shopTimeMs;
      progress.elapsedMs = performance.now() - startedMs;
      options.onBatch?.(progress, batch);
    }
    // A sink too slow for the rate means fewer events by the deadline, which the caller sees in `sent`.
    if (timeIsUp) break;
    const nowMs = performance.now() - startedMs;
    const untilNextTickMs = intervalMs - (nowMs % intervalMs);
    const waitMs = durationMs === undefined ? untilNextTickMs : Math.max(0, Math.min(untilNextTickMs, durationMs - nowMs));
    try {
      await sleep(waitMs, undefined, signal ? { signal } : undefined);
    } catch (error) {
      if (!signal?.aborted) throw error;
    }
  }
  progress.elapsedMs = performance.now() - startedMs;
  return progress;
}
