// The running pipeline on one machine: opens the backends under the data dir, declares the streams,
// seeds reference data and deploys the functions and the lake delivery. stop() shuts down in data-flow
// order and drains: in-flight batches finish, buffers flush and checkpoints commit.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { PipelineConfig } from "../config/index.js";
import { createEnrichFunction, createOrdersFunction, deployFunctions, type FunctionRuntime } from "../functions/index.js";
import { IngestService } from "../ingest/index.js";
import { LakeDelivery, LocalObjectStore } from "../lake/index.js";
import { componentLogger, queueMessages, streamLag } from "../monitor/index.js";
import { applyQueuesConfig, readQueueGauges, SqliteQueue, type Queue } from "../queue/index.js";
import { generateCatalog } from "../simulator/index.js";
import { migrate, SqliteStore, type ServingStore } from "../store/index.js";
import { SqliteStream, type Stream } from "../stream/index.js";
import { acquireDataDirLock } from "./data-dir-lock.js";
import { loadReferenceData, seedReferenceData } from "./reference-data.js";

export interface PipelinePaths {
  dataDir: string;
  streamDb: string;
  storeDb: string;
  queueDb: string;
  lakeDir: string;
  /** scratch space for lake flushes, on the lake's filesystem so that publishing is a rename */
  stagingDir: string;
}

export function pipelinePaths(dataDir: string): PipelinePaths {
  return {
    dataDir,
    streamDb: join(dataDir, "stream.db"),
    storeDb: join(dataDir, "store.db"),
    queueDb: join(dataDir, "queue.db"),
    lakeDir: join(dataDir, "lake"),
    stagingDir: join(dataDir, "staging"),
  };
}

const TRIM_INTERVAL_MS = 60_000;
const GAUGE_INTERVAL_MS = 1_000;

export class Pipeline {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly log = componentLogger("pipeline");

  private constructor(
    readonly config: PipelineConfig,
    readonly paths: PipelinePaths,
    readonly stream: Stream,
    readonly queue: Queue,
    readonly store: ServingStore,
    readonly ingest: IngestService,
    readonly functions: FunctionRuntime,
    readonly lake: LakeDelivery,
    private readonly releaseLock: () => void,
  ) {}

  /** `configDir` resolves user function handler paths (the config file's directory; default the cwd). */
  static async open(config: PipelineConfig, dataDir: string, options: { configDir?: string } = {}): Promise<Pipeline> {
    const paths = pipelinePaths(dataDir);
    const releaseLock = acquireDataDirLock(dataDir);
    mkdirSync(paths.lakeDir, { recursive: true });
    const stream = new SqliteStream({
      path: paths.streamDb,
      synchronous: config.streamBackend.synchronous,
      maxRecordBytes: config.streamBackend.maxRecordBytes,
    });
    for (const [name, spec] of Object.entries(config.streams)) {
      await stream.ensureStream(name, { shardCount: spec.shards, retentionHours: spec.retentionHours });
    }
    const queue = new SqliteQueue({ path: paths.queueDb, synchronous: config.queueBackend.synchronous });
    await applyQueuesConfig(queue, config.queues);
    const store = new SqliteStore({ path: paths.storeDb, synchronous: config.streamBackend.synchronous });
    await migrate(store);
    await seedReferenceData(store, generateCatalog(config.simulator.catalogSeed));
    const reference = await loadReferenceData(store);

    const ingest = new IngestService({
      stream,
      streamName: config.ingest.stream,
      maxEventBytes: Math.min(config.ingest.maxEventBytes, config.streamBackend.maxRecordBytes),
      maxInflightEvents: config.ingest.maxInflightEvents,
    });
    const functions = await deployFunctions({
      stream,
      queue,
      functionsConfig: config.functions,
      baseDir: options.configDir ?? process.cwd(),
      builtins: {
        enrich: { fn: createEnrichFunction({ stream, output: "curated", reference }), defaultStream: config.ingest.stream },
        orders: { fn: createOrdersFunction(store), defaultStream: "curated" },
      },
    });
    const lake = new LakeDelivery({ stream, store: new LocalObjectStore(paths.lakeDir), stagingDir: paths.stagingDir, config: config.lake });
    return new Pipeline(config, paths, stream, queue, store, ingest, functions, lake, releaseLock);
  }

  async start(): Promise<void> {
    await this.functions.start();
    await this.lake.start();
    this.every(TRIM_INTERVAL_MS, () => this.stream.trimExpired(), "retention trim");
    this.every(GAUGE_INTERVAL_MS, () => this.publishGauges(), "gauge update");
  }

  private every(intervalMs: number, task: () => Promise<unknown>, what: string): void {
    const timer = setInterval(() => task().catch((error) => this.log.warn({ err: error }, `${what} failed`)), intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  private async publishGauges(): Promise<void> {
    for (const [consumer, records] of Object.entries(await this.lag())) streamLag.set({ consumer }, records);
    for (const gauge of await readQueueGauges(this.queue)) {
      queueMessages.set({ queue: gauge.queue, state: "visible" }, gauge.visible);
      queueMessages.set({ queue: gauge.queue, state: "in_flight" }, gauge.inFlight);
      queueMessages.set({ queue: gauge.queue, state: "delayed" }, gauge.delayed);
    }
  }

  private async drainFunctions(deadline: number): Promise<void> {
    let remaining = Infinity;
    while (Date.now() < deadline) {
      remaining = Object.values(await this.functions.lag()).reduce((sum, n) => sum + n, 0);
      if (remaining === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (remaining > 0 && remaining !== Infinity) {
      this.log.warn({ remaining }, "drain timeout reached; the rest is processed after the next start");
    }
  }

  /** Consumer lag in records, per consumer. */
  async lag(): Promise<Record<string, number>> {
    const lag = await this.functions.lag();
    lag[this.lake.consumerName] = await this.lake.lag();
    return lag;
  }

  /**
   * Stops in data-flow order. Callers stop producers first (HTTP, simulator); then, for up to
   * `drainTimeoutMs`, the functions work off what was already accepted, so a graceful stop leaves every
   * acknowledged event in the serving store and the lake. Whatever the timeout leaves behind stays in the
   * stream and is processed after the next start.
   */
  async stop(options: { drainTimeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.drainTimeoutMs ?? 0);
    await this.drainFunctions(deadline);
    await this.functions.stop();
    for (const timer of this.timers) clearInterval(timer);
    if (Date.now() < deadline) await this.lake.flush();
    await this.lake.stop();
    await this.store.close();
    await this.queue.close();
    await this.stream.close();
    this.releaseLock();
  }
}
