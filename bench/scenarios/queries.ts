// Scenario: the dashboard's KPI queries over a lake of simulated events (10M; --quick: 1M), each run as the
// dashboard runs it, against the 300 ms p50 target. Next to each, the raw limit: the same SQL on a plain
// DuckDB over the same files, without the engine's sandbox, registry refresh and JSON conversion.
//
// The lake is built fast and directly, not through the pipeline (whose lake delivery would take minutes
// for 10M events): the simulator's events are curated by enrich's own `curate`, read and checked by the
// lake's own SQL (curatedBatchFromNdjson), each table's columns taken as the lake's table definitions say,
// and written as zstd Parquet under the same Hive layout
// (`curated/<table>/[type=…/]dt=…/hour=…/`). Chunks of events become one file per partition, the shape a
// compacted lake has, so the views run unchanged.
import { mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { KPI_VIEWS, openAnalytics, type AnalyticsEngine } from "../../src/analytics/index.js";
import { curate, type ReferenceData } from "../../src/functions/index.js";
import { curatedBatchFromNdjson, LAKE_TABLES, quoteIdentifier, quoteSqlString, scanTableFiles, selectTableRows, tableDirectory, type LakeTable } from "../../src/lake/index.js";
import { DEFAULT_TRAFFIC_START_MS, createTrafficGenerator, generateCatalog } from "../../src/simulator/index.js";
import { percentile, ratePerSec } from "../lib/measure.js";
import type { Figure } from "../lib/report.js";

const FULL_EVENTS = 10_000_000;
const QUICK_EVENTS = 1_000_000;
/** The simulated week: a dashboard's "last 7 days" is the whole lake. */
const SIMULATED_DAYS = 7;
/** Events per conversion: about 200 MB of NDJSON, 8 shop hours at the full rate. */
const CHUNK_EVENTS = 500_000;
const TRAFFIC_SEED = 7;
const GENERATOR_THREADS = 2;
const TARGET_P50_MS = 300;

export interface SimulatedLake {
  events: number;
  files: number;
  bytes: number;
  elapsedMs: number;
  /** of which DuckDB spent converting NDJSON chunks to Parquet (the generator threads run meanwhile) */
  convertMs: number;
}

/** What a generator thread is asked for: its slice of the simulated week. */
interface GeneratorTask {
  scratchDir: string;
  worker: number;
  eventCount: number;
  startMs: number;
  eventsPerShopHour: number;
}

// A generator thread runs this module from source: tsx is registered first, then the module starts
// generating when it sees its task (the check at the end of this file).
const GENERATOR_BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
import(workerData.tsxApi).then((tsx) => { tsx.register(); return import(workerData.entryUrl); });
`;

/** A chunk a generator thread wrote: NDJSON of curated records, one per line. */
interface GeneratedChunk {
  path: string;
  name: string;
}

/**
 * Writes `eventCount` simulated events into a lake at `lakeDir`, streaming through `scratchDir`. Two
 * generator threads each simulate half of the week (so the second half starts with fresh store stock),
 * while DuckDB converts what they wrote: JavaScript generation is the slower half of the work.
 */
export async function buildSimulatedLake(options: { lakeDir: string; scratchDir: string; eventCount: number }): Promise<SimulatedLake> {
  const started = performance.now();
  mkdirSync(options.scratchDir, { recursive: true });
  mkdirSync(options.lakeDir, { recursive: true });
  const eventsPerShopHour = options.eventCount / (SIMULATED_DAYS * 24);
  const halfWeekMs = (SIMULATED_DAYS * 86_400_000) / GENERATOR_THREADS;
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  const workers: Worker[] = [];
  let convertMs = 0;
  try {
    const chunks = new ChunkQueue();
    for (let worker = 0; worker < GENERATOR_THREADS; worker++) {
      const task: GeneratorTask = {
        scratchDir: options.scratchDir,
        worker,
        eventCount: Math.floor(options.eventCount / GENERATOR_THREADS) + (worker === 0 ? options.eventCount % GENERATOR_THREADS : 0),
        startMs: DEFAULT_TRAFFIC_START_MS + worker * halfWeekMs,
        eventsPerShopHour,
      };
      const thread = new Worker(GENERATOR_BOOTSTRAP, {
        eval: true,
        workerData: { tsxApi: import.meta.resolve("tsx/esm/api"), entryUrl: import.meta.url, simulatedLakeTask: task },
      });
      workers.push(thread);
      chunks.follow(thread);
    }
    for await (const { chunk, ack } of chunks) {
      const converting = performance.now();
      try {
        await convertChunk(connection, chunk.path, options.lakeDir, chunk.name);
        convertMs += performance.now() - converting;
      } finally {
        unlinkSync(chunk.path);
      }
      ack();
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
    connection.closeSync();
    instance.closeSync();
  }
  const { files, bytes } = parquetFilesUnder(options.lakeDir);
  return { events: options.eventCount, files, bytes, elapsedMs: performance.now() - started, convertMs };
}

/** Chunks from every generator thread, in arrival order; a thread writes its next chunk once its last is taken. */
class ChunkQueue implements AsyncIterable<{ chunk: GeneratedChunk; ack: () => void }> {
  private readonly ready: Array<{ chunk: GeneratedChunk; ack: () => void }> = [];
  private running = 0;
  private failure: unknown;
  private wake: (() => void) | undefined;

  follow(thread: Worker): void {
    this.running++;
    thread.on("message", (chunk: GeneratedChunk) => {
      this.ready.push({ chunk, ack: () => thread.postMessage("next") });
      this.notify();
    });
    thread.once("error", (error) => {
      this.failure ??= error;
      this.notify();
    });
    thread.once("exit", () => {
      this.running--;
      this.notify();
    });
  }

  private notify(): void {
    this.wake?.();
    this.wake = undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<{ chunk: GeneratedChunk; ack: () => void }> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const next = this.ready.shift();
      if (next) yield next;
      else if (this.running === 0) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** A generator thread: simulates its slice, curates each event as enrich does, and writes NDJSON chunks. */
async function generateChunks(task: GeneratorTask): Promise<void> {
  const catalog = generateCatalog();
  // The reference data enrich sees in the pipeline, as pipeline/reference-data.ts loads it from the store.
  const reference: ReferenceData = {
    stores: new Map(catalog.stores.map((s) => [s.store_id, { name: s.name, city: s.city, region: s.region, country: s.country }])),
    products: new Map(catalog.products.map((p) => [p.product_id, { name: p.name, category: p.category, list_price: p.price }])),
  };
  const traffic = createTrafficGenerator({ seed: TRAFFIC_SEED + task.worker, catalog, startMs: task.startMs, eventsPerShopHour: task.eventsPerShopHour });
  let taken: Promise<unknown> = Promise.resolve();
  for (let first = 0, chunk = 0; first < task.eventCount; first += CHUNK_EVENTS, chunk++) {
    const count = Math.min(CHUNK_EVENTS, task.eventCount - first);
    let ndjson = "";
    for (let i = 0; i < count; i++) {
      // Ingested the moment it happened; the event is ours, so it is stamped in place rather than copied.
      const event = Object.assign(traffic.next(), { ingested_at: "" });
      event.ingested_at = event.occurred_at;
      ndjson += `${JSON.stringify(curate(event, reference))}\n`;
    }
    const name = `part-${task.worker}-${String(chunk).padStart(4, "0")}`;
    const path = join(task.scratchDir, `${name}.ndjson`);
    writeFileSync(path, ndjson);
    // At most one chunk waits for DuckDB per thread: memory and scratch space stay bounded.
    await taken;
    taken = new Promise((resolve) => parentPort!.once("message", resolve));
    parentPort!.postMessage({ path, name } satisfies GeneratedChunk);
  }
  await taken;
}

if (!isMainThread && (workerData as { simulatedLakeTask?: GeneratorTask } | null)?.simulatedLakeTask) {
  await generateChunks((workerData as { simulatedLakeTask: GeneratorTask }).simulatedLakeTask);
  process.exit(0);
}

/** One chunk of curated records → every table's partitions, one Parquet file each. */
async function convertChunk(connection: DuckDBConnection, ndjsonPath: string, lakeDir: string, fileName: string): Promise<void> {
  const batch = "simulated_batch";
  // Read and checked as the shipped `curated` delivery stream reads them; a record it would refuse fails the build.
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${batch} AS ${curatedBatchFromNdjson(ndjsonPath)}`);
  const refused = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${batch} WHERE error IS NOT NULL`)).getRows()[0]?.[0] ?? 0);
  if (refused > 0) throw new Error(`queries bench: the lake's checks refused ${refused} simulated records in ${ndjsonPath}`);
  const types = (await connection.runAndReadAll(`SELECT DISTINCT type FROM ${batch} ORDER BY type`)).getRows().map((row) => String(row[0]));
  const statements: string[] = [];
  for (const table of LAKE_TABLES as readonly LakeTable[]) {
    const outputs = table.partitionColumns.some((column) => column.name === "type")
      ? types.map((type) => ({ where: `type = ${quoteSqlString(type)}`, dir: `${tableDirectory(lakeDir, table)}/type=${type}` }))
      : [{ where: `type IN (${(table.eventTypes ?? []).map(quoteSqlString).join(", ")})`, dir: tableDirectory(lakeDir, table) }];
    for (const { where, dir } of outputs) {
      mkdirSync(dir, { recursive: true });
      // dt and hour as the delivery names them (UTC, hour zero-padded); DuckDB leaves them out of the files.
      statements.push(
        `COPY (SELECT *, strftime(occurred_at, '%Y-%m-%d') AS dt, strftime(occurred_at, '%H') AS hour ` +
          `FROM (${selectTableRows(table, batch, where)})) TO ${quoteSqlString(dir)} ` +
          `(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt, hour), OVERWRITE_OR_IGNORE, FILENAME_PATTERN ${quoteSqlString(`${fileName}-{i}`)})`,
      );
    }
  }
  statements.push(`DROP TABLE ${batch}`);
  await connection.run(statements.join(";\n"));
}

