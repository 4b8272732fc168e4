// LakeDelivery: one delivery stream (Kinesis Data Firehose) into the lake. Reads a stream (one loop per
// shard), buffers by size and age, converts each buffer with DuckDB (Parquet tables, or compressed NDJSON),
// audits it against the tables' expectations, publishes objects under deterministic names and then commits
// the stream checkpoint, so each record lands exactly once, across crashes too (published-index.ts).
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { ConflictError } from "../errors/index.js";
import { componentLogger, type Logger } from "../monitor/index.js";
import type { Stream } from "../stream/index.js";
import { BatchConverter, recordsSqlFor, type RecordsSql } from "./batch-converter.js";
import { ConcurrencyLimit } from "./concurrency-limit.js";
import { StagingBudget } from "./staging-budget.js";
import { DEFAULT_TABLES_CONFIG, type DeliveryStreamConfig, type TablesConfig } from "./config.js";
import { resolveDeliveryStream, type ResolvedDeliveryStream } from "./delivery-stream.js";
import type { ObjectStore } from "./object-store.js";
import { loadPublishedIndex, type PublishedThrough } from "./published-index.js";
import { QualityTracker, type QualityReport } from "./quality-report.js";
import { ShardDelivery } from "./shard-delivery.js";

export interface LakeDeliveryOptions {
  /** the delivery stream's name: names the stream consumer (`lake:<name>`) and its staging folder */
  name: string;
  config: DeliveryStreamConfig;
  /** the tables' prefixes and expectations; default: the shipped ones */
  tables?: TablesConfig;
  stream: Stream;
  store: ObjectStore;
  /**
   * Local scratch space for a flush's files before they are published. On the lake's own filesystem,
   * publishing a file is a rename.
   */
  stagingDir: string;
  /** where a shard with no checkpoint starts; default TRIM_HORIZON (everything retained) */
  startingPosition?: "TRIM_HORIZON" | "LATEST";
  logger?: Logger;
  /** the object store one shard publishes to; default `store` (a clustered worker fences each shard's publishes) */
  storeForShard?: (shardId: string) => ObjectStore;
}

export interface ShardProgress {
  shardId: string;
  /** the last sequence number delivered and checkpointed; undefined before the first flush */
  checkpoint: string | undefined;
  /** records delivered (to their objects or the error prefix) since start() */
  recordsDelivered: number;
  /** records read and waiting in a buffer or a flush in flight */
  recordsBuffered: number;
  /** records in the shard after the checkpoint: read but unflushed, or not read yet */
  lagRecords: number;
}

export interface StopOptions {
  /**
   * Deliver what is buffered before stopping (default true). false drops the buffers uncommitted, as a
   * crash would: a test hook for recovery, and a fast exit that loses nothing (the records are re-read).
   */
  flush?: boolean;
}

interface Running {
  instance: DuckDBInstance;
  connections: DuckDBConnection[];
  shards: ShardDelivery[];
  runs: Array<Promise<void>>;
  conversions: ConcurrencyLimit;
  budget: StagingBudget;
}

export class LakeDelivery {
  readonly name: string;
  readonly consumerName: string;
  readonly delivery: ResolvedDeliveryStream;
  private readonly records: RecordsSql;
  private readonly quality: QualityTracker;
  private readonly log: Logger;
  private running: Running | undefined;

  /** Throws a ConfigError when the delivery stream's config does not hold together. */
  constructor(private readonly options: LakeDeliveryOptions) {
    this.name = options.name;
    this.consumerName = `lake:${this.name}`;
    this.delivery = resolveDeliveryStream(options.name, options.config, options.tables ?? DEFAULT_TABLES_CONFIG);
    this.records = recordsSqlFor(this.delivery);
    this.quality = new QualityTracker(this.name, this.delivery.tables);
    this.log = options.logger ?? componentLogger("lake");
  }

  get config(): DeliveryStreamConfig {
    return this.delivery.config;
  }

  /** started and not stopped: a process without the worker role never starts its deliveries */
  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /**
   * Starts the delivery of every shard of the source, or only of `shards` (a clustered worker starts
   * with none and adds the shards it leases with startShard).
   */
  async start(options: { shards?: readonly string[] } = {}): Promise<void> {
    if (this.running) throw new ConflictError(`lake delivery ${this.name} is already running`);
    const { store } = this.options;
    const streamName = this.config.source;
    const checkpoints = await this.checkpoints();
    if (options.shards) for (const shardId of [...checkpoints.keys()]) if (!options.shards.includes(shardId)) checkpoints.delete(shardId);
    const published = await loadPublishedIndex(store, this.delivery.roots, streamName, checkpoints);

    // One DuckDB per delivery stream, one connection per shard. A flush's queries are small (one buffer),
    // and on them DuckDB's intra-query parallelism costs more than it gains (measured with 32 MiB buffers on
    // two cores: 0.65× the throughput of one thread per query), so each query runs on its caller's thread
    // alone; conversions of different shards run in parallel.
    const instance = await DuckDBInstance.create(":memory:", {
      threads: "1",
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
    });
    // The JavaScript thread only stages bytes, so conversions may use every core (measured on two cores:
    // 1.3× the throughput of keeping one for the JavaScript thread).
    const conversions = new ConcurrencyLimit(availableParallelism());
    // Enough for every conversion slot and one buffer filling behind them (staging-budget.ts).
    const budget = new StagingBudget((availableParallelism() + 1) * this.config.bufferSizeBytes);
    const connections: DuckDBConnection[] = [];
    const deliveries: ShardDelivery[] = [];
    try {
      for (const shardId of checkpoints.keys()) {
        const { connection, delivery } = await this.openShard(instance, conversions, budget, shardId, checkpoints.get(shardId), published.get(shardId) ?? new Map());
        connections.push(connection);
        deliveries.push(delivery);
      }
    } catch (error) {
      for (const connection of connections) connection.closeSync();
      instance.closeSync();
      throw error;
    }
    this.running = { instance, connections, shards: deliveries, runs: deliveries.map((delivery) => this.runShard(delivery)), conversions, budget };
    this.log.info({ deliveryStream: this.name, stream: streamName, shards: deliveries.length, config: this.config }, "lake delivery started");
  }

