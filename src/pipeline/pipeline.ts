// The running pipeline on one machine: opens the backends under the data dir, declares the streams,
// seeds reference data and deploys the functions and the lake delivery. stop() shuts down in data-flow
// order and drains: in-flight batches finish, buffers flush and checkpoints commit.
import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { AlarmService } from "../alarms/index.js";
import { NamedQueryStore, openAnalytics, QueryService, type AnalyticsEngine } from "../analytics/index.js";
import { computeRfm, createCustomersFunction, customerMigrations } from "../customers/index.js";
import { createFraudFunction, fraudMigrations } from "../fraud/index.js";
import { join } from "node:path";
import type { PipelineConfig } from "../config/index.js";
import { createEnrichFunction, createOrdersFunction, deployFunctions, StoreHousekeeping, type FunctionRuntime } from "../functions/index.js";
import { IngestService } from "../ingest/index.js";
import { LakeCompactor, LakeDelivery, openLakeStore, resolveDeliveryStreams, type DeliveryStreamConfig, type ObjectStore } from "../lake/index.js";
import { AsyncInvocationPoller, DeliveryStreamRegistry, deliveryStreamRegistryPath, ensureLambdaAsyncQueue, pipelineLambdaFunctions } from "../aws/index.js";
import { ConflictError } from "../errors/index.js";
import {
  analyticsQueries, analyticsQueuedQueries, analyticsQuerySeconds, componentId, componentLogger, countDiscarded, countError, countReceived, countSent,
  declareComponents, observeDuration, PIPELINE_RATE_METRICS, queueMessages, registry, setLag, streamLag,
} from "../monitor/index.js";
import { applyQueuesConfig, openQueueBackend, readQueueGauges, type Queue } from "../queue/index.js";
import { applyBackorderConfig, planningMigrations, reorderPolicyMigrations, StorePlanning, TruckDispatcher } from "../planning/index.js";
import { generateCatalog } from "../simulator/index.js";
import { coreMigrations, migrate, openServingStore, type ServingStore } from "../store/index.js";
import { openStreamBackend, type Stream } from "../stream/index.js";
import { ClusterWorker, guardStream, LeaseFence, resolveTopology, type Topology } from "../cluster/index.js";
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
  private running = false;
  /** the roles this process runs (config `roles`), and whether its worker shares the shards through leases */
  topology!: Topology;
  private leaseFence!: LeaseFence;
  /** a clustered worker's shard leases (topology.leases); undefined otherwise */
  cluster: ClusterWorker | undefined;
  /** prunes the serving store's bookkeeping tables, on a worker with store.housekeeping.intervalSec > 0 */
  private housekeeping: StoreHousekeeping | undefined;
  /** runs the Lambda API's queued Event invocations, on a worker; `done` resolves once it stopped */
  private asyncInvocations: { poller: AsyncInvocationPoller; done: Promise<void> } | undefined;

  private constructor(
    readonly config: PipelineConfig,
    readonly paths: PipelinePaths,
    readonly stream: Stream,
    readonly queue: Queue,
    readonly store: ServingStore,
    readonly ingest: IngestService,
    readonly functions: FunctionRuntime,
    /** one per enabled delivery stream of the config, and of the Firehose API (added and removed at run time) */
    readonly lakes: LakeDelivery[],
    readonly compactor: LakeCompactor,
    readonly analytics: AnalyticsEngine,
    readonly queries: QueryService,
    readonly dispatcher: TruckDispatcher,
    /** emits ("delivered", storeId, productId, quantity) once a replenishment delivery is durable */
    readonly deliveries: EventEmitter,
    private readonly releaseLock: () => void,
    /** the alarms of the config, evaluated while the pipeline runs */
    readonly alarms: AlarmService,
    /** store planning with the config's `planning` and `inventory` sections, and the reorder-level refresher */
    readonly planning: StorePlanning,
    /** where the lake's objects go (config `lake`): the local directory, or an S3 bucket */
    readonly lakeStore: ObjectStore,
  ) {}

  /** `configDir` resolves user function handler paths (the config file's directory; default the cwd). */
  static async open(config: PipelineConfig, dataDir: string, options: { configDir?: string } = {}): Promise<Pipeline> {
    const paths = pipelinePaths(dataDir);
    const alarms = new AlarmService({ alarms: config.alarms, webhook: config.alarmWebhook, registry, alsoSample: PIPELINE_RATE_METRICS });
    // Refuses roles whose partners would not share this process's backends, before anything opens.
    const topology = resolveTopology(config);
    const leaseFence = new LeaseFence();
    const releaseLock = acquireDataDirLock(dataDir);
    mkdirSync(paths.lakeDir, { recursive: true });
    const streamBackend = await openStreamBackend(config.streamBackend, paths.streamDb);
    // On JetStream: commits are fenced by the shard leases, and an unreachable server answers 503.
    const stream = config.streamBackend.type === "jetstream" ? guardStream(streamBackend, leaseFence.mayCommit) : streamBackend;
    for (const [name, spec] of Object.entries(config.streams)) {
      await stream.ensureStream(name, { shardCount: spec.shards, retentionHours: spec.retentionHours });
    }
    const queue = await openQueueBackend(config.queueBackend, paths.queueDb);
    await applyQueuesConfig(queue, config.queues);
    await ensureLambdaAsyncQueue(queue);
    const store = await openServingStore(config.store, { sqlitePath: paths.storeDb, synchronous: config.streamBackend.synchronous });
    await migrate(store, [...coreMigrations, ...customerMigrations, ...fraudMigrations, ...planningMigrations, ...reorderPolicyMigrations]);
    const catalog = generateCatalog(config.simulator.catalogSeed);
    await seedReferenceData(store, catalog);
    const unknownStores = await applyBackorderConfig(store, config.inventory);
    if (unknownStores.length > 0) componentLogger("planning").warn({ stores: unknownStores }, "inventory.stores names stores the catalog does not have");
    const reference = await loadReferenceData(store);

    const ingest = new IngestService({
      stream,
      streamName: config.ingest.stream,
      maxEventBytes: Math.min(config.ingest.maxEventBytes, config.streamBackend.maxRecordBytes),
      maxInflightEvents: config.ingest.maxInflightEvents,
      maxBacklogRecords: config.ingest.maxBacklogRecords,
    });
    const functions = await deployFunctions({
      stream,
      queue,
      functionsConfig: config.functions,
      baseDir: options.configDir ?? process.cwd(),
      builtins: {
        enrich: { fn: createEnrichFunction({ stream, output: "curated", reference }), defaultStream: config.ingest.stream },
        orders: { fn: createOrdersFunction(store, { stream, output: "curated" }), defaultStream: "curated" },
        customers: { fn: createCustomersFunction({ store, config: config.customers }), defaultStream: "curated" },
        fraud: { fn: createFraudFunction({ store, stream, output: "curated", config: config.fraud }), defaultStream: "curated" },
      },
    });
    // Checks the delivery streams against each other (one per table, no shared prefixes) before any starts.
    // Delivery streams made through the Firehose API run beside the config's (a config one wins a name).
    const deliveryStreams = { ...new DeliveryStreamRegistry(deliveryStreamRegistryPath(dataDir)).configs(), ...config.deliveryStreams };
    resolveDeliveryStreams(deliveryStreams, config.tables);
    // store: s3 writes the bucket and keeps paths.lakeDir as the mirror SQL reads, synced before each query.
    const { store: lakeStore, syncForQueries } = openLakeStore(config.lake, paths.lakeDir);
    const lakes = Object.entries(deliveryStreams)
      .filter(([, deliveryStream]) => deliveryStream.enabled)
      .map(
      ([name, deliveryStream]) =>
        new LakeDelivery({
          name,
          config: deliveryStream,
          tables: config.tables,
          stream,
          store: lakeStore,
          stagingDir: paths.stagingDir,
          ...(topology.leases && { storeForShard: (shardId: string) => leaseFence.storeFor(lakeStore, `lake:${name}`, deliveryStream.source, shardId) }),
        }),
    );
    const compactor = new LakeCompactor({ store: lakeStore, stagingDir: paths.stagingDir, deliveries: lakes });
    const analytics = await openAnalytics({
      lakeDir: paths.lakeDir,
      ...(syncForQueries !== undefined && { syncLake: syncForQueries }),
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
        countReceived("analytics");
        if (execution.state === "SUCCEEDED") countSent("analytics");
        if (execution.state === "FAILED") countError("analytics", execution.error?.code ?? "query_failed", "processing");
        if (execution.state === "CANCELLED") countDiscarded("analytics", "cancelled");
        if (ms !== undefined) observeDuration("analytics", "query", ms / 1000);
      },
    });
    const deliveries = new EventEmitter();
    const log = componentLogger("dispatch");
    const dispatcher = new TruckDispatcher({
      queue,
      sink: ingest,
      catalog,
      queueName: config.planning.queue,
      trucksPerDepot: config.dispatch.trucksPerDepot,
      truckCapacityUnits: config.dispatch.truckCapacityUnits,
      driveSpeedKmh: config.dispatch.driveSpeedKmh,
      receiveWaitSec: config.dispatch.receiveWaitSec,
      maxInflightMessages: config.dispatch.maxInflightMessages,
      speedFactor: config.simulator.speed,
      onDelivered: (storeId, productId, quantity) => deliveries.emit("delivered", storeId, productId, quantity),
      onError: (error, message) => {
        countError("dispatcher", error instanceof Error ? error.name : "Error", "processing");
        log.warn({ err: error, messageId: message?.messageId }, "dispatch failed; the message comes back after its visibility timeout");
      },
    });
    const planningLog = componentLogger("planning");
    const onPlanningError = (error: unknown) => planningLog.warn({ err: error }, "reorder level refresh failed");
    const planning = StorePlanning.fromConfig(config, { analytics, queue, store, onError: onPlanningError });
    const pipeline = new Pipeline(config, paths, stream, queue, store, ingest, functions, lakes, compactor, analytics, queries, dispatcher, deliveries, releaseLock, alarms, planning, lakeStore);
    pipeline.topology = topology;
    pipeline.leaseFence = leaseFence;
    return pipeline;
  }

  async start(): Promise<void> {
    this.running = true;
    const { roles } = this.topology;
    if (roles.has("worker") && this.topology.leases) {
      // Shards, lake shards and the compactor start as their leases are taken (src/cluster).
      await this.functions.start({ streamShards: false });
      const { nodeId } = this.topology;
      this.cluster = new ClusterWorker(
        { nodeId, roles: [...roles], cluster: this.config.cluster, store: this.store, stream: this.stream, functions: this.functions, lakes: this.lakes, compactor: this.compactor },
        this.leaseFence,
      );
      await this.cluster.start();
    } else if (roles.has("worker")) {
      await this.functions.start();
      for (const lake of this.lakes) await lake.start();
      this.compactor.start();
    }
    if (roles.has("worker")) {
      // The Lambda API's Event invocations run where the functions run (src/aws/lambda/async-invocation-poller.ts).
      const poller = new AsyncInvocationPoller({ queue: this.queue, functions: pipelineLambdaFunctions(this), config: this.config.aws.lambda, log: componentLogger("lambda") });
      const done = poller.run().catch((error: unknown) => this.log.error({ err: error }, "the Event invocation poller stopped"));
      this.asyncInvocations = { poller, done };
    }
    if (roles.has("dispatcher") && this.config.dispatch.enabled) await this.dispatcher.start();
    if (roles.has("planner")) this.planning.start();
    if (roles.has("worker")) this.every(TRIM_INTERVAL_MS, () => this.stream.trimExpired(), "retention trim");
    // Claims, stock-level rows and early payments no stream can need again (src/functions/builtin/housekeeping.ts).
    const housekeeping = this.config.store.housekeeping;
    if (roles.has("worker") && housekeeping.intervalSec > 0) {
      const pruner = new StoreHousekeeping({ store: this.store, stream: this.stream, config: housekeeping });
      this.housekeeping = pruner;
      this.every(housekeeping.intervalSec * 1000, () => pruner.run(), "serving-store housekeeping");
    }
    this.every(GAUGE_INTERVAL_MS, () => this.publishGauges(), "gauge update");
    declareComponents(["ingest", "dispatcher", "planning", "analytics", ...Object.keys(this.config.streams).map(componentId.stream), ...this.functions.functionNames.map(componentId.function), ...this.lakes.map((lake) => lake.consumerName), ...Object.keys(this.config.queues).map(componentId.queue)]);
    this.alarms.start();
    const { intervalSec, lookbackDays } = this.config.customers.rfm;
    if (intervalSec > 0 && roles.has("worker")) this.every(intervalSec * 1000, () => computeRfm(this.store, { lookbackDays }), "RFM recompute");
  }

  private every(intervalMs: number, task: () => Promise<unknown>, what: string): void {
    const timer = setInterval(() => task().catch((error) => this.log.warn({ err: error }, `${what} failed`)), intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  private async publishGauges(): Promise<void> {
    analyticsQueuedQueries.set(this.analytics.queuedQueries);
    let backlog = 0;
    for (const [consumer, records] of Object.entries(await this.lag())) {
      streamLag.set({ consumer }, records);
      setLag(consumer, records);
      // Lake deliveries hold records on purpose until a buffering hint is reached: not a backlog.
      if (!consumer.startsWith("lake:")) backlog = Math.max(backlog, records);
    }
    this.ingest.reportBacklog(backlog);
    for (const gauge of await readQueueGauges(this.queue)) {
      queueMessages.set({ queue: gauge.queue, state: "visible" }, gauge.visible);
      queueMessages.set({ queue: gauge.queue, state: "in_flight" }, gauge.inFlight);
      queueMessages.set({ queue: gauge.queue, state: "delayed" }, gauge.delayed);
      setLag(componentId.queue(gauge.queue), gauge.visible);
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

  /**
   * Adds a lake delivery stream at run time (Firehose's CreateDeliveryStream), checked against the others
   * (a ConfigError when it clashes) and started when the pipeline runs. Persisting it is the caller's job.
   */
  async addDeliveryStream(name: string, config: DeliveryStreamConfig): Promise<LakeDelivery> {
    if (this.lakes.some((lake) => lake.name === name) || this.config.deliveryStreams[name]) {
      throw new ConflictError(`delivery stream ${name} already exists`);
    }
    const others = Object.fromEntries([...Object.entries(this.config.deliveryStreams), ...this.lakes.map((lake) => [lake.name, lake.config] as const)]);
    resolveDeliveryStreams({ ...others, [name]: config }, this.config.tables);
    const lake = new LakeDelivery({ name, config, tables: this.config.tables, stream: this.stream, store: this.lakeStore, stagingDir: this.paths.stagingDir });
    if (this.running && this.topology.roles.has("worker")) await lake.start();
    this.lakes.push(lake);
    return lake;
  }

  /** Stops a delivery stream added at run time, delivering what it buffered, and forgets it. */
  async removeDeliveryStream(name: string): Promise<void> {
    const index = this.lakes.findIndex((lake) => lake.name === name);
    if (index < 0) return;
    const [lake] = this.lakes.splice(index, 1);
    await lake!.stop();
  }

  /** Consumer lag in records, per consumer. */
  async lag(): Promise<Record<string, number>> {
    const lag = await this.functions.lag();
    for (const lake of this.lakes) if (lake.isRunning) lag[lake.consumerName] = await lake.lag();
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
    this.running = false;
    for (const timer of this.timers) clearInterval(timer);
    await this.housekeeping?.stop();
    await this.alarms.stop();
    await this.queries.close();
    await this.planning.stop();
    await this.analytics.close();
    // The dispatcher writes into ingest: it stops first; trips in progress come back after the visibility timeout.
    await this.dispatcher.stop();
    await this.drainFunctions(deadline);
    // Running Event invocations finish (each within its function's timeout); queued ones wait for the next start.
    this.asyncInvocations?.poller.stop();
    await this.asyncInvocations?.done;
    // A clustered worker stops its shards gracefully (batches commit, lake buffers flush) and gives its leases back.
    await this.cluster?.stop();
    await this.functions.stop();
    await this.compactor.stop();
    if (Date.now() < deadline) await Promise.all(this.lakes.filter((lake) => lake.isRunning).map((lake) => lake.flush()));
    for (const lake of this.lakes) await lake.stop();
    await this.store.close();
    await this.queue.close();
    await this.stream.close();
    this.releaseLock();
  }
}
