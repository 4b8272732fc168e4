// Opens the stream backend a pipeline config names: the embedded SQLite log, or NATS JetStream.
import type { StreamBackendConfig } from "./config.js";
import { JetStreamStream } from "./jetstream/jetstream-stream.js";
import { SqliteStream } from "./sqlite/sqlite-stream.js";
import type { Stream } from "./types.js";

export async function openStreamBackend(config: StreamBackendConfig, sqlitePath: string): Promise<Stream> {
  if (config.type === "jetstream") {
    return JetStreamStream.open({ ...config.jetstream, maxRecordBytes: config.maxRecordBytes });
  }
  return new SqliteStream({ path: sqlitePath, synchronous: config.synchronous, maxRecordBytes: config.maxRecordBytes });
}
