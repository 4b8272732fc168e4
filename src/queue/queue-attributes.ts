// Queue names and attributes as SQS defines them: defaults, allowed ranges, and how requested attributes
// combine with a queue's current ones. Every backend validates through here, so all reject the same input.
import { ValidationError } from "../errors/index.js";
import type { QueueAttributeChanges, QueueAttributes, RedrivePolicy } from "./types.js";

/** 1–80 characters of [A-Za-z0-9_-]; a FIFO queue's name ends in ".fifo", within the 80. */
export const QUEUE_NAME_PATTERN = "^(?:[A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\\.fifo)$";
const QUEUE_NAME = new RegExp(QUEUE_NAME_PATTERN);

/** The integer attributes: SQS's defaults and inclusive ranges. */
export const INTEGER_ATTRIBUTES = {
  visibilityTimeoutSec: { min: 0, max: 43_200, default: 30 },
  messageRetentionSec: { min: 60, max: 1_209_600, default: 345_600 },
  delaySec: { min: 0, max: 900, default: 0 },
  receiveWaitTimeSec: { min: 0, max: 20, default: 0 },
  maximumMessageBytes: { min: 1024, max: 1_048_576, default: 262_144 },
} as const;
type IntegerAttribute = keyof typeof INTEGER_ATTRIBUTES;

export const MAX_RECEIVE_COUNT = { min: 1, max: 1000 } as const;

export function isFifoName(name: string): boolean {
  return name.endsWith(".fifo");
}

export function validateQueueName(name: string): void {
  if (typeof name !== "string" || !QUEUE_NAME.test(name)) {
    throw new ValidationError(
      `queue name must be 1 to 80 characters of letters, digits, "-" and "_" (a FIFO queue's ending in ".fifo"), got ${JSON.stringify(name)}`,
      "invalid_queue_name",
    );
  }
}

export function defaultAttributes(name: string): QueueAttributes {
  return {
    fifo: isFifoName(name),
    visibilityTimeoutSec: INTEGER_ATTRIBUTES.visibilityTimeoutSec.default,
    messageRetentionSec: INTEGER_ATTRIBUTES.messageRetentionSec.default,
    delaySec: INTEGER_ATTRIBUTES.delaySec.default,
    receiveWaitTimeSec: INTEGER_ATTRIBUTES.receiveWaitTimeSec.default,
    maximumMessageBytes: INTEGER_ATTRIBUTES.maximumMessageBytes.default,
    contentBasedDeduplication: false,
  };
}

/**
 * Validates `requested` and lays it over `current`. `fifo` may only be given at creation, and must agree
 * with the name; a `redrivePolicy` of null or undefined removes the policy. Whether the dead-letter queue
 * exists is the backend's to check (checkDeadLetterTarget), since only it knows the queues.
 */
export function applyAttributes(
  name: string,
  current: QueueAttributes,
  requested: Partial<QueueAttributes> | QueueAttributeChanges,
  mode: "create" | "update",
): QueueAttributes {
  const next: QueueAttributes = { ...current };
  for (const [key, value] of Object.entries(requested) as Array<[string, unknown]>) {
    if (key === "redrivePolicy") {
      if (value === undefined || value === null) delete next.redrivePolicy;
      else next.redrivePolicy = checkRedrivePolicy(name, value);
      continue;
    }
    if (value === undefined) continue;
    if (key === "fifo") {
      if (mode === "update") throw new ValidationError("fifo is fixed when a queue is created", "invalid_attribute_name");
      if (value !== isFifoName(name)) {
        throw new ValidationError(
          `queue ${name}: fifo must be ${isFifoName(name)}, because FIFO queue names (and only they) end in ".fifo"`,
          "invalid_attribute_value",
        );
      }
    } else if (key === "contentBasedDeduplication") {
      if (typeof value !== "boolean") throw new ValidationError(`contentBasedDeduplication must be true or false`, "invalid_attribute_value");
      if (value && !current.fifo) {
        throw new ValidationError(`contentBasedDeduplication applies to FIFO queues only; ${name} is standard`, "invalid_attribute_name");
      }
      next.contentBasedDeduplication = value;
    } else if (key in INTEGER_ATTRIBUTES) {
      next[key as IntegerAttribute] = checkInteger(key as IntegerAttribute, value);
    } else {
      throw new ValidationError(`unknown queue attribute ${JSON.stringify(key)}`, "invalid_attribute_name");
    }
  }
  return next;
}

function checkInteger(key: IntegerAttribute, value: unknown): number {
  const { min, max } = INTEGER_ATTRIBUTES[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, "invalid_attribute_value");
  }
  return value;
}

function checkRedrivePolicy(name: string, value: unknown): RedrivePolicy {
  const policy = value as Partial<RedrivePolicy>;
  if (typeof value !== "object" || typeof policy.deadLetterQueue !== "string" || !QUEUE_NAME.test(policy.deadLetterQueue)) {
    throw new ValidationError(`redrivePolicy.deadLetterQueue must name a queue`, "invalid_attribute_value");
  }
  const count = policy.maxReceiveCount;
  if (typeof count !== "number" || !Number.isInteger(count) || count < MAX_RECEIVE_COUNT.min || count > MAX_RECEIVE_COUNT.max) {
    throw new ValidationError(
      `redrivePolicy.maxReceiveCount must be an integer from ${MAX_RECEIVE_COUNT.min} to ${MAX_RECEIVE_COUNT.max}, got ${JSON.stringify(count)}`,
      "invalid_attribute_value",
    );
  }
  if (policy.deadLetterQueue === name) throw new ValidationError(`queue ${name} cannot be its own dead-letter queue`, "invalid_attribute_value");
  return { deadLetterQueue: policy.deadLetterQueue, maxReceiveCount: count };
}

/** A dead-letter queue must exist and be of the same kind as its source (SQS rejects the policy otherwise). */
export function checkDeadLetterTarget(source: string, attributes: QueueAttributes, target: QueueAttributes | undefined): void {
  const policy = attributes.redrivePolicy;
  if (!policy) return;
  if (!target) throw new ValidationError(`dead-letter queue ${policy.deadLetterQueue} of ${source} does not exist`, "invalid_attribute_value");
  if (target.fifo !== attributes.fifo) {
    throw new ValidationError(
      `dead-letter queue ${policy.deadLetterQueue} must be ${attributes.fifo ? "a FIFO" : "a standard"} queue like ${source}`,
      "invalid_attribute_value",
    );
  }
}

/** The requested attributes whose values differ from the queue's (CreateQueue's QueueNameExists check). */
export function differingAttributes(current: QueueAttributes, requested: QueueAttributes, given: Partial<QueueAttributes>): string[] {
  return (Object.keys(given) as Array<keyof QueueAttributes>).filter(
    (key) => given[key] !== undefined && JSON.stringify(current[key]) !== JSON.stringify(requested[key]),
  );
}
