// Scenario: end to end. The whole default pipeline (Pipeline.open with the default config, the server over
// HTTP): ingest → events → enrich → curated → orders, customers, fraud (serving store) and the lake
// deliveries, under a sustained load from concurrent HTTP clients in their own process.
// - Sustained rate: the offered load steps up; a step passes when ingest takes it (≥ 95 %, nothing
//   throttled) and no consumer's backlog grows over the step. For a lake delivery the backlog is what it
//   has not read yet: what it buffers is bounded by its buffer size and interval by design.
// - Freshness at 20k events/s (or the highest rate that passed, when lower): per request, its first
//   order_placed is a marker, timed from the request's acknowledgement to the first poll that sees the
//   order in the serving store, and to the first SQL over the lake that sees the event.
// Next to it, the raw limit measured in the same run: ingest alone (every consumer off), flat out.
// The load cycles through a pool of simulated events; each pass rewrites the run tag in the ids, so every
// pass is new events, orders and sessions (customers and event times repeat: a shop whose customers return).
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { parsePipelineConfig } from "../../src/config/index.js";
import { lakeTable, quoteSqlString, scanTableFiles } from "../../src/lake/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { createServer, serverUrl } from "../../src/server/index.js";
import { generateEvents } from "../../src/simulator/index.js";
import { percentile, ratePerSec, runHttpLoad, trackPeakRss, writeBodiesFile, type HttpLoadResult } from "../lib/measure.js";
import type { Figure } from "../lib/report.js";
import { BATCH_EVENTS, ndjsonBodies, openIngestOnly } from "./ingest.js";

const CLIENTS = 8;
const FULL_STEPS = [2_500, 5_000, 10_000, 12_500, 15_000, 20_000, 30_000, 40_000, 60_000, 80_000, 100_000, 120_000, 150_000];
const QUICK_STEPS = [5_000, 20_000];
const FRESHNESS_RATE = 20_000;
/** a step passes when the backlog grows by at most this share of the offered rate */
const MAX_BACKLOG_GROWTH = 0.05;
const LAG_SAMPLE_MS = 250;
const STORE_POLL_MS = 10;
const LAKE_POLL_MS = 100;
const GIB = 2 ** 30;

/** SHOPSTREAM_BENCH_E2E_RATES=20000,40000 replaces the steps (to profile one rate). */
function stepRates(quick: boolean): number[] {
  const override = process.env["SHOPSTREAM_BENCH_E2E_RATES"];
  return override ? override.split(",").map(Number) : quick ? QUICK_STEPS : FULL_STEPS;
}

interface Marker {
  orderId: string;
  eventId: string;
}

interface StepResult {
  rate: number;
  load: HttpLoadResult;
  achieved: number;
  /** growth of the summed backlog over the step's second half, records/s */
  growthPerSec: number;
  maxBacklog: number;
  /** per consumer, at the last sample */
  endBacklogs: Record<string, number>;
  passed: boolean;
}

/** The records each consumer has yet to read: functions by checkpoint, lake deliveries not yet buffered. */
async function unreadBacklogs(pipeline: Pipeline): Promise<Record<string, number>> {
  const backlogs = await pipeline.functions.lag();
  for (const lake of pipeline.lakes) {
    if (!lake.isRunning) continue;
    let unread = 0;
    for (const shard of await lake.progress()) unread += Math.max(0, shard.lagRecords - shard.recordsBuffered);
    backlogs[lake.consumerName] = unread;
  }
  return backlogs;
}

const total = (backlogs: Record<string, number>): number => Object.values(backlogs).reduce((sum, n) => sum + n, 0);

/** "orders 1,200, lake:curated 300": the consumers with a backlog, largest first. */
const describeBacklogs = (backlogs: Record<string, number>): string =>
  Object.entries(backlogs)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([consumer, n]) => `${consumer} ${n.toLocaleString("en-US")}`)
    .join(", ") || "none";

const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);

