// Opens the queue backend a pipeline config names: SQLite tables, or NATS JetStream.
import type { QueueBackendConfig } from "./config.js";
import { JetStreamQueue } from "./jetstream/jetstream-queue.js";
import { SqliteQueue } from "./sqlite/sqlite-queue.js";
import type { Queue } from "./types.js";

export async function openQueueBackend(config: QueueBackendConfig, sqlitePath: string): Promise<Queue> {
  if (config.type === "jetstream") return JetStreamQueue.open(config.jetstream);
  return new SqliteQueue({ path: sqlitePath, synchronous: config.synchronous });
}
