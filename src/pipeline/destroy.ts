// Deletes the data of a pipeline's declared resources (the clean-up step CloudFormation's delete-stack
// does): its streams, its lake and staging files, and its serving store. Refuses while `up` runs.
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { PipelineConfig } from "../config/index.js";
import { SqliteQueue } from "../queue/index.js";
import { SqliteStream } from "../stream/index.js";
import { lockHolder } from "./data-dir-lock.js";
import { pipelinePaths } from "./pipeline.js";
import { ConflictError } from "../errors/index.js";

export interface DestroyPlanItem {
  kind: "stream" | "queue" | "lake" | "staging" | "serving store";
  name: string;
  detail: string;
}

function countFiles(dir: string): { files: number; bytes: number } {
  if (!existsSync(dir)) return { files: 0, bytes: 0 };
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)).size;
  }
  return { files, bytes };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export async function planDestroy(config: PipelineConfig, dataDir: string): Promise<DestroyPlanItem[]> {
  const paths = pipelinePaths(dataDir);
  const plan: DestroyPlanItem[] = [];
  if (existsSync(paths.streamDb)) {
    const stream = new SqliteStream({ path: paths.streamDb });
    try {
      const existing = new Set(await stream.listStreams());
      for (const name of Object.keys(config.streams).filter((n) => existing.has(n))) {
        let records = 0;
        for (const shard of (await stream.describeStream(name)).shards) records += await stream.countAfter(name, shard.shardId, undefined);
        plan.push({ kind: "stream", name, detail: `${records} records and its consumers' checkpoints` });
      }
    } finally {
      await stream.close();
    }
  }
  if (existsSync(paths.queueDb)) {
    const queue = new SqliteQueue({ path: paths.queueDb });
    try {
      const existing = new Set(await queue.listQueues());
      for (const name of Object.keys(config.queues).filter((n) => existing.has(n))) {
        const counts = await queue.counts(name);
        plan.push({ kind: "queue", name, detail: `${counts.visible + counts.inFlight + counts.delayed} messages` });
      }
    } finally {
      await queue.close();
    }
  }
  const lake = countFiles(paths.lakeDir);
  if (lake.files > 0) plan.push({ kind: "lake", name: paths.lakeDir, detail: `${lake.files} objects, ${mib(lake.bytes)}` });
  const staging = countFiles(paths.stagingDir);
  if (staging.files > 0) plan.push({ kind: "staging", name: paths.stagingDir, detail: `${staging.files} files` });
  if (existsSync(paths.storeDb)) plan.push({ kind: "serving store", name: paths.storeDb, detail: "orders, inventory, reference data" });
  return plan;
}

export async function destroy(dataDir: string, plan: DestroyPlanItem[]): Promise<void> {
  const holder = lockHolder(dataDir);
  if (holder !== undefined) throw new ConflictError(`shopstream (pid ${holder}) is running on ${dataDir}; stop it before destroying its data`, "data_dir_locked");
  const paths = pipelinePaths(dataDir);
  const streams = plan.filter((item) => item.kind === "stream");
  if (streams.length > 0) {
    const stream = new SqliteStream({ path: paths.streamDb });
    try {
      for (const item of streams) await stream.deleteStream(item.name);
    } finally {
      await stream.close();
    }
  }
  const queues = plan.filter((item) => item.kind === "queue");
  if (queues.length > 0) {
    const queue = new SqliteQueue({ path: paths.queueDb });
    try {
      for (const item of queues) await queue.deleteQueue(item.name);
    } finally {
      await queue.close();
    }
  }
  for (const item of plan) {
    if (item.kind === "lake" || item.kind === "staging") rmSync(item.name, { recursive: true, force: true });
    if (item.kind === "serving store") for (const suffix of ["", "-wal", "-shm"]) rmSync(`${item.name}${suffix}`, { force: true });
  }
}
