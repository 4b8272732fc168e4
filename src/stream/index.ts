// Public surface of the stream component: the interface, its backends and sequence-number helpers.
export type * from "./types.js";
export { SqliteStream, type SqliteStreamOptions } from "./sqlite/sqlite-stream.js";
export { JetStreamStream, type JetStreamStreamOptions } from "./jetstream/jetstream-stream.js";
export { openStreamBackend } from "./open-backend.js";
export { jetStreamConnectionConfigSchema, type JetStreamConnectionConfig } from "./config.js";
export { compareSequenceNumbers, formatSequenceNumber, parseSequenceCounter, shardIdOf, shardIndexOf } from "./sequence.js";
export { evenShards, hashKeyOf, MAX_HASH_KEY } from "./routing.js";
export { Wakeup } from "./wakeup.js";
