// Scenario: ingest. NDJSON batches over real HTTP from concurrent keep-alive clients to durable
// acknowledgement, flat out and at a fixed 20k events/s (the acknowledgement-latency target), with the
// process's peak RSS. Next to the raw limits measured in the same run on the same lines: JSON.parse on one
// core, and a plain SQLite append (better-sqlite3, 1000-row transactions, no parsing).
import { join } from "node:path";
import Database from "better-sqlite3";
import { parsePipelineConfig } from "../../src/config/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { createServer, serverUrl } from "../../src/server/index.js";
import { generateEvents } from "../../src/simulator/index.js";
import { percentile, ratePerSec, runHttpLoad, trackPeakRss, writeBodiesFile } from "../lib/measure.js";
import type { Figure } from "../lib/report.js";

export const BATCH_EVENTS = 1000;
const CLIENTS = 4;
const FIXED_RATE_PER_SEC = 20_000;
const GIB = 2 ** 30;

/** NDJSON request bodies of `perBody` events each. */
export function ndjsonBodies(events: readonly unknown[], perBody = BATCH_EVENTS): Buffer[] {
  const bodies: Buffer[] = [];
  for (let i = 0; i < events.length; i += perBody) {
    bodies.push(Buffer.from(events.slice(i, i + perBody).map((e) => JSON.stringify(e)).join("\n") + "\n"));
  }
  return bodies;
}

const linesOf = (body: Buffer): string[] => body.toString("utf8").split("\n").filter(Boolean);

/** JSON.parse of every line, on this thread: what parsing alone allows. */
export function jsonParseLimit(bodies: Buffer[]): number {
  let events = 0;
  const start = performance.now();
  for (const body of bodies) {
    for (const line of linesOf(body)) {
      JSON.parse(line);
      events++;
    }
  }
  return ratePerSec(events, performance.now() - start);
}

/** The lines appended to a plain SQLite table, 1000 rows a transaction: what the disk path alone allows. */
export function sqliteAppendLimit(bodies: Buffer[], dir: string): number {
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE log (seq INTEGER PRIMARY KEY, pk TEXT NOT NULL, data BLOB NOT NULL, ts INTEGER NOT NULL)");
  const insert = db.prepare("INSERT INTO log (pk, data, ts) VALUES (?, ?, ?)");
  const batches = bodies.map((body) => linesOf(body).map((line, i) => ({ pk: String(i), data: Buffer.from(line) })));
  const append = db.transaction((rows: Array<{ pk: string; data: Buffer }>) => {
    const now = Date.now();
    for (const row of rows) insert.run(row.pk, row.data, now);
  });
  let events = 0;
  const start = performance.now();
  for (const rows of batches) {
    append(rows);
    events += rows.length;
  }
  const elapsed = performance.now() - start;
  db.close();
  return ratePerSec(events, elapsed);
}

/** Ingest alone: every consumer of the stream is off, so a figure is HTTP → durable ack. */
export async function openIngestOnly(dataDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const config = parsePipelineConfig(
    [
      "simulator: { ratePerSec: 0 }",
      "functions: { enrich: { enabled: false }, orders: { enabled: false }, customers: { enabled: false }, fraud: { enabled: false } }",
      "deliveryStreams: { curated: { source: curated, enabled: false }, raw: { source: events, enabled: false } }",
    ].join("\n"),
  );
  const pipeline = await Pipeline.open(config, dataDir);
  await pipeline.start();
  const server = await createServer(pipeline);
  await server.listen({ host: "127.0.0.1", port: 0 });
  return {
    url: `${serverUrl(server)}/v1/events`,
    close: async () => {
      await server.close();
      await pipeline.stop();
    },
  };
}

export async function benchIngest(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const count = options.quick ? 40_000 : 300_000;
  let inMemory: Buffer[] | undefined = ndjsonBodies(generateEvents({ seed: 7 }, count));
  const parseLimit = jsonParseLimit(inMemory);
  const appendLimit = sqliteAppendLimit(inMemory, options.dir);
  // On disk for the load generator from here: this process is the server's, and its RSS is measured.
  const bodies = writeBodiesFile(inMemory, join(options.dir, "load-bodies.bin"));
  inMemory = undefined;

  const rss = trackPeakRss();
  const ingest = await openIngestOnly(join(options.dir, "pipeline"));
  try {
    const load = await runHttpLoad({ url: ingest.url, bodies, concurrency: CLIENTS });
    if (load.accepted !== count) throw new Error(`ingest bench: ${load.accepted} of ${count} events accepted (${load.rejected} rejected)`);
    const fixedMs = options.quick ? 3_000 : 10_000;
    const fixed = await runHttpLoad({ url: ingest.url, bodies, concurrency: CLIENTS, ratePerSec: FIXED_RATE_PER_SEC, eventsPerBody: BATCH_EVENTS, durationMs: fixedMs });
    const peakRss = rss.stop();
    const rate = ratePerSec(load.accepted, load.elapsedMs);
    const label = `${CLIENTS} clients, ${BATCH_EVENTS}/request`;
    return [
      { scenario: "ingest", metric: `HTTP NDJSON → durable ack (${label})`, value: rate, unit: "events/s", limit: { name: "JSON.parse, one core", value: parseLimit } },
      { scenario: "ingest", metric: `HTTP NDJSON → durable ack (${label})`, value: rate, unit: "events/s", limit: { name: "raw SQLite append, 1000-row tx", value: appendLimit } },
      { scenario: "ingest", metric: `ack latency p50, flat out (${label})`, value: percentile(load.latenciesMs, 50), unit: "ms" },
      { scenario: "ingest", metric: `ack latency p99, flat out (${label})`, value: percentile(load.latenciesMs, 99), unit: "ms" },
      {
        scenario: "ingest",
        metric: `ack latency p50 at ${FIXED_RATE_PER_SEC.toLocaleString("en-US")} events/s (${fixed.accepted.toLocaleString("en-US")} events, ${fixed.throttled} throttled)`,
        value: percentile(fixed.latenciesMs, 50),
        unit: "ms",
      },
      {
        scenario: "ingest",
        metric: `ack latency p99 at ${FIXED_RATE_PER_SEC.toLocaleString("en-US")} events/s (from when each request was due)`,
        value: percentile(fixed.latenciesMs, 99),
        unit: "ms",
        target: "≤ 50",
      },
      { scenario: "ingest", metric: "peak RSS (server and pipeline; load generator apart)", value: peakRss / GIB, unit: "GiB", target: "≤ 1" },
    ];
  } finally {
    rss.stop();
    await ingest.close();
  }
}
