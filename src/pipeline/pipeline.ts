// The running pipeline on one machine: opens the backends under the data dir, declares the streams,
// seeds reference data and deploys the functions and the lake delivery. stop() shuts down in data-flow
// order and drains: in-flight batches finish, buffers flush and checkpoints commit.
import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { NamedQueryStore, openAnalytics, QueryService, type AnalyticsEngine } from "../analytics/index.js";
import { computeRfm, createCustomersFunction, customerMigrations } from "../customers/index.js";
import { createFraudFunction, fraudMigrations } from "../fraud/index.js";
import { join } from "node:path";
import type { PipelineConfig } from "../config/index.js";
import { createEnrichFunction, createOrdersFunction, deployFunctions, type FunctionRuntime } from "../functions/index.js";
import { IngestService } from "../ingest/index.js";
import { LakeCompactor, LakeDelivery, LocalObjectStore, resolveDeliveryStreams } from "../lake/index.js";
import { analyticsQueries, analyticsQueuedQueries, analyticsQuerySeconds, componentLogger, queueMessages, streamLag } from "../monitor/index.js";
import { applyQueuesConfig, readQueueGauges, SqliteQueue, type Queue } from "../queue/index.js";
import { planningMigrations, TruckDispatcher } from "../planning/index.js";
import { generateCatalog } from "../simulator/index.js";
import { coreMigrations, migrate, SqliteStore, type ServingStore } from "../store/index.js";
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
    /** one per delivery stream of the config */
    readonly lakes: readonly LakeDelivery[],
    readonly compactor: LakeCompactor,
    readonly analytics: AnalyticsEngine,
    readonly queries: QueryService,
    readonly dispatcher: TruckDispatcher,
    /** emits ("delivered", storeId, productId, quantity) once a replenishment delivery is durable */
    readonly deliveries: EventEmitter,
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
    await migrate(store, [...coreMigrations, ...customerMigrations, ...fraudMigrations, ...planningMigrations]);
    const catalog = generateCatalog(config.simulator.catalogSeed);
    await seedReferenceData(store, catalog);
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
        customers: { fn: createCustomersFunction({ store, config: config.customers }), defaultStream: "curated" },
        fraud: { fn: createFraudFunction({ store, stream, output: "curated", config: config.fraud }), defaultStream: "curated" },
      },
    });
    // Checks the delivery streams against each other (one per table, no shared prefixes) before any starts.
    resolveDeliveryStreams(config.deliveryStreams, config.tables);
    const lakeStore = new LocalObjectStore(paths.lakeDir);
    const lakes = Object.entries(config.deliveryStreams)
      .filter(([, deliveryStream]) => deliveryStream.enabled)
      .map(
      ([name, deliveryStream]) => new LakeDelivery({ name, config: deliveryStream, tables: config.tables, stream, store: lakeStore, stagingDir: paths.stagingDir }),
    );
    const compactor = new LakeCompactor({ store: lakeStore, stagingDir: paths.stagingDir, deliveries: lakes });
    const analytics = await openAnalytics({
      lakeDir: paths.lakeDir,
      maxConcurrentQueries: config.analytics.maxConcurrentQueries,
      ...(config.analytics.memoryLimit !== undefined && { memoryLimit: config.analytics.memoryLimit }),
      ...(config.analytics.threads !== undefined && { threads: config.analytics.threads }),
    });
    const queries = new QueryService({
      engine: analytics,
      namedQueries: new NamedQueryStore(join(dataDir, "named-queries.json")),
      maxQueuedQueries: config.analytics.maxQueuedQueries,
      maxResultRows: config.analytics.maxResultRows,
      maxStoredResultRows: config.analytics.maxStoredResultRows,
      maxHistory: config.analytics.maxHistory,
      queryTimeoutMs: config.analytics.queryTimeoutMs,
      onQueryFinished: (execution) => {
        analyticsQueries.inc({ state: execution.state, statement_type: execution.statementType });
        const ms = execution.statistics.totalExecutionTimeMs;
        if (ms !== undefined) analyticsQuerySeconds.observe({ statement_type: execution.statementType }, ms / 1000);
      },
    });
    const deliveries = new EventEmitter();
    const log = componentLogger("dispatch");
    const dispatcher = new TruckDispatcher({
      queue,
      sink: ingest,
      catalog,
      speedFactor: config.simulator.speed,
      onDelivered: (storeId, productId, quantity) => deliveries.emit("delivered", storeId, productId, quantity),
      onError: (error, message) => log.warn({ err: error, messageId: message?.messageId }, "dispatch failed; the message comes back after its visibility timeout"),
    });
    return new Pipeline(config, paths, stream, queue, store, ingest, functions, lakes, compactor, analytics, queries, dispatcher, deliveries, releaseLock);
  }

  async start(): Promise<void> {
    await this.functions.start();
    for (const lake of this.lakes) await lake.start();
    this.compactor.start();
    await this.dispatcher.start();
    this.every(TRIM_INTERVAL_MS, () => this.stream.trimExpired(), "retention trim");
    this.every(GAUGE_INTERVAL_MS, () => this.publishGauges(), "gauge update");
    const { intervalSec, lookbackDays } = this.config.customers.rfm;
    if (intervalSec > 0) this.every(intervalSec * 1000, () => computeRfm(this.store, { lookbackDays }), "RFM recompute");
  }

  private every(intervalMs: number, task: () => Promise<unknown>, what: string): void {
    const timer = setInterval(() => task().catch((error) => this.log.warn({ err: error }, `${what} failed`)), intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  private async publishGauges(): Promise<void> {
    analyticsQueuedQueries.set(this.analytics.queuedQueries);
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
    for (const lake of this.lakes) lag[lake.consumerName] = await lake.lag();
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
    for (const timer of this.timers) clearInterval(timer);
    await this.queries.close();
    await this.analytics.close();
    // The dispatcher writes into ingest: it stops first; trips in progress come back after the visibility timeout.
    await this.dispatcher.stop();
    await this.drainFunctions(deadline);
    await this.functions.stop();
    await this.compactor.stop();
    if (Date.now() < deadline) await Promise.all(this.lakes.map((lake) => lake.flush()));
    for (const lake of this.lakes) await lake.stop();
    await this.store.close();
    await this.queue.close();
    await this.stream.close();
    this.releaseLock();
  }
}
