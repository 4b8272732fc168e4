// Small measuring helpers shared by the scenarios: percentiles, rates, the load-generator process and peak RSS.
import { fork } from "node:child_process";
import { writeFileSync } from "node:fs";

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
  /** with durationMs: the first pass number not used (firstPass + the passes made) */
  passes: number;
}

/**
 * Request bodies in a file the load generator reads itself: the process under test then holds neither the
 * bodies nor, for each step, the copy that sending them over IPC makes (writeBodiesFile).
 */
export interface BodiesFile {
  path: string;
}

/** Writes `bodies` to `path`, each as its length (4 bytes, little-endian) and its bytes. */
export function writeBodiesFile(bodies: readonly Uint8Array[], path: string): BodiesFile {
  const frames: Uint8Array[] = [];
  for (const body of bodies) {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(body.byteLength);
    frames.push(length, body);
  }
  writeFileSync(path, Buffer.concat(frames));
  return { path };
}

export interface HttpLoadOptions {
  url: string;
  /** the bodies, in a file the load generator reads */
  bodies: BodiesFile;
  concurrency: number;
  contentType?: string;
  /** offered load in events/s; request k is due at k × eventsPerBody / ratePerSec s, latency counts from then */
  ratePerSec?: number;
  eventsPerBody?: number;
  /** cycle through the bodies until then, instead of sending each once */
  durationMs?: number;
  /** each pass replaces `from` by `to` with "{pass}" in it replaced by the pass number (from firstPass), so every pass sends new events */
  rewrite?: { from: string; to: string; firstPass: number };
  /** called as each request's answer arrives, with the time it arrived (ms since the epoch) */
  onAccepted?: (body: number, pass: number, atMs: number) => void;
}

/** POSTs the bodies from a child process with `concurrency` keep-alive clients (see http-load-worker.mjs). */
export function runHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const { onAccepted, ...rest } = options;
  return new Promise((resolve, reject) => {
    // Plain node (no loader): the generator is JavaScript, and reads the bodies from their file itself.
    const child = fork(new URL("./http-load-worker.mjs", import.meta.url), [], { execArgv: [], serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let done = false;
    child.on("message", (message: { type: "accepted"; body: number; pass: number; atMs: number } | ({ type: "done" } & HttpLoadResult)) => {
      if (message.type === "accepted") onAccepted?.(message.body, message.pass, message.atMs);
      else {
        done = true;
        resolve(message);
      }
    });
    child.once("error", reject);
    child.once("exit", (code) => done || reject(new Error(`load generator exited with ${code} before it finished`)));
    const { bodies, ...settings } = rest;
    child.send({ contentType: "application/x-ndjson", ...settings, bodiesPath: bodies.path, reportAcceptance: onAccepted !== undefined });
  });
}

/** Samples this process's resident set (not the load generator's) every `intervalMs`; stop() returns the peak in bytes. */
export function trackPeakRss(intervalMs = 100): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), intervalMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}
