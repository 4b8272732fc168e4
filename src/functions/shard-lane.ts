// One of a shard's parallelizationFactor lanes: it gathers the records of the partition keys hashed to it
// into batches (batchSize, maximumBatchingWindowMs) and processes one batch at a time. A key always maps to
// the same lane, so its records are never processed out of order or at the same time.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { Wakeup } from "../stream/index.js";
import type { StreamBatchProcessor, TrackedRecord } from "./stream-batch-processor.js";

const IDLE_WAIT_MS = 1_000;

/** FNV-1a of the partition key: cheap, and spreads keys evenly over the lanes. */
export function laneOf(partitionKey: string, laneCount: number): number {
  if (laneCount === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < partitionKey.length; i++) hash = Math.imul(hash ^ partitionKey.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % laneCount;
}

export interface ShardLaneOptions {
  batchSize: number;
  maximumBatchingWindowMs: number;
}

export class ShardLane {
  private buffer: TrackedRecord[] = [];
  /** when the oldest buffered record arrived here: the batching window runs from then */
  private windowStartMs = 0;
  private stopping = false;
  private readonly wakeup = new Wakeup();

  constructor(
    private readonly options: ShardLaneOptions,
    private readonly processor: Pick<StreamBatchProcessor, "process">,
    private readonly settle: (records: TrackedRecord[]) => Promise<void>,
  ) {}

  push(record: TrackedRecord): void {
    if (this.buffer.length === 0) this.windowStartMs = Date.now();
    this.buffer.push(record);
    if (this.buffer.length >= this.options.batchSize || this.options.maximumBatchingWindowMs === 0) this.wakeup.wake();
  }

  /** Runs until stop(); the batch in flight finishes first. Records not yet started stay unsettled. */
  async run(): Promise<void> {
    const { batchSize, maximumBatchingWindowMs } = this.options;
    while (!this.stopping) {
      if (this.buffer.length === 0) {
        await this.wakeup.sleep(IDLE_WAIT_MS);
        continue;
      }
      const waitMs = this.buffer.length >= batchSize ? 0 : this.windowStartMs + maximumBatchingWindowMs - Date.now();
      if (waitMs > 0) {
        await this.wakeup.sleep(waitMs);
        continue;
      }
      const batch = this.buffer.splice(0, batchSize);
      this.windowStartMs = Date.now();
      await this.processor.process(batch, this.settle);
      // On a synchronous stream and store every await above resolves at once: without a turn of the event
      // loop, a backlog would run batch after batch as one chain of microtasks, and no HTTP request, timer
      // or I/O callback would get through until every lane ran dry (measured in the end-to-end bench at
      // 10k events/s: event-loop stalls of 0.5–1.4 s).
      await yieldToEventLoop();
    }
  }

  stop(): void {
    this.stopping = true;
    this.wakeup.wake();
  }
}