function parquetFilesUnder(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".parquet")) {
      files++;
      bytes += statSync(join(entry.parentPath, entry.name)).size;
    }
  }
  return { files, bytes };
}

interface DashboardQuery {
  name: string;
  sql: string;
}

/** What the dashboard asks, with `day` the last full day of the lake. */
function dashboardQueries(day: string, storeId: string): DashboardQuery[] {
  const date = `DATE ${quoteSqlString(day)}`;
  return [
    { name: "hourly_sales, one day", sql: `SELECT hour, orders, units, revenue, average_order_value FROM hourly_sales WHERE dt = ${date} ORDER BY hour` },
    { name: "daily_sales, last 7 days", sql: `SELECT * FROM daily_sales WHERE dt > ${date} - 7 ORDER BY dt` },
    { name: "funnel, one day", sql: `SELECT step, sessions, conversion_from_previous, conversion_from_start FROM funnel WHERE dt = ${date} ORDER BY step_no` },
    { name: "top_products, top 10 of one day", sql: `SELECT product_id, product_name, category, units, revenue FROM top_products WHERE dt = ${date} ORDER BY revenue DESC LIMIT 10` },
    {
      name: "top_products, top 10 of 7 days",
      sql:
        `SELECT product_id, any_value(product_name) AS product_name, sum(units) AS units, sum(revenue) AS revenue ` +
        `FROM top_products WHERE dt > ${date} - 7 GROUP BY product_id ORDER BY revenue DESC LIMIT 10`,
    },
    { name: "store_revenue, one day", sql: `SELECT store_id, region, orders, revenue FROM store_revenue WHERE dt = ${date} ORDER BY revenue DESC` },
    { name: "latest_inventory, one store", sql: `SELECT * FROM latest_inventory WHERE store_id = ${quoteSqlString(storeId)} ORDER BY product_id` },
    { name: "low_stock, whole list", sql: "SELECT * FROM low_stock ORDER BY units_short DESC" },
  ];
}