  private async openShard(
    instance: DuckDBInstance,
    conversions: ConcurrencyLimit,
    budget: StagingBudget,
    shardId: string,
    checkpoint: string | undefined,
    publishedThrough: PublishedThrough,
  ): Promise<{ connection: DuckDBConnection; delivery: ShardDelivery }> {
    const connection = await instance.connect();
    // Timestamps are formatted and truncated in UTC, whatever the machine's zone.
    await connection.run("SET TimeZone = 'UTC'");
    const delivery = new ShardDelivery({
      stream: this.options.stream,
      delivery: this.delivery,
      shardId,
      consumerName: this.consumerName,
      store: this.options.storeForShard?.(shardId) ?? this.options.store,
      converter: new BatchConverter(connection, this.delivery, this.records, conversions),
      quality: this.quality,
      stagingDir: join(this.options.stagingDir, this.name, shardId),
      budget,
      startingPosition: this.options.startingPosition ?? "TRIM_HORIZON",
      checkpoint,
      publishedThrough,
      log: this.log,
    });
    return { connection, delivery };
  }

  private runShard(delivery: ShardDelivery): Promise<void> {
    const run = delivery.run().catch((error: unknown) => {
      this.log.error({ err: error, deliveryStream: this.name, shardId: delivery.shardId }, "lake shard delivery stopped on an error");
      throw error;
    });
    run.catch(() => undefined);
    return run;
  }

  /**
   * Adds one shard to a running delivery, from its checkpoint, skipping what is already published past
   * it (a previous owner's last flush). A no-op when the shard runs.
   */
  async startShard(shardId: string): Promise<void> {
    const running = this.requireRunning();
    if (running.shards.some((shard) => shard.shardId === shardId)) return;
    const checkpoint = await this.options.stream.getCheckpoint(this.consumerName, this.config.source, shardId);
    const published = await loadPublishedIndex(this.options.store, this.delivery.roots, this.config.source, new Map([[shardId, checkpoint]]));
    const { connection, delivery } = await this.openShard(running.instance, running.conversions, running.budget, shardId, checkpoint, published.get(shardId) ?? new Map());
    running.connections.push(connection);
    running.shards.push(delivery);
    running.runs.push(this.runShard(delivery));
  }

  /** Stops one shard: delivers its buffer and commits (unless `flush: false`), and closes its connection. */
  async stopShard(shardId: string, options: StopOptions = {}): Promise<void> {
    const running = this.running;
    const index = running?.shards.findIndex((shard) => shard.shardId === shardId) ?? -1;
    if (!running || index < 0) return;
    const [shard] = running.shards.splice(index, 1);
    const [run] = running.runs.splice(index, 1);
    const [connection] = running.connections.splice(index, 1);
    shard!.stop(options.flush ?? true);
    try {
      await run;
    } finally {
      connection!.closeSync();
    }
  }

  /** Resolves once every record appended before the call is published and checkpointed. */
  async flush(): Promise<void> {
    await Promise.all(this.requireRunning().shards.map((shard) => shard.flush()));
  }

  /** Drains the shard loops, flushes every buffer (unless `flush: false`) and commits the checkpoints. */
  async stop(options: StopOptions = {}): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    for (const shard of running.shards) shard.stop(options.flush ?? true);
    const results = await Promise.allSettled(running.runs);
    for (const connection of running.connections) connection.closeSync();
    running.instance.closeSync();
    const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failure) throw failure.reason;
    this.log.info({ deliveryStream: this.name, delivered: running.shards.reduce((sum, shard) => sum + shard.recordsDelivered, 0) }, "lake delivery stopped");
  }

  /** Per shard: checkpoint, records delivered and lag, for metrics and the dashboard. */
  async progress(): Promise<ShardProgress[]> {
    const { shards } = this.requireRunning();
    return Promise.all(
      shards.map(async (shard) => ({
        shardId: shard.shardId,
        checkpoint: shard.committed,
        recordsDelivered: shard.recordsDelivered,
        recordsBuffered: shard.recordsBuffered,
        lagRecords: await this.options.stream.countAfter(this.config.source, shard.shardId, shard.committed),
      })),
    );
  }

  /** Records not yet in the lake, over all shards. */
  async lag(): Promise<number> {
    return (await this.progress()).reduce((sum, shard) => sum + shard.lagRecords, 0);
  }

  /**
   * Per shard of the source stream, the committed checkpoint: every object at or below it is published
   * for good. Compaction merges only those, so a restart never re-delivers into a merged range. Read from
   * the stream, so it is right whether or not the delivery runs.
   */
  async checkpoints(): Promise<Map<string, string | undefined>> {
    const { stream } = this.options;
    const { shards } = await stream.describeStream(this.config.source);
    const checkpoints = new Map<string, string | undefined>();
    for (const { shardId } of shards) checkpoints.set(shardId, await stream.getCheckpoint(this.consumerName, this.config.source, shardId));
    return checkpoints;
  }

  /** The expectations' record since start(): batches checked and failed, the last failure. */
  qualityReport(): QualityReport {
    return this.quality.report();
  }

  private requireRunning(): Running {
    if (!this.running) throw new ConflictError(`lake delivery ${this.name} is not running`);
    return this.running;
  }
}
