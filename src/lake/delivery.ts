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
import { DEFAULT_TABLES_CONFIG, type DeliveryStreamConfig, type TablesConfig } from "./config.js";
import { resolveDeliveryStream, type ResolvedDeliveryStream } from "./delivery-stream.js";
import type { ObjectStore } from "./object-store.js";
import { loadPublishedIndex } from "./published-index.js";
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

  async start(): Promise<void> {
    if (this.running) throw new ConflictError(`lake delivery ${this.name} is already running`);
    const { stream, store } = this.options;
    const streamName = this.config.source;
    const checkpoints = await this.checkpoints();
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
    const connections: DuckDBConnection[] = [];
    const deliveries: ShardDelivery[] = [];
    try {
      for (const shardId of checkpoints.keys()) {
        const connection = await instance.connect();
        connections.push(connection);
        // Timestamps are formatted and truncated in UTC, whatever the machine's zone.
        await connection.run("SET TimeZone = 'UTC'");
        deliveries.push(
          new ShardDelivery({
            stream,
            delivery: this.delivery,
            shardId,
            consumerName: this.consumerName,
            store,
            converter: new BatchConverter(connection, this.delivery, this.records, conversions),
            quality: this.quality,
            stagingDir: join(this.options.stagingDir, this.name, shardId),
            startingPosition: this.options.startingPosition ?? "TRIM_HORIZON",
            checkpoint: checkpoints.get(shardId),
            publishedThrough: published.get(shardId) ?? new Map(),
            log: this.log,
          }),
        );
      }
    } catch (error) {
      for (const connection of connections) connection.closeSync();
      instance.closeSync();
      throw error;
    }
    const runs = deliveries.map((delivery) =>
      delivery.run().catch((error: unknown) => {
        this.log.error({ err: error, deliveryStream: this.name, shardId: delivery.shardId }, "lake shard delivery stopped on an error");
        throw error;
      }),
    );
    for (const run of runs) run.catch(() => undefined);
    this.running = { instance, connections, shards: deliveries, runs };
    this.log.info({ deliveryStream: this.name, stream: streamName, shards: deliveries.length, config: this.config }, "lake delivery started");
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
