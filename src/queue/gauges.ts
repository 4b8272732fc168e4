// What the monitor reads at scrape time: every queue's visible, in-flight and delayed counts
// (CloudWatch's ApproximateNumberOfMessages* metrics).
import type { Queue, QueueCounts } from "./types.js";

export interface QueueGauge extends QueueCounts {
  queue: string;
}

export async function readQueueGauges(queue: Queue): Promise<QueueGauge[]> {
  const gauges: QueueGauge[] = [];
  for (const name of await queue.listQueues()) gauges.push({ queue: name, ...(await queue.counts(name)) });
  return gauges;
}
