// Scenario: lake. Two figures.
// - Delivery throughput: curated events already in the stream (4 shards, as the shipped config) through the
//   shipped `curated` delivery stream: read, checked, converted into Parquet for every table it fills (the
//   event mix has rows for seven of them), audited against the expectations, published and checkpointed.
//   Next to the raw limit measured in the same run on the same records: DuckDB's own read_ndjson → one
//   zstd Parquet file, with all its threads. Both are the best of three runs, taking turns (the delivery
//   runs once with --quick): on this machine the same work varies by 20% from run to run, and the limit's
//   best of three by up to 2× between runs minutes apart.
// - Freshness: the whole pipeline under a steady load (ingest → events → enrich → curated → lake), from an
//   event accepted by ingest to the event visible to SQL over the lake (the query path analytics uses,
//   scanTableFiles), at the default buffer interval.
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { parsePipelineConfig } from "../../src/config/index.js";
import { DEFAULT_DELIVERY_STREAMS, LAKE_DATA_PREFIX, lakeTable, LakeDelivery, LocalObjectStore, quoteSqlString, scanTableFiles } from "../../src/lake/index.js";
import { appendRecords, eventMix } from "../../src/lake/test-events.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { generateEvents } from "../../src/simulator/index.js";
import { SqliteStream } from "../../src/stream/index.js";
import { percentile, ratePerSec } from "../lib/measure.js";
import type { Figure } from "../lib/report.js";

const SHARDS = 4;
/** Both figures of the delivery are the best of this many runs. */
const BEST_OF_RUNS = 3;
/** Background events per second while freshness is measured: a busy local shop. */
const LOAD_EVENTS_PER_SEC = 500;
const MARKER_INTERVAL_MS = 200;
const POLL_INTERVAL_MS = 20;

export async function benchLake(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const throughput = await deliveryThroughput(options.quick ? 100_000 : 400_000, options.quick ? 1 : BEST_OF_RUNS, options.dir);
  const freshness = await freshnessFromIngestToSql(options.quick ? 10_000 : 30_000, join(options.dir, "pipeline"));
  const intervalMs = DEFAULT_DELIVERY_STREAMS["curated"]!.bufferIntervalMs;
  return [
    {
      scenario: "lake",
      metric: `delivery: curated JSON → Parquet, ${throughput.tables} tables (${throughput.tablesWithRows} with rows; ${SHARDS} shards, checked, audited, checkpointed)`,
      value: throughput.deliveryRate,
      unit: "records/s",
      limit: { name: "DuckDB read_ndjson → Parquet, same records", value: throughput.referenceRate },
      target: "ratio ≥ 0.5",
    },
    { scenario: "lake", metric: `freshness p50: accepted → visible to SQL (buffer interval ${intervalMs} ms)`, value: percentile(freshness, 50), unit: "ms" },
    { scenario: "lake", metric: `freshness p99: accepted → visible to SQL (buffer interval ${intervalMs} ms)`, value: percentile(freshness, 99), unit: "ms" },
  ];
}

async function deliveryThroughput(count: number, runs: number, dir: string): Promise<{ deliveryRate: number; referenceRate: number; tables: number; tablesWithRows: number }> {
  // A busy shop: the events span about an hour of event time.
  const events = eventMix(count, Date.parse("2026-01-05T08:00:00.000Z"), Math.max(1, Math.floor(3_600_000 / count)));
  const ndjsonPath = join(dir, "events.ndjson");
  writeFileSync(ndjsonPath, `${events.map((event) => JSON.stringify(event)).join("\n")}\n`);
  const stream = new SqliteStream({ path: join(dir, "stream.db") });
  await stream.createStream("curated", { shardCount: SHARDS });
  await appendRecords(stream, "curated", events);
  events.length = 0;
  const reference = await DuckDBInstance.create(":memory:");
  const referenceConnection = await reference.connect();
  // The best of a few runs of each, the limit and the delivery taking turns, so that both meet the same
  // spells of a shared machine. Each delivery run is a delivery stream of its own (its own consumer
  // checkpoints, lake and staging) over the same records.
  let bestReferenceMs = Infinity;
  let bestMs = Infinity;
  let tables = 0;
  let tablesWithRows = 0;
  try {
    for (let run = 1; run <= BEST_OF_RUNS; run++) {
      bestReferenceMs = Math.min(bestReferenceMs, await readNdjsonToParquetMs(referenceConnection, ndjsonPath, join(dir, "reference.parquet")));
      if (run > runs) continue;
      const name = run === 1 ? "curated" : `curated-run-${run}`;
      const lakeDir = join(dir, `lake-${run}`);
      const delivery = new LakeDelivery({ name, config: DEFAULT_DELIVERY_STREAMS["curated"]!, stream, store: new LocalObjectStore(lakeDir), stagingDir: join(dir, "staging") });
      const started = performance.now();
      await delivery.start();
      await delivery.flush();
      const elapsedMs = performance.now() - started;
      const delivered = (await delivery.progress()).reduce((sum, shard) => sum + shard.recordsDelivered, 0);
      await delivery.stop();
      if (delivered !== count) throw new Error(`lake bench: ${delivered} of ${count} records delivered`);
      bestMs = Math.min(bestMs, elapsedMs);
      tables = delivery.delivery.tables.length;
      tablesWithRows = readdirSync(join(lakeDir, LAKE_DATA_PREFIX)).length;
      rmSync(lakeDir, { recursive: true, force: true });
    }
  } finally {
    referenceConnection.closeSync();
    reference.closeSync();
    await stream.close();
  }
  return { deliveryRate: ratePerSec(count, bestMs), referenceRate: ratePerSec(count, bestReferenceMs), tables, tablesWithRows };
}

