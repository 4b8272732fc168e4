// Scenario: ingest. NDJSON batches over real HTTP from concurrent keep-alive clients to durable
// acknowledgement, next to the raw limit: JSON.parse of the same lines plus a plain SQLite append of them.
import { join } from "node:path";
import Database from "better-sqlite3";
import { parsePipelineConfig } from "../../src/config/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { createServer, serverUrl } from "../../src/server/index.js";
import { generateEvents } from "../../src/simulator/index.js";
import { httpLoad, percentile, ratePerSec } from "../lib/measure.js";
import type { Figure } from "../lib/report.js";

const BATCH_EVENTS = 1000;

function rawLimit(bodies: Buffer[], dir: string): number {
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE log (seq INTEGER PRIMARY KEY, pk TEXT NOT NULL, data BLOB NOT NULL, ts INTEGER NOT NULL)");
  const insert = db.prepare("INSERT INTO log (pk, data, ts) VALUES (?, ?, ?)");
  const append = db.transaction((lines: string[]) => {
    const now = Date.now();
    for (const line of lines) {
      const event = JSON.parse(line) as { event_id: string };
      insert.run(event.event_id, Buffer.from(line), now);
    }
  });
  let events = 0;
  const start = performance.now();
  for (const body of bodies) {
    const lines = body.toString("utf8").split("\n").filter(Boolean);
    append(lines);
    events += lines.length;
  }
  const elapsed = performance.now() - start;
  db.close();
  return ratePerSec(events, elapsed);
}

export async function benchIngest(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const count = options.quick ? 40_000 : 300_000;
  const events = generateEvents({ seed: 7 }, count);
  const bodies: Buffer[] = [];
  for (let i = 0; i < events.length; i += BATCH_EVENTS) {
    bodies.push(Buffer.from(events.slice(i, i + BATCH_EVENTS).map((e) => JSON.stringify(e)).join("\n") + "\n"));
  }
  const limit = rawLimit(bodies, options.dir);

  const config = parsePipelineConfig(
    // Ingest alone: every consumer of the stream is off, so the figure is HTTP → durable ack.
    [
      "simulator: { ratePerSec: 0 }",
      "functions: { enrich: { enabled: false }, orders: { enabled: false }, customers: { enabled: false }, fraud: { enabled: false } }",
      "deliveryStreams: { curated: { source: curated, enabled: false }, raw: { source: events, enabled: false } }",
    ].join("\n"),
  );
  const pipeline = await Pipeline.open(config, join(options.dir, "pipeline"));
  await pipeline.start();
  const server = await createServer(pipeline);
  await server.listen({ host: "127.0.0.1", port: 0 });
  try {
    const load = await httpLoad(`${serverUrl(server)}/v1/events`, bodies, 4);
    if (load.accepted !== count) throw new Error(`ingest bench: ${load.accepted} of ${count} events accepted (${load.rejected} rejected)`);
    const rate = ratePerSec(load.accepted, load.elapsedMs);
    return [
      { scenario: "ingest", metric: "HTTP NDJSON → durable ack (4 clients, 1000/batch)", value: rate, unit: "events/s", limit: { name: "JSON.parse + SQLite append", value: limit } },
      { scenario: "ingest", metric: "ack latency p50 (per 1000-event request)", value: percentile(load.latenciesMs, 50), unit: "ms" },
      { scenario: "ingest", metric: "ack latency p99 (per 1000-event request)", value: percentile(load.latenciesMs, 99), unit: "ms" },
    ];
  } finally {
    await server.close();
    await pipeline.stop();
  }
}
