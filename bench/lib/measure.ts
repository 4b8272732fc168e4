// Small measuring helpers shared by the scenarios: percentiles, rates and the load-generator thread.
import { Worker } from "node:worker_threads";

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function ratePerSec(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

export interface HttpLoadResult {
  elapsedMs: number;
  latenciesMs: number[];
  accepted: number;
  rejected: number;
  throttled: number;
}

/** POSTs every body from a worker thread with `concurrency` keep-alive clients. */
export function httpLoad(url: string, bodies: Uint8Array[], concurrency: number, contentType = "application/x-ndjson"): Promise<HttpLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./http-load-worker.mjs", import.meta.url), {
      workerData: { url, bodies, concurrency, contentType },
    });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}