export async function benchE2e(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const poolEvents = generateEvents({ seed: 21 }, options.quick ? 50_000 : 200_000);
  const firstId = poolEvents[0]!.event_id;
  const runTag = `-${firstId.slice(firstId.indexOf("-") + 1, firstId.lastIndexOf("-"))}-`;
  const rewriteTo = `${runTag.slice(0, -1)}p{pass}-`;
  // On disk for the load generator: held here, the bodies (about 47 MB) and each step's IPC copy of them
  // would count in this process's RSS, which is the server's.
  const bodies = writeBodiesFile(ndjsonBodies(poolEvents), join(options.dir, "load-bodies.bin"));
  const markers: Array<Marker | undefined> = [];
  for (let i = 0; i < poolEvents.length; i += BATCH_EVENTS) {
    const order = poolEvents.slice(i, i + BATCH_EVENTS).find((event) => event.type === "order_placed");
    markers.push(order && { orderId: String((order.payload as { order_id: string }).order_id), eventId: order.event_id });
  }
  poolEvents.length = 0;
  const passId = (id: string, pass: number): string => id.replaceAll(runTag, rewriteTo.replaceAll("{pass}", String(pass)));

  // The limit: ingest alone, flat out, on the same bodies (one pass).
  const ingestOnly = await openIngestOnly(join(options.dir, "ingest-only"));
  let ingestAloneRate: number;
  try {
    const alone = await runHttpLoad({ url: ingestOnly.url, bodies, concurrency: 4 });
    ingestAloneRate = ratePerSec(alone.accepted, alone.elapsedMs);
  } finally {
    await ingestOnly.close();
  }

  const rss = trackPeakRss();
  const pipeline = await Pipeline.open(parsePipelineConfig("simulator: { ratePerSec: 0 }\n"), join(options.dir, "pipeline"));
  await pipeline.start();
  const server = await createServer(pipeline);
  await server.listen({ host: "127.0.0.1", port: 0 });
  const url = `${serverUrl(server)}/v1/events`;
  let nextPass = 0;

  async function drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (total(await unreadBacklogs(pipeline)) === 0) return true;
      await sleep(100);
    }
    return false;
  }

  async function step(rate: number, durationMs: number, onAccepted?: (body: number, pass: number, atMs: number) => void): Promise<StepResult> {
    const samples: Array<{ atMs: number; backlog: number }> = [];
    let lastBacklogs: Record<string, number> = {};
    let loading = true;
    const sampler = (async () => {
      while (loading) {
        const backlogs = await unreadBacklogs(pipeline);
        samples.push({ atMs: performance.now(), backlog: total(backlogs) });
        lastBacklogs = backlogs;
        await sleep(LAG_SAMPLE_MS);
      }
    })();
    const load = await runHttpLoad({
      url,
      bodies,
      concurrency: CLIENTS,
      ratePerSec: rate,
      eventsPerBody: BATCH_EVENTS,
      durationMs,
      rewrite: { from: runTag, to: rewriteTo, firstPass: nextPass },
      ...(onAccepted && { onAccepted }),
    });
    loading = false;
    await sampler;
    nextPass = Math.max(nextPass + 1, load.passes);
    const startMs = samples[0]?.atMs ?? 0;
    const quarter = (q: number) => samples.filter((s) => s.atMs - startMs >= (q * durationMs) / 4 && s.atMs - startMs < ((q + 1) * durationMs) / 4);
    const [second, last] = [quarter(1), quarter(3)];
    const growthPerSec = second.length > 0 && last.length > 0 ? ((mean(last.map((s) => s.backlog)) - mean(second.map((s) => s.backlog))) * 1000) / (durationMs / 2) : 0;
    const achieved = ratePerSec(load.accepted, load.elapsedMs);
    const passed = load.rejected === 0 && load.throttled === 0 && achieved >= 0.95 * rate && growthPerSec <= MAX_BACKLOG_GROWTH * rate;
    return {
      rate,
      load,
      achieved,
      growthPerSec,
      maxBacklog: Math.max(0, ...samples.map((s) => s.backlog)),
      endBacklogs: lastBacklogs,
      passed,
    };
  }

  try {
    const stepMs = options.quick ? 4_000 : 8_000;
    const drainMs = options.quick ? 15_000 : 60_000;
    let sustained = 0;
    for (const rate of stepRates(options.quick)) {
      const cpuBefore = process.cpuUsage();
      const result = await step(rate, stepMs);
      const drained = await drain(drainMs);
      // The step's events through every consumer, over all of this process's threads.
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMsPerThousand = (cpu.user + cpu.system) / 1000 / Math.max(1, result.load.accepted / 1000);
      console.log(
        `  e2e step ${rate.toLocaleString("en-US")}/s: took ${Math.round(result.achieved).toLocaleString("en-US")}/s (${result.load.throttled} throttled), ` +
          `backlog growth ${Math.round(result.growthPerSec).toLocaleString("en-US")}/s, max ${result.maxBacklog.toLocaleString("en-US")} ` +
          `(at the end: ${describeBacklogs(result.endBacklogs)}), ` +
          `ack p99 ${percentile(result.load.latenciesMs, 99).toFixed(0)} ms, process CPU ${cpuMsPerThousand.toFixed(1)} ms/1k events (until drained) ` +
          `→ ${result.passed ? "passed" : "failed"}${drained ? "" : " (did not drain)"}`,
      );
      if (!result.passed || !drained) break;
      sustained = rate;
    }

    // Freshness at the target rate, or the highest that passed when lower.
    const freshnessRate = sustained > 0 ? Math.min(FRESHNESS_RATE, sustained) : FRESHNESS_RATE;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const freshness = await measureFreshness(pipeline, (onAccepted) => step(freshnessRate, options.quick ? 4_000 : 10_000, onAccepted), markers, passId);
    loopDelay.disable();
    console.log(
      `  e2e freshness run at ${freshnessRate.toLocaleString("en-US")}/s: ${freshness.storeMs.length} markers; event-loop delay ` +
        `p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`,
    );
    const peakRss = rss.stop();
    const at = `at ${freshnessRate.toLocaleString("en-US")} events/s`;
    return [
      {
        scenario: "e2e",
        metric: `highest sustained rate, every consumer's backlog bounded (${CLIENTS} clients, ${BATCH_EVENTS}/request, ${stepMs / 1000} s steps)`,
        value: sustained,
        unit: "events/s",
        limit: { name: "ingest alone, flat out", value: ingestAloneRate },
        target: "≥ 100000",
      },
      { scenario: "e2e", metric: `freshness p50: accepted → serving store, ${at}`, value: percentile(freshness.storeMs, 50), unit: "ms" },
      { scenario: "e2e", metric: `freshness p99: accepted → serving store, ${at}`, value: percentile(freshness.storeMs, 99), unit: "ms", target: "≤ 500" },
      { scenario: "e2e", metric: `freshness p50: accepted → queryable in the lake, ${at}`, value: percentile(freshness.lakeMs, 50), unit: "ms" },
      { scenario: "e2e", metric: `freshness p99: accepted → queryable in the lake, ${at}`, value: percentile(freshness.lakeMs, 99), unit: "ms" },
      { scenario: "e2e", metric: `ack latency p99 ${at}, whole pipeline running`, value: percentile(freshness.ackMs, 99), unit: "ms", target: "≤ 50" },
      { scenario: "e2e", metric: "peak RSS (server, pipeline and freshness pollers; load generator apart)", value: peakRss / GIB, unit: "GiB", target: "≤ 1" },
    ];
  } finally {
    rss.stop();
    await server.close();
    await pipeline.stop();
  }
}

