// SQS's queue attributes (string values under AWS's names) to and from the Queue interface's typed
// attributes. Attributes the queue has no use for (RedriveAllowPolicy, Policy, encryption settings) are
// kept as given in QueueExtras and answered back.
import type { QueueAttributeChanges, QueueAttributes, QueueCounts, QueueDescription, RedrivePolicy } from "../../queue/index.js";
import type { AwsRequestContext } from "../service.js";
import type { QueueExtra } from "./queue-extras.js";
import { queueArn, nameFromQueueArn } from "./queue-urls.js";
import { SqsError } from "./sqs-errors.js";

type IntegerKey = "visibilityTimeoutSec" | "messageRetentionSec" | "delaySec" | "receiveWaitTimeSec" | "maximumMessageBytes";

/** AWS's integer attributes and the queue's names for them. */
const INTEGER_ATTRIBUTES: Record<string, IntegerKey> = {
  VisibilityTimeout: "visibilityTimeoutSec",
  MessageRetentionPeriod: "messageRetentionSec",
  DelaySeconds: "delaySec",
  ReceiveMessageWaitTimeSeconds: "receiveWaitTimeSec",
  MaximumMessageSize: "maximumMessageBytes",
};

/** Accepted and answered back as given; the queue does not act on them. */
const KEPT_ATTRIBUTES = ["Policy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "DeduplicationScope", "FifoThroughputLimit"];

const READ_ONLY_ATTRIBUTES = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "QueueArn",
];

export const QUEUE_ATTRIBUTE_NAMES = [
  ...Object.keys(INTEGER_ATTRIBUTES),
  "RedrivePolicy",
  "RedriveAllowPolicy",
  "FifoQueue",
  "ContentBasedDeduplication",
  ...KEPT_ATTRIBUTES,
  ...READ_ONLY_ATTRIBUTES,
];

export interface ParsedAttributes {
  /** for Queue.createQueue / setAttributes (a null redrivePolicy removes it) */
  queue: Partial<Omit<QueueAttributes, "redrivePolicy">> & QueueAttributeChanges;
  /** attributes kept in QueueExtras */
  kept: Record<string, string>;
}

