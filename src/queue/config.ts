// The queue component's config: the queues a pipeline declares, with SQS's attribute defaults and ranges,
// and the embedded backend's durability setting.
import { Type, type Static } from "@sinclair/typebox";
import { jetStreamConnectionConfigSchema } from "../stream/index.js";
import { INTEGER_ATTRIBUTES, MAX_RECEIVE_COUNT, QUEUE_NAME_PATTERN } from "./queue-attributes.js";

function integerAttribute(key: keyof typeof INTEGER_ATTRIBUTES, description: string) {
  const range = INTEGER_ATTRIBUTES[key];
  return Type.Integer({ minimum: range.min, maximum: range.max, default: range.default, description });
}

export const redrivePolicyConfigSchema = Type.Object(
  {
    deadLetterQueue: Type.String({ pattern: QUEUE_NAME_PATTERN, description: "the queue that takes messages received too often; it must be declared too, and of the same kind" }),
    maxReceiveCount: Type.Integer({
      minimum: MAX_RECEIVE_COUNT.min,
      maximum: MAX_RECEIVE_COUNT.max,
      default: 5,
      description: "receives after which a message moves to the dead-letter queue instead of being delivered again",
    }),
  },
  { additionalProperties: false, description: "dead-letter routing (SQS RedrivePolicy)" },
);

export const queueConfigSchema = Type.Object(
  {
    fifo: Type.Boolean({ default: false, description: "a FIFO queue: ordered per message group, deduplicated for 5 minutes; true exactly when the name ends in .fifo (as SQS's FifoQueue)" }),
    visibilityTimeoutSec: integerAttribute("visibilityTimeoutSec", "how long a received message stays hidden from other receivers, in seconds"),
    messageRetentionSec: integerAttribute("messageRetentionSec", "messages older than this are deleted, in seconds (default 4 days)"),
    delaySec: integerAttribute("delaySec", "how long a new message stays invisible after its send, in seconds"),
    receiveWaitTimeSec: integerAttribute("receiveWaitTimeSec", "default long-poll wait of a receive, in seconds"),
    maximumMessageBytes: integerAttribute("maximumMessageBytes", "largest message (body plus attributes), in bytes"),
    contentBasedDeduplication: Type.Boolean({ default: false, description: "FIFO only: deduplicate by the SHA-256 of the body when a send has no deduplication id" }),
    redrivePolicy: Type.Optional(redrivePolicyConfigSchema),
  },
  { additionalProperties: false, default: {} },
);
export type QueueConfig = Static<typeof queueConfigSchema>;

export const queuesConfigSchema = Type.Record(Type.String({ pattern: QUEUE_NAME_PATTERN }), queueConfigSchema, {
  default: {
    replenishment: { redrivePolicy: { deadLetterQueue: "replenishment-dlq", maxReceiveCount: 5 } },
    "replenishment-dlq": {},
  },
  description: "named queues (SQS); `replenishment` carries store planning's alerts to the truck dispatcher",
});
export type QueuesConfig = Static<typeof queuesConfigSchema>;

export const queueBackendConfigSchema = Type.Object(
  {
    type: Type.Union([Type.Literal("sqlite"), Type.Literal("jetstream")], {
      default: "sqlite",
      description: "sqlite: tables under the data dir; jetstream: one NATS JetStream work-queue stream per queue (several machines)",
    }),
    jetstream: jetStreamConnectionConfigSchema,
    synchronous: Type.Union([Type.Literal("NORMAL"), Type.Literal("FULL")], {
      default: "NORMAL",
      description: "SQLite synchronous setting: NORMAL survives process death; FULL also survives power loss, at a cost",
    }),
  },
  { additionalProperties: false, default: {}, description: "where the queues live: SQLite tables or NATS JetStream" },
);
export type QueueBackendConfig = Static<typeof queueBackendConfigSchema>;