/** One run of DuckDB on its own, with every thread: the NDJSON file into one zstd Parquet file. */
async function readNdjsonToParquetMs(connection: DuckDBConnection, ndjsonPath: string, parquetPath: string): Promise<number> {
  const started = performance.now();
  await connection.run(`COPY (SELECT * FROM read_ndjson(${quoteSqlString(ndjsonPath)})) TO ${quoteSqlString(parquetPath)} (FORMAT parquet, COMPRESSION zstd)`);
  return performance.now() - started;
}

/**
 * Ingests `count` events at LOAD_EVENTS_PER_SEC, every MARKER_INTERVAL_MS one of them a marker whose
 * acceptance time is noted, and polls SQL over the lake for the markers: the latency of each is from its
 * durable acknowledgement to the first query that sees it.
 */
async function freshnessFromIngestToSql(count: number, dataDir: string): Promise<number[]> {
  const config = parsePipelineConfig("simulator: { ratePerSec: 0 }\n");
  const pipeline = await Pipeline.open(config, dataDir);
  await pipeline.start();
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const acceptedAtMs = new Map<string, number>();
  const latenciesMs: number[] = [];
  let producing = true;
  try {
    const events = generateEvents({ seed: 5 }, count);
    const poller = (async () => {
      while (producing || acceptedAtMs.size > 0) {
        await sleep(POLL_INTERVAL_MS);
        if (acceptedAtMs.size === 0) continue;
        const seenAtMs = Date.now();
        for (const id of await visibleMarkers(connection, pipeline.paths.lakeDir, [...acceptedAtMs.keys()])) {
          latenciesMs.push(seenAtMs - acceptedAtMs.get(id)!);
          acceptedAtMs.delete(id);
        }
      }
    })();
    const batchSize = Math.max(1, Math.round((LOAD_EVENTS_PER_SEC * MARKER_INTERVAL_MS) / 1000));
    for (let i = 0; i < events.length; i += batchSize) {
      const tickStartedMs = Date.now();
      const batch = events.slice(i, i + batchSize);
      const marker = { ...batch[0]!, event_id: `freshness-marker-${i}` };
      const result = await pipeline.ingest.ingest([marker, ...batch.slice(1)].map((value) => ({ ok: true as const, value })));
      if (result.rejected > 0) throw new Error(`lake bench: ingest refused ${result.rejected} events: ${JSON.stringify(result.results.find((r) => "error" in r))}`);
      acceptedAtMs.set(marker.event_id, Date.now());
      await sleep(Math.max(0, MARKER_INTERVAL_MS - (Date.now() - tickStartedMs)));
    }
    producing = false;
    await Promise.race([poller, sleep(30_000).then(() => Promise.reject(new Error(`lake bench: ${acceptedAtMs.size} markers never became visible`)))]);
    return latenciesMs;
  } finally {
    producing = false;
    acceptedAtMs.clear();
    connection.closeSync();
    instance.closeSync();
    await pipeline.stop();
  }
}

/** The markers among `ids` that a query over the lake's events table sees now. */
async function visibleMarkers(connection: DuckDBConnection, lakeDir: string, ids: string[]): Promise<string[]> {
  const events = lakeTable("events")!;
  const reader = await connection.runAndReadAll(
    `SELECT event_id FROM ${await scanTableFiles(lakeDir, events)} WHERE event_id IN (${ids.map(quoteSqlString).join(", ")})`,
  );
  return reader.getRows().map((row) => String(row[0]));
}
