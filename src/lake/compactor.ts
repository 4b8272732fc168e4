// Compaction: merges a partition's small Parquet objects into larger ones in the background, so a lake fed
// every second stays cheap to query. A merge takes a run of consecutive small objects of one shard in one
// partition, all at or below the shard's committed checkpoint, writes their rows into one object named
// after the range they covered, and publishes it atomically. From that moment readers skip the sources
// (object-visibility.ts explains the rule); they are deleted once deleteSourcesAfterMs has passed, so a
// query that listed them just before still reads them. Nothing a restart re-delivers is ever merged, so
// exactly-once holds (published-index.ts), and a crash at any step leaves the lake readable and whole.
import { mkdir, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { errorMessage } from "../errors/index.js";
import { componentLogger, lakeCompactedObjects, lakeCompactions, type Logger } from "../monitor/index.js";
import { compareSequenceNumbers } from "../stream/index.js";
import type { CompactionConfig } from "./config.js";
import type { LakeDelivery } from "./delivery.js";
import { LAKE_DATA_PREFIX, objectName, parseObjectKey, type ParsedObjectKey } from "./object-names.js";
import type { ObjectInfo, ObjectStore } from "./object-store.js";
import { objectVisibility } from "./object-visibility.js";
import { quoteSqlString } from "./sql-text.js";

export interface LakeCompactorOptions {
  store: ObjectStore;
  /** scratch space for merged objects before they are published */
  stagingDir: string;
  /** the delivery streams whose objects it compacts (those with a compaction config: the Parquet ones) */
  deliveries: readonly LakeDelivery[];
  logger?: Logger;
}

export interface CompactionSummary {
  /** merged objects published */
  merges: number;
  /** objects merged into them */
  mergedObjects: number;
  /** merged objects deleted after their grace period */
  deletedObjects: number;
}

interface Candidate {
  object: ObjectInfo;
  name: ParsedObjectKey;
}

export class LakeCompactor {
  private readonly log: Logger;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: LakeCompactorOptions) {
    this.log = options.logger ?? componentLogger("lake");
  }

  /** Compacts every intervalMs (the shortest of the delivery streams') until stop(). */
  start(): void {
    const intervals = this.enabled().map(({ compaction }) => compaction.intervalMs);
    if (this.loop || intervals.length === 0) return;
    this.stopping = false;
    const intervalMs = Math.min(...intervals);
    this.loop = (async () => {
      while (!this.stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (this.stopping) break;
        try {
          await this.compactOnce();
        } catch (error) {
          this.log.warn({ err: errorMessage(error) }, "lake compaction failed; trying again at the next interval");
        }
      }
    })();
  }

  /** Stops the loop after the pass in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** One pass over every table of every delivery stream: deletes merged objects past their grace, then merges. */
  async compactOnce(nowMs = Date.now()): Promise<CompactionSummary> {
    const summary: CompactionSummary = { merges: 0, mergedObjects: 0, deletedObjects: 0 };
    const stagingDir = join(this.options.stagingDir, "compaction");
    await rm(stagingDir, { recursive: true, force: true });
    await mkdir(stagingDir, { recursive: true });
    const instance = await DuckDBInstance.create(":memory:", { threads: "1", autoinstall_known_extensions: "false", autoload_known_extensions: "false" });
    const connection = await instance.connect();
    try {
      for (const { delivery, compaction } of this.enabled()) {
        const checkpoints = await delivery.checkpoints();
        for (const { table } of delivery.delivery.tables) {
          if (this.stopping) return summary;
          const objects: ObjectInfo[] = [];
          for await (const object of this.options.store.list(`${LAKE_DATA_PREFIX}/${table.name}/`)) if (object.key.endsWith(".parquet")) objects.push(object);
          const { visible, covered } = objectVisibility(objects);
          for (const { object, coveredBy } of covered) {
            if (coveredBy.lastModifiedMs + compaction.deleteSourcesAfterMs > nowMs) continue;
            await this.options.store.delete(object.key);
            summary.deletedObjects++;
          }
          for (const run of mergeRuns(visible, delivery.config.source, checkpoints, compaction)) {
            await this.merge(connection, run, stagingDir, delivery.config.compression);
            summary.merges++;
            summary.mergedObjects += run.length;
            lakeCompactions.inc({ table: table.name });
            lakeCompactedObjects.inc({ table: table.name }, run.length);
          }
        }
      }
      if (summary.merges + summary.deletedObjects > 0) this.log.info({ ...summary }, "lake compaction pass");
      return summary;
    } finally {
      connection.closeSync();
      instance.closeSync();
      await rm(stagingDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private enabled(): Array<{ delivery: LakeDelivery; compaction: CompactionConfig }> {
    return this.options.deliveries.flatMap((delivery) => {
      const compaction = delivery.delivery.compaction;
      return compaction?.enabled ? [{ delivery, compaction }] : [];
    });
  }

  private async merge(connection: DuckDBConnection, run: readonly Candidate[], stagingDir: string, compression: string): Promise<void> {
    const first = run[0]!.name;
    const last = run.at(-1)!.name;
    const name = objectName({ ...first, lastSequenceNumber: last.lastSequenceNumber }, "parquet");
    const staged = join(stagingDir, name);
    const sources = run.map(({ object }) => quoteSqlString(this.options.store.locate(object.key)));
    try {
      // The partition columns are in the keys, not in the files: hive_partitioning off keeps them out.
      await connection.run(
        `COPY (SELECT * FROM read_parquet([${sources.join(", ")}], union_by_name = true, hive_partitioning = false)) ` +
          `TO ${quoteSqlString(staged)} (FORMAT parquet, COMPRESSION ${compression})`,
      );
      await this.options.store.putFile(`${first.partitionPrefix}${name}`, staged, { removeSource: true });
    } finally {
      await unlink(staged).catch(() => undefined);
    }
  }
}

/**
 * The merges to make among a table's visible objects: per partition and shard, runs of consecutive small
 * objects at or below the checkpoint, cut where they would grow past targetFileBytes, of minFiles or more.
 * Consecutive matters: a merged object hides every object inside its range, so it must contain them all.
 */
export function mergeRuns(
  visible: readonly ObjectInfo[],
  stream: string,
  checkpoints: ReadonlyMap<string, string | undefined>,
  compaction: Pick<CompactionConfig, "minFiles" | "targetFileBytes">,
): Candidate[][] {
  const groups = new Map<string, Candidate[]>();
  for (const object of visible) {
    const name = parseObjectKey(object.key);
    if (!name || name.stream !== stream) continue;
    const group = `${name.partitionPrefix}\n${name.shardId}`;
    let members = groups.get(group);
    if (!members) groups.set(group, (members = []));
    members.push({ object, name });
  }
  const runs: Candidate[][] = [];
  for (const members of groups.values()) {
    members.sort((a, b) => compareSequenceNumbers(a.name.firstSequenceNumber, b.name.firstSequenceNumber));
    const checkpoint = checkpoints.get(members[0]!.name.shardId);
    let run: Candidate[] = [];
    let runBytes = 0;
    const close = () => {
      if (run.length >= compaction.minFiles) runs.push(run);
      run = [];
      runBytes = 0;
    };
    for (const member of members) {
      const committed = checkpoint !== undefined && compareSequenceNumbers(member.name.lastSequenceNumber, checkpoint) <= 0;
      const small = member.object.sizeBytes < compaction.targetFileBytes;
      if (!committed || !small) {
        close();
        continue;
      }
      if (runBytes + member.object.sizeBytes > compaction.targetFileBytes) close();
      run.push(member);
      runBytes += member.object.sizeBytes;
    }
    close();
  }
  return runs;
}