/** A plain DuckDB with the same views: the raw limit the engine's figures are compared to. */
async function openPlainDuckDb(lakeDir: string): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  await connection.run("SET parquet_metadata_cache = true");
  for (const table of LAKE_TABLES as readonly LakeTable[]) {
    // Awaited: the lake lists a table's visible objects for each scan (and, before that change, globbed).
    await connection.run(`CREATE VIEW ${quoteIdentifier(table.name)} AS SELECT * FROM ${await scanTableFiles(lakeDir, table)}`);
  }
  for (const view of KPI_VIEWS) await connection.run(`CREATE VIEW ${quoteIdentifier(view.name)} AS ${view.sql}`);
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

async function timeRuns(runs: number, run: () => Promise<unknown>): Promise<number[]> {
  await run(); // warm: file system cache and DuckDB's metadata caches, as on a dashboard that refreshes
  const timesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    timesMs.push(performance.now() - started);
  }
  return timesMs;
}

export async function benchQueries(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const eventCount = options.quick ? QUICK_EVENTS : FULL_EVENTS;
  const runs = options.quick ? 10 : 20;
  const lakeDir = join(options.dir, "lake");
  const lake = await buildSimulatedLake({ lakeDir, scratchDir: join(options.dir, "scratch"), eventCount });
  const label = `${eventCount / 1_000_000}M events`;
  process.stdout.write(
    `  lake: ${lake.events.toLocaleString("en-US")} events → ${lake.files.toLocaleString("en-US")} Parquet files, ` +
      `${(lake.bytes / 2 ** 20).toFixed(0)} MiB, in ${(lake.elapsedMs / 1000).toFixed(1)} s ` +
      `(DuckDB converting ${(lake.convertMs / 1000).toFixed(1)} s of it, the generator threads the rest and meanwhile)\n`,
  );
  const figures: Figure[] = [
    { scenario: "queries", metric: `build the lake (${label}, simulate + curate + Parquet)`, value: lake.elapsedMs / 1000, unit: "s" },
    { scenario: "queries", metric: "build the lake, throughput", value: ratePerSec(lake.events, lake.elapsedMs), unit: "events/s" },
  ];

  const engine: AnalyticsEngine = await openAnalytics({ lakeDir });
  const plain = await openPlainDuckDb(lakeDir);
  try {
    const [[lastDay, storeId]] = (await engine.query("SELECT CAST(max(dt) - 1 AS VARCHAR), min(store_id) FROM orders")).rows as [[string, string]];
    for (const query of dashboardQueries(lastDay, storeId)) {
      const engineMs = await timeRuns(runs, () => engine.query(query.sql));
      const plainMs = await timeRuns(runs, () => plain.connection.runAndReadAll(query.sql));
      const p50 = percentile(engineMs, 50);
      process.stdout.write(`  ${query.name}: p50 ${p50.toFixed(0)} ms, p95 ${percentile(engineMs, 95).toFixed(0)} ms (plain DuckDB p50 ${percentile(plainMs, 50).toFixed(0)} ms)\n`);
      const limit = { name: "plain DuckDB, same SQL and files", value: percentile(plainMs, 50) };
      figures.push(
        { scenario: "queries", metric: `${query.name} (${label}) p50`, value: p50, unit: "ms", limit, target: `≤ ${TARGET_P50_MS}` },
        { scenario: "queries", metric: `${query.name} (${label}) p95`, value: percentile(engineMs, 95), unit: "ms", limit: { ...limit, value: percentile(plainMs, 95) } },
      );
    }
  } finally {
    plain.close();
    await engine.close();
  }
  return figures;
}
