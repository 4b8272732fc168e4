// LakeDelivery: Firehose for the lake. Reads a stream (one loop per shard), buffers by size and age,
// converts curated events to Parquet per table and Hive partition, publishes objects under deterministic
// names and then commits the stream checkpoint, so each record lands exactly once, across crashes too
// (published-index.ts explains how).
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { ConflictError } from "../errors/index.js";
import { componentLogger, type Logger } from "../monitor/index.js";
import type { Stream } from "../stream/index.js";
import { ConcurrencyLimit } from "./concurrency-limit.js";
import { DEFAULT_LAKE_CONFIG, type LakeConfig } from "./config.js";
import type { ObjectStore } from "./object-store.js";
import { ParquetConverter } from "./parquet-converter.js";
import { loadPublishedIndex } from "./published-index.js";
import { ShardDelivery } from "./shard-delivery.js";

export interface LakeDeliveryOptions {
  stream: Stream;
  store: ObjectStore;
  /**
   * Local scratch space for a flush's NDJSON and Parquet files before they are published. On the lake's
   * own filesystem, publishing a file is a rename.
   */
  stagingDir: string;
  /** names the stream consumer (`lake:<name>`) and the staging subdirectory; default "lake" */
  name?: string;
  config?: Partial<LakeConfig>;
  /** where a shard with no checkpoint starts; default TRIM_HORIZON (everything retained) */
  startingPosition?: "TRIM_HORIZON" | "LATEST";
  logger?: Logger;
}

export interface ShardProgress {
  shardId: string;
  /** the last sequence number delivered and checkpointed; undefined before the first flush */
  checkpoint: string | undefined;
  /** records delivered (to a table or the error prefix) since start() */
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
  readonly config: LakeConfig;
  private readonly log: Logger;
  private running: Running | undefined;

  constructor(private readonly options: LakeDeliveryOptions) {
    this.name = options.name ?? "lake";
    this.consumerName = `lake:${this.name}`;
    this.config = { ...DEFAULT_LAKE_CONFIG, ...options.config };
    this.log = options.logger ?? componentLogger("lake");
  }

  async start(): Promise<void> {
    if (this.running) throw new ConflictError(`lake delivery ${this.name} is already running`);
    const { stream, store } = this.options;
    const streamName = this.config.source;
    const { shards } = await stream.describeStream(streamName);
    const checkpoints = new Map<string, string | undefined>();
    for (const { shardId } of shards) checkpoints.set(shardId, await stream.getCheckpoint(this.consumerName, streamName, shardId));
    const published = await loadPublishedIndex(store, streamName, checkpoints);

    // One DuckDB per delivery, one connection per shard. A flush's queries are small (one buffer), and
    // on them DuckDB's intra-query parallelism costs more than it gains (measured: 69 ms per 5 MiB buffer
    // on one thread, 98 ms on two), so each query runs on its caller's thread alone; conversions of
    // different shards still run in parallel, and the JavaScript thread keeps a core for parsing.
    const instance = await DuckDBInstance.create(":memory:", {
      threads: "1",
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
    });
    // Parsing the stream needs a core of its own; conversions share the others.
    const conversions = new ConcurrencyLimit(Math.max(1, availableParallelism() - 1));
    const connections: DuckDBConnection[] = [];
    const deliveries: ShardDelivery[] = [];
    try {
      for (const { shardId } of shards) {
        const connection = await instance.connect();
        connections.push(connection);
        deliveries.push(
          new ShardDelivery({
            stream,
            streamName,
            shardId,
            consumerName: this.consumerName,
            store,
            converter: new ParquetConverter(connection, this.config.compression, conversions),
            stagingDir: join(this.options.stagingDir, this.name, shardId),
            bufferSizeBytes: this.config.bufferSizeBytes,
            bufferIntervalMs: this.config.bufferIntervalMs,
            readBatchSize: this.config.readBatchSize,
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
        this.log.error({ err: error, shardId: delivery.shardId }, "lake shard delivery stopped on an error");
        throw error;
      }),
    );
    for (const run of runs) run.catch(() => undefined);
    this.running = { instance, connections, shards: deliveries, runs };
    this.log.info({ stream: streamName, shards: shards.length, config: this.config }, "lake delivery started");
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
    this.log.info({ delivered: running.shards.reduce((sum, shard) => sum + shard.recordsDelivered, 0) }, "lake delivery stopped");
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

  private requireRunning(): Running {
    if (!this.running) throw new ConflictError(`lake delivery ${this.name} is not running`);
    return this.running;
  }
}
