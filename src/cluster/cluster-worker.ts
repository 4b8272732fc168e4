// A worker process of a cluster: every function's shard, every lake delivery stream's shard and the lake
// compactor are units of work under a lease (src/cluster/shard-leases.ts); this starts and stops each
// on the function runtime and the lake deliveries as its lease comes and goes, and is the fence that
// the guarded stream and each shard's object store check before they commit.
import type { FunctionRuntime } from "../functions/index.js";
import type { LakeCompactor, LakeDelivery, ObjectStore } from "../lake/index.js";
import { componentLogger } from "../monitor/index.js";
import type { ServingStore } from "../store/index.js";
import type { Stream } from "../stream/index.js";
import type { ClusterConfig } from "./config.js";
import { fencedObjectStore, leaseUnitOf } from "./guarded-stream.js";
import { LeaseTable } from "./lease-table.js";
import { ShardLeases, type WorkUnit } from "./shard-leases.js";

export const COMPACTOR_UNIT = "task/lake-compactor";

export interface ClusterWorkerOptions {
  nodeId: string;
  roles: readonly string[];
  cluster: ClusterConfig;
  /** the serving store on PostgreSQL: it holds the lease table */
  store: ServingStore;
  stream: Stream;
  functions: FunctionRuntime;
  lakes: readonly LakeDelivery[];
  compactor: LakeCompactor;
}

/** Commits are fenced for the consumers under leases; others (none today) pass. Set once the worker starts. */
export class LeaseFence {
  private leases: ShardLeases | undefined;
  private readonly managed = new Set<string>();

  attach(leases: ShardLeases, units: Iterable<string>): void {
    this.leases = leases;
    for (const unit of units) this.managed.add(unit);
  }

  mayCommit = (consumer: string, stream: string, shardId: string): boolean => {
    const unit = leaseUnitOf(consumer, stream, shardId);
    return !this.managed.has(unit) || (this.leases?.holds(unit) ?? false);
  };

  /** A lake shard's object store that refuses publishes once the shard's lease is gone. */
  storeFor(store: ObjectStore, consumer: string, stream: string, shardId: string): ObjectStore {
    return fencedObjectStore(store, () => this.mayCommit(consumer, stream, shardId), leaseUnitOf(consumer, stream, shardId));
  }
}

export class ClusterWorker {
  private leases: ShardLeases | undefined;

  constructor(
    private readonly options: ClusterWorkerOptions,
    private readonly fence: LeaseFence,
  ) {}

  /** Starts the lake deliveries with no shard and joins the lease table; shards follow their leases. */
  async start(): Promise<void> {
    const { stream, functions, lakes, compactor } = this.options;
    const units = new Map<string, WorkUnit>();
    for (const { functionName, consumerName, stream: source } of functions.streamMappings()) {
      for (const { shardId } of (await stream.describeStream(source)).shards) {
        units.set(leaseUnitOf(consumerName, source, shardId), {
          start: async () => functions.startShard(functionName, shardId),
          stop: () => functions.stopShard(functionName, shardId),
        });
      }
    }
    for (const lake of lakes) {
      await lake.start({ shards: [] });
      const source = lake.config.source;
      for (const { shardId } of (await stream.describeStream(source)).shards) {
        units.set(leaseUnitOf(lake.consumerName, source, shardId), {
          start: () => lake.startShard(shardId),
          stop: (graceful) => lake.stopShard(shardId, { flush: graceful }),
        });
      }
    }
    // Compaction merges a partition's objects: two compactors at once could merge overlapping runs.
    units.set(COMPACTOR_UNIT, { start: async () => compactor.start(), stop: () => compactor.stop() });
    const leases = new ShardLeases({
      table: new LeaseTable(this.options.store),
      nodeId: this.options.nodeId,
      roles: this.options.roles,
      units,
      leaseTtlMs: this.options.cluster.leaseTtlMs,
      heartbeatIntervalMs: this.options.cluster.heartbeatIntervalMs,
      log: componentLogger("cluster"),
    });
    this.fence.attach(leases, [...units.keys()].filter((unit) => unit !== COMPACTOR_UNIT));
    await leases.start();
    this.leases = leases;
  }

  heldUnits(): string[] {
    return this.leases?.heldUnits() ?? [];
  }

  /** Stops every unit gracefully (batches in flight commit, lake buffers flush) and gives the leases back. */
  async stop(): Promise<void> {
    await this.leases?.stop();
    this.leases = undefined;
  }
}
