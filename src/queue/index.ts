// Public surface of the queue component: the interface, its backends, config schemas, provisioning and gauges.
export type * from "./types.js";
export { SqliteQueue, type SqliteQueueOptions } from "./sqlite/sqlite-queue.js";
export { JetStreamQueue, type JetStreamQueueOptions } from "./jetstream/jetstream-queue.js";
export { openQueueBackend } from "./open-backend.js";
export { queueBackendConfigSchema, queueConfigSchema, queuesConfigSchema, type QueueBackendConfig, type QueueConfig, type QueuesConfig } from "./config.js";
export { applyQueuesConfig } from "./provision.js";
export { readQueueGauges, type QueueGauge } from "./gauges.js";
export { md5OfBody, md5OfMessageAttributes } from "./checksums.js";
export { ENTRY_ERROR } from "./entry-errors.js";
export { defaultAttributes, isFifoName, QUEUE_NAME_PATTERN } from "./queue-attributes.js";