function invalidValue(name: string, reason?: string): SqsError {
  return new SqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ""}`);
}

function parseBoolean(name: string, value: string): boolean {
  if (value === "true" || value === "false") return value === "true";
  throw invalidValue(name);
}

function parseRedrivePolicy(ctx: AwsRequestContext, value: string): RedrivePolicy | null {
  if (value === "") return null;
  let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    policy = JSON.parse(value) as typeof policy;
  } catch {
    throw invalidValue("RedrivePolicy", "Redrive policy is not a valid JSON map.");
  }
  if (typeof policy !== "object" || policy === null) throw invalidValue("RedrivePolicy", "Redrive policy is not a valid JSON map.");
  if (typeof policy.deadLetterTargetArn !== "string") throw invalidValue("RedrivePolicy", "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  const count = typeof policy.maxReceiveCount === "string" && /^\d+$/.test(policy.maxReceiveCount) ? Number(policy.maxReceiveCount) : policy.maxReceiveCount;
  if (count === undefined) throw invalidValue("RedrivePolicy", "Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  let deadLetterQueue: string;
  try {
    deadLetterQueue = nameFromQueueArn(ctx, policy.deadLetterTargetArn, "RedrivePolicy");
  } catch {
    throw invalidValue("RedrivePolicy", "Dead letter target does not exist.");
  }
  return { deadLetterQueue, maxReceiveCount: count as number };
}

function checkRedriveAllowPolicy(value: string): void {
  let policy: { redrivePermission?: unknown; sourceQueueArns?: unknown };
  try {
    policy = JSON.parse(value) as typeof policy;
  } catch {
    throw invalidValue("RedriveAllowPolicy", "Redrive allow policy is not a valid JSON map.");
  }
  if (!["allowAll", "denyAll", "byQueue"].includes(policy?.redrivePermission as string)) {
    throw invalidValue("RedriveAllowPolicy", "redrivePermission must be allowAll, denyAll or byQueue.");
  }
  const arns = policy.sourceQueueArns;
  if (policy.redrivePermission === "byQueue") {
    if (!Array.isArray(arns) || arns.length < 1 || arns.length > 10 || !arns.every((arn) => typeof arn === "string")) {
      throw invalidValue("RedriveAllowPolicy", "byQueue needs sourceQueueArns: 1 to 10 queue ARNs.");
    }
  } else if (arns !== undefined) {
    throw invalidValue("RedriveAllowPolicy", "sourceQueueArns applies to redrivePermission byQueue only.");
  }
}

/** Whether a dead-letter queue's RedriveAllowPolicy lets `sourceArn` name it in a RedrivePolicy. */
export function redriveAllowed(deadLetterQueue: QueueExtra, sourceArn: string): boolean {
  const text = deadLetterQueue.attributes["RedriveAllowPolicy"];
  if (text === undefined) return true;
  const policy = JSON.parse(text) as { redrivePermission: string; sourceQueueArns?: string[] };
  if (policy.redrivePermission === "denyAll") return false;
  if (policy.redrivePermission === "byQueue") return policy.sourceQueueArns?.includes(sourceArn) ?? false;
  return true;
}

/** Reads CreateQueue's or SetQueueAttributes' attribute map. */
export function parseQueueAttributes(ctx: AwsRequestContext, given: Record<string, unknown>, mode: "create" | "update"): ParsedAttributes {
  const parsed: ParsedAttributes = { queue: {}, kept: {} };
  for (const [name, raw] of Object.entries(given)) {
    if (typeof raw !== "string") throw invalidValue(name, "attribute values are strings");
    const key = INTEGER_ATTRIBUTES[name];
    if (key !== undefined) {
      if (!/^-?\d{1,10}$/.test(raw)) throw invalidValue(name);
      parsed.queue[key] = Number(raw);
    } else if (name === "RedrivePolicy") {
      parsed.queue.redrivePolicy = parseRedrivePolicy(ctx, raw);
    } else if (name === "RedriveAllowPolicy") {
      checkRedriveAllowPolicy(raw);
      parsed.kept[name] = raw;
    } else if (name === "FifoQueue") {
      if (mode === "update") throw new SqsError("InvalidAttributeName", "Unknown Attribute FifoQueue.");
      parsed.queue.fifo = parseBoolean(name, raw);
    } else if (name === "ContentBasedDeduplication") {
      parsed.queue.contentBasedDeduplication = parseBoolean(name, raw);
    } else if (KEPT_ATTRIBUTES.includes(name)) {
      parsed.kept[name] = raw;
    } else {
      throw new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
  }
  return parsed;
}

/** The queue's own messages mention its attribute names; SQS's clients know AWS's. */
export function withAwsAttributeNames(message: string): string {
  let text = message;
  for (const [aws, key] of Object.entries(INTEGER_ATTRIBUTES)) text = text.replaceAll(key, aws);
  return text.replaceAll("redrivePolicy.maxReceiveCount", "RedrivePolicy maxReceiveCount").replaceAll("contentBasedDeduplication", "ContentBasedDeduplication");
}

/** GetQueueAttributes: the requested attributes ("All" for every one) as SQS answers them. */
export function describeQueueAttributes(
  ctx: AwsRequestContext,
  description: QueueDescription,
  counts: QueueCounts,
  extra: QueueExtra,
  requested: readonly string[],
): Record<string, string> {
  for (const name of requested) {
    if (name !== "All" && !QUEUE_ATTRIBUTE_NAMES.includes(name)) throw new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
  }
  const { attributes } = description;
  const all: Record<string, string | undefined> = {
    QueueArn: queueArn(ctx, description.name),
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(description.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor((extra.lastModifiedMs ?? description.createdAt) / 1000)),
    VisibilityTimeout: String(attributes.visibilityTimeoutSec),
    MaximumMessageSize: String(attributes.maximumMessageBytes),
    MessageRetentionPeriod: String(attributes.messageRetentionSec),
    DelaySeconds: String(attributes.delaySec),
    ReceiveMessageWaitTimeSeconds: String(attributes.receiveWaitTimeSec),
    SqsManagedSseEnabled: "false",
    ...(attributes.redrivePolicy && {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn(ctx, attributes.redrivePolicy.deadLetterQueue), maxReceiveCount: attributes.redrivePolicy.maxReceiveCount }),
    }),
    ...(attributes.fifo && {
      FifoQueue: "true",
      ContentBasedDeduplication: String(attributes.contentBasedDeduplication),
      DeduplicationScope: "queue",
      FifoThroughputLimit: "perQueue",
    }),
    ...extra.attributes,
  };
  const wanted = requested.includes("All") ? Object.keys(all) : requested;
  const answer: Record<string, string> = {};
  for (const name of wanted) {
    const value = all[name];
    if (value !== undefined) answer[name] = value;
  }
  return answer;
}