/**
 * Runs `load` with markers: each acknowledged request's marker is polled for in the serving store (its
 * order) and in the lake (its event) until seen; latencies are from the acknowledgement.
 */
async function measureFreshness(
  pipeline: Pipeline,
  load: (onAccepted: (body: number, pass: number, atMs: number) => void) => Promise<StepResult>,
  markers: Array<Marker | undefined>,
  passId: (id: string, pass: number) => string,
): Promise<{ storeMs: number[]; lakeMs: number[]; ackMs: number[] }> {
  const inStore = new Map<string, number>();
  const inLake = new Map<string, number>();
  const storeMs: number[] = [];
  const lakeMs: number[] = [];
  let loading = true;
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  const poll = async (pending: Map<string, number>, everyMs: number, seen: (ids: string[]) => Promise<string[]>, latencies: number[]) => {
    while (loading || pending.size > 0) {
      await sleep(everyMs);
      if (pending.size === 0) continue;
      const found = await seen([...pending.keys()]);
      const seenAtMs = Date.now();
      for (const id of found) {
        latencies.push(seenAtMs - pending.get(id)!);
        pending.delete(id);
      }
    }
  };
  const storePoller = poll(
    inStore,
    STORE_POLL_MS,
    async (ids) => (await pipeline.store.all<{ order_id: string }>(`SELECT order_id FROM orders WHERE order_id IN (${ids.map(() => "?").join(", ")})`, ids)).map((row) => row.order_id),
    storeMs,
  );
  const lakePoller = poll(inLake, LAKE_POLL_MS, (ids) => visibleInLake(connection, pipeline.paths.lakeDir, ids), lakeMs);
  try {
    const result = await load((body, pass, atMs) => {
      const marker = markers[body];
      if (!marker) return;
      inStore.set(passId(marker.orderId, pass), atMs);
      inLake.set(passId(marker.eventId, pass), atMs);
    });
    loading = false;
    const timeout = sleep(60_000, undefined, { ref: false }).then(() => Promise.reject(new Error(`e2e bench: ${inStore.size} markers never reached the store, ${inLake.size} never the lake`)));
    await Promise.race([Promise.all([storePoller, lakePoller]), timeout]);
    return { storeMs, lakeMs, ackMs: result.load.latenciesMs };
  } finally {
    loading = false;
    inStore.clear();
    inLake.clear();
    connection.closeSync();
    instance.closeSync();
  }
}

/** The event ids among `ids` that SQL over the lake's events table sees now. */
async function visibleInLake(connection: DuckDBConnection, lakeDir: string, ids: string[]): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT event_id FROM ${await scanTableFiles(lakeDir, lakeTable("events")!)} WHERE event_id IN (${ids.map(quoteSqlString).join(", ")})`);
  return reader.getRows().map((row) => String(row[0]));
}
