// Amazon SQS over the pipeline's Queue, in both of SQS's protocols: JSON 1.0 (`X-Amz-Target:
// AmazonSQS.<Operation>`, what the current SDKs send) and the query protocol (form posts to `/` or to a
// queue URL, answered in XML; the AWS CLI v2 before 2.13 and the older SDKs). Query requests are turned
// into the JSON shapes and their answers back (query-shapes.ts), so one set of operations serves both. A
// queue made here is a queue of the pipeline's queue database: the dispatcher, the dashboard and the CLI
// see it, and it survives restarts.
import { ValidationError } from "../../errors/index.js";
import { md5OfMessageAttributes, type MessageAttributeValue, type Queue, type QueueDescription, type ReceivedMessage, type SendMessageInput } from "../../queue/index.js";
import type { AwsOperation, AwsRequestContext, AwsService } from "../service.js";
import { readArray, readBlob, readInteger, readObject, readString } from "../values.js";
import { MoveTasks } from "./move-tasks.js";
import { describeQueueAttributes, parseQueueAttributes, redriveAllowed, withAwsAttributeNames } from "./queue-attributes.js";
import type { QueueExtras } from "./queue-extras.js";
import { queryInput, queryOutput } from "./query-shapes.js";
import { nameFromQueueArn, nameFromQueueUrl, queueArn, queueUrl } from "./queue-urls.js";
import { onTheWire, SQS_ERROR_CODES, SQS_ERRORS, SqsError, type SqsErrorName } from "./sqs-errors.js";

export interface SqsServiceOptions {
  queue: Queue;
  /** tags, last-modified times and the attributes the queue keeps as given */
  extras: QueueExtras;
  /** why a queue may not be deleted through the API (the pipeline config declares it), or undefined */
  queueInUse(name: string): string | undefined;
  /**
   * A queue the pipeline keeps for itself (Lambda's Event invocations): to the API it does not exist (not
   * listed, not found by name or URL, not to be created), as AWS's own Lambda queue is out of reach.
   */
  isInternalQueue(name: string): boolean;
}

type Input = Record<string, unknown>;

const MAX_BATCH_ENTRIES = 10;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
/** SQS allows one PurgeQueue per queue in 60 seconds. */
const PURGE_INTERVAL_MS = 60_000;
const SYSTEM_ATTRIBUTE_NAMES = [
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "SentTimestamp",
  "SenderId",
  "MessageGroupId",
  "MessageDeduplicationId",
  "SequenceNumber",
  "DeadLetterQueueSourceArn",
];

function required(input: Input, member: string): string {
  const value = readString(input, member);
  if (value === undefined || value === "") throw new SqsError("MissingParameter", `The request must contain the parameter ${member}.`);
  return value;
}

function integerIn(input: Input, member: string, min: number, max: number): number | undefined {
  const value = readInteger(input, member);
  if (value !== undefined && (value < min || value > max)) {
    throw new SqsError("InvalidParameterValue", `Value ${value} for parameter ${member} is invalid. Reason: Must be between ${min} and ${max}, if provided.`);
  }
  return value;
}

function stringList(input: Input, member: string): string[] {
  return (readArray(input, member) ?? []).map((item) => {
    if (typeof item !== "string") throw new SqsError("InvalidParameterValue", `${member}: expected a list of strings`);
    return item;
  });
}

/** SQS's receipt handles are base64 text; the queue's own are base64url. */
const toAwsHandle = (handle: string) => Buffer.from(handle, "base64url").toString("base64");
const fromAwsHandle = (handle: string) => Buffer.from(handle, "base64").toString("base64url");

function readMessageAttributes(input: Input, member: string): Record<string, MessageAttributeValue> | undefined {
  const map = readObject(input, member);
  if (map === undefined) return undefined;
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, raw] of Object.entries(map)) {
    if (typeof raw !== "object" || raw === null) throw new SqsError("InvalidParameterValue", `The message attribute '${name}' must be a structure.`);
    const value = raw as Input;
    const dataType = readString(value, "DataType");
    if (!dataType) throw new SqsError("InvalidParameterValue", `The message attribute '${name}' must contain non-empty message attribute type.`);
    if (value["StringListValues"] !== undefined || value["BinaryListValues"] !== undefined) {
      throw new SqsError("InvalidParameterValue", `The message attribute '${name}': StringListValues and BinaryListValues are not supported (as in SQS).`);
    }
    const stringValue = readString(value, "StringValue");
    const binaryValue = readBlob(value, "BinaryValue");
    attributes[name] = { dataType, ...(stringValue !== undefined && { stringValue }), ...(binaryValue !== undefined && { binaryValue }) };
  }
  return attributes;
}

function attributeOutput(attributes: Record<string, MessageAttributeValue>) {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      { DataType: value.dataType, ...(value.stringValue !== undefined && { StringValue: value.stringValue }), ...(value.binaryValue !== undefined && { BinaryValue: value.binaryValue }) },
    ]),
  );
}

/** One message of SendMessage or of a SendMessageBatch entry. */
function readSendInput(input: Input): { message: SendMessageInput; systemAttributes: Record<string, MessageAttributeValue> | undefined } {
  const body = readString(input, "MessageBody");
  if (body === undefined) throw new SqsError("MissingParameter", "The request must contain the parameter MessageBody.");
  const delaySec = readInteger(input, "DelaySeconds");
  const attributes = readMessageAttributes(input, "MessageAttributes");
  const systemAttributes = readMessageAttributes(input, "MessageSystemAttributes");
  for (const name of Object.keys(systemAttributes ?? {})) {
    if (name !== "AWSTraceHeader") throw new SqsError("InvalidParameterValue", `Message system attribute name '${name}' is invalid.`);
  }
  const groupId = readString(input, "MessageGroupId");
  const deduplicationId = readString(input, "MessageDeduplicationId");
  return {
    message: {
      body,
      ...(delaySec !== undefined && { delaySec }),
      ...(attributes !== undefined && Object.keys(attributes).length > 0 && { attributes }),
      ...(groupId !== undefined && { groupId }),
      ...(deduplicationId !== undefined && { deduplicationId }),
    },
    systemAttributes,
  };
}

/** A batch's entries, checked as SQS checks the whole request before any entry runs. */
function batchEntries(input: Input, entryName: string): Input[] {
  const entries = readArray(input, "Entries") ?? [];
  if (entries.length === 0) throw new SqsError("EmptyBatchRequest", `There should be at least one ${entryName} in the request.`);
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SqsError("TooManyEntriesInBatchRequest", `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`);
  }
  const ids = new Set<string>();
  return entries.map((entry) => {
    if (typeof entry !== "object" || entry === null) throw new SqsError("InvalidParameterValue", `${entryName}: expected a structure`);
    const id = (entry as Input)["Id"];
    if (typeof id !== "string" || !BATCH_ENTRY_ID.test(id)) {
      throw new SqsError("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
    }
    if (ids.has(id)) throw new SqsError("BatchEntryIdsNotDistinct", `Id ${id} repeated.`);
    ids.add(id);
    return entry as Input;
  });
}

function failedEntry(id: string, error: unknown) {
  const sqs = error instanceof SqsError ? error : new SqsError("InvalidParameterValue", (error as Error).message);
  return { Id: id, SenderFault: true, Code: SQS_ERRORS[sqs.errorName].queryCode, Message: sqs.message };
}

function entryError(code: string, message: string): SqsError {
  return new SqsError(code in SQS_ERRORS ? (code as SqsErrorName) : "InvalidParameterValue", message);
}

/** Ends a long poll when the client goes away. */
function disconnectSignal(ctx: AwsRequestContext): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const raw = ctx.request.raw as { stream?: NodeJS.EventEmitter; socket?: NodeJS.EventEmitter | null };
  const source = raw.stream ?? raw.socket ?? undefined;
  const abort = () => controller.abort();
  source?.once("close", abort);
  return { signal: controller.signal, release: () => source?.off("close", abort) };
}

function pageToken(name: string): string {
  return Buffer.from(name).toString("base64");
}

function page(names: string[], input: Input): { names: string[]; nextToken?: string } {
  const maxResults = integerIn(input, "MaxResults", 1, 1000);
  const token = readString(input, "NextToken");
  if (token !== undefined && maxResults === undefined) throw new SqsError("InvalidParameterValue", "MaxResults is required with NextToken.");
  const after = token === undefined ? undefined : Buffer.from(token, "base64").toString("utf8");
  const rest = after === undefined ? names : names.filter((name) => name > after);
  const limit = maxResults ?? 1000;
  const selected = rest.slice(0, limit);
  return { names: selected, ...(maxResults !== undefined && rest.length > selected.length && { nextToken: pageToken(selected.at(-1)!) }) };
}

export function createSqsService(options: SqsServiceOptions): AwsService {
  const { queue, extras } = options;
  const moveTasks = new MoveTasks(queue);
  const lastPurge = new Map<string, number>();

  /** The queue called `name`, as the API sees queues: an internal one is not there. */
  const describeQueue = async (name: string): Promise<QueueDescription> => {
    if (options.isInternalQueue(name)) throw new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
    return queue.describeQueue(name);
  };
  const listQueues = async (prefix?: string): Promise<string[]> => (await queue.listQueues(prefix)).filter((name) => !options.isInternalQueue(name));
  const queueOf = async (input: Input, ctx: AwsRequestContext): Promise<QueueDescription> => describeQueue(nameFromQueueUrl(ctx, required(input, "QueueUrl")));

  const checkRedriveAllowed = async (ctx: AwsRequestContext, source: string, deadLetterQueue: string | undefined) => {
    if (deadLetterQueue === undefined) return;
    if (options.isInternalQueue(deadLetterQueue)) {
      throw new SqsError("InvalidParameterValue", `Value for parameter RedrivePolicy is invalid. Reason: Dead letter target ${queueArn(ctx, deadLetterQueue)} does not exist.`);
    }
    const target = await describeQueue(deadLetterQueue).catch(() => undefined);
    if (target && !redriveAllowed(extras.get(target.name, target.createdAt), queueArn(ctx, source))) {
      throw new SqsError("InvalidParameterValue", `Value for parameter RedrivePolicy is invalid. Reason: Queue ${queueArn(ctx, source)} is not allowed to use ${queueArn(ctx, target.name)} as a dead-letter queue (its RedriveAllowPolicy).`);
    }
  };

  const sendMessages = async (name: string, entries: Array<{ message: SendMessageInput }>) => queue.send(name, entries.map((entry) => entry.message));

  const receivedOutput = (ctx: AwsRequestContext, message: ReceivedMessage, systemNames: string[], attributeNames: string[]) => {
    const allSystem = systemNames.includes("All");
    const system: Record<string, string | undefined> = {
      ...message.attributes,
      SenderId: ctx.accountId,
      ...(message.deadLetterSourceQueue !== undefined && { DeadLetterQueueSourceArn: queueArn(ctx, message.deadLetterSourceQueue) }),
    };
    const attributes: Record<string, string> = {};
    for (const name of SYSTEM_ATTRIBUTE_NAMES) {
      const value = system[name];
      if (value !== undefined && (allSystem || systemNames.includes(name))) attributes[name] = value;
    }
    const selected: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of Object.entries(message.messageAttributes)) {
      const wanted = attributeNames.some((pattern) =>
        pattern === "All" || pattern === ".*" ? true : pattern.endsWith(".*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name,
      );
      if (wanted) selected[name] = value;
    }
    // SQS digests the attributes it returns, so a client can check what it got.
    const md5 = md5OfMessageAttributes(selected);
    return {
      MessageId: message.messageId,
      ReceiptHandle: toAwsHandle(message.receiptHandle),
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      ...(Object.keys(attributes).length > 0 && { Attributes: attributes }),
      ...(md5 !== undefined && { MD5OfMessageAttributes: md5, MessageAttributes: attributeOutput(selected) }),
    };
  };

  const visibilityEntry = (entry: Input) => {
    const receiptHandle = required(entry, "ReceiptHandle");
    const visibilityTimeoutSec = readInteger(entry, "VisibilityTimeout");
    if (visibilityTimeoutSec === undefined) throw new SqsError("MissingParameter", "The request must contain the parameter VisibilityTimeout.");
    return { receiptHandle: fromAwsHandle(receiptHandle), visibilityTimeoutSec };
  };

  const operations: Record<string, AwsOperation> = {
    async CreateQueue(input, ctx) {
      const name = required(input, "QueueName");
      if (options.isInternalQueue(name)) throw new SqsError("InvalidParameterValue", `Value ${name} for parameter QueueName is invalid. Reason: the name is reserved for the pipeline's own queue.`);
      const parsed = parseQueueAttributes(ctx, readObject(input, "Attributes") ?? {}, "create");
      const tags = (readObject(input, "tags") ?? readObject(input, "Tags") ?? {}) as Record<string, string>;
      if (parsed.queue.redrivePolicy === null) delete parsed.queue.redrivePolicy;
      await checkRedriveAllowed(ctx, name, parsed.queue.redrivePolicy?.deadLetterQueue);
      const existed = (await listQueues(name)).includes(name);
      const description = await queue.createQueue(name, parsed.queue as Parameters<Queue["createQueue"]>[1]);
      if (!existed) {
        extras.update(name, description.createdAt, (entry) => {
          entry.attributes = parsed.kept;
          entry.tags = tags;
        });
      }
      return { QueueUrl: queueUrl(ctx, name) };
    },

    async GetQueueUrl(input, ctx) {
      const name = required(input, "QueueName");
      const owner = readString(input, "QueueOwnerAWSAccountId");
      if (owner !== undefined && owner !== ctx.accountId) throw new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
      await describeQueue(name);
      return { QueueUrl: queueUrl(ctx, name) };
    },

    async ListQueues(input, ctx) {
      const prefix = readString(input, "QueueNamePrefix") ?? "";
      const listed = page(await listQueues(prefix), input);
      return { ...(listed.names.length > 0 && { QueueUrls: listed.names.map((name) => queueUrl(ctx, name)) }), ...(listed.nextToken && { NextToken: listed.nextToken }) };
    },

    async GetQueueAttributes(input, ctx) {
      const description = await queueOf(input, ctx);
      const names = stringList(input, "AttributeNames");
      const counts = await queue.counts(description.name);
      const attributes = describeQueueAttributes(ctx, description, counts, extras.get(description.name, description.createdAt), names);
      return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
    },

    async SetQueueAttributes(input, ctx) {
      const description = await queueOf(input, ctx);
      const given = readObject(input, "Attributes");
      if (given === undefined) throw new SqsError("MissingParameter", "The request must contain the parameter Attributes.");
      const parsed = parseQueueAttributes(ctx, given, "update");
      await checkRedriveAllowed(ctx, description.name, parsed.queue.redrivePolicy?.deadLetterQueue);
      if (Object.keys(parsed.queue).length > 0) await queue.setAttributes(description.name, parsed.queue);
      extras.update(description.name, description.createdAt, (entry) => {
        Object.assign(entry.attributes, parsed.kept);
        entry.lastModifiedMs = Date.now();
      });
      return {};
    },

    async DeleteQueue(input, ctx) {
      const description = await queueOf(input, ctx);
      const reason = options.queueInUse(description.name);
      if (reason !== undefined) throw new SqsError("UnsupportedOperation", `Queue ${description.name} cannot be deleted through the API: ${reason}.`);
      await queue.deleteQueue(description.name);
      extras.forget(description.name);
      return {};
    },

    async PurgeQueue(input, ctx) {
      const description = await queueOf(input, ctx);
      const key = `${description.name}@${description.createdAt}`;
      const last = lastPurge.get(key);
      if (last !== undefined && Date.now() - last < PURGE_INTERVAL_MS) {
        throw new SqsError("PurgeQueueInProgress", `Only one PurgeQueue operation on ${description.name} is allowed every 60 seconds.`);
      }
      await queue.purge(description.name);
      lastPurge.set(key, Date.now());
      return {};
    },

    async SendMessage(input, ctx) {
      const description = await queueOf(input, ctx);
      const entry = readSendInput(input);
      const [outcome] = await sendMessages(description.name, [entry]);
      if (!outcome) throw new Error("the queue returned no outcome");
      if ("errorCode" in outcome) throw entryError(outcome.errorCode, outcome.errorMessage);
      const systemMd5 = md5OfMessageAttributes(entry.systemAttributes);
      return {
        MessageId: outcome.messageId,
        MD5OfMessageBody: outcome.md5OfBody,
        ...(outcome.md5OfMessageAttributes !== undefined && { MD5OfMessageAttributes: outcome.md5OfMessageAttributes }),
        ...(systemMd5 !== undefined && { MD5OfMessageSystemAttributes: systemMd5 }),
        ...(outcome.sequenceNumber !== undefined && { SequenceNumber: outcome.sequenceNumber }),
      };
    },

    async SendMessageBatch(input, ctx) {
      const description = await queueOf(input, ctx);
      const entries = batchEntries(input, "SendMessageBatchRequestEntry");
      const failed: object[] = [];
      const valid: Array<{ id: string; message: SendMessageInput; systemAttributes: Record<string, MessageAttributeValue> | undefined }> = [];
      for (const entry of entries) {
        try {
          valid.push({ id: entry["Id"] as string, ...readSendInput(entry) });
        } catch (error) {
          failed.push(failedEntry(entry["Id"] as string, error));
        }
      }
      const successful: object[] = [];
      if (valid.length > 0) {
        const outcomes = await sendMessages(description.name, valid);
        outcomes.forEach((outcome, i) => {
          const entry = valid[i]!;
          if ("errorCode" in outcome) {
            failed.push(failedEntry(entry.id, entryError(outcome.errorCode, outcome.errorMessage)));
            return;
          }
          const systemMd5 = md5OfMessageAttributes(entry.systemAttributes);
          successful.push({
            Id: entry.id,
            MessageId: outcome.messageId,
            MD5OfMessageBody: outcome.md5OfBody,
            ...(outcome.md5OfMessageAttributes !== undefined && { MD5OfMessageAttributes: outcome.md5OfMessageAttributes }),
            ...(systemMd5 !== undefined && { MD5OfMessageSystemAttributes: systemMd5 }),
            ...(outcome.sequenceNumber !== undefined && { SequenceNumber: outcome.sequenceNumber }),
          });
        });
      }
      return { Successful: successful, Failed: failed };
    },

    async ReceiveMessage(input, ctx) {
      const description = await queueOf(input, ctx);
      const maxMessages = integerIn(input, "MaxNumberOfMessages", 1, 10);
      const waitTimeSec = integerIn(input, "WaitTimeSeconds", 0, 20);
      const visibilityTimeoutSec = integerIn(input, "VisibilityTimeout", 0, 43_200);
      const systemNames = [...stringList(input, "AttributeNames"), ...stringList(input, "MessageSystemAttributeNames")];
      const attributeNames = stringList(input, "MessageAttributeNames");
      const { signal, release } = disconnectSignal(ctx);
      try {
        const messages = await queue.receive(description.name, {
          signal,
          ...(maxMessages !== undefined && { maxMessages }),
          ...(waitTimeSec !== undefined && { waitTimeSec }),
          ...(visibilityTimeoutSec !== undefined && { visibilityTimeoutSec }),
        });
        return messages.length > 0 ? { Messages: messages.map((message) => receivedOutput(ctx, message, systemNames, attributeNames)) } : {};
      } finally {
        release();
      }
    },

    async DeleteMessage(input, ctx) {
      const description = await queueOf(input, ctx);
      const handle = required(input, "ReceiptHandle");
      const [outcome] = await queue.delete(description.name, [fromAwsHandle(handle)]);
      if (outcome && !outcome.ok) throw entryError(outcome.errorCode, `The input receipt handle "${handle}" is not a valid receipt handle.`);
      return {};
    },

    async DeleteMessageBatch(input, ctx) {
      const description = await queueOf(input, ctx);
      const entries = batchEntries(input, "DeleteMessageBatchRequestEntry");
      const failed: object[] = [];
      const valid: Array<{ id: string; handle: string }> = [];
      for (const entry of entries) {
        try {
          valid.push({ id: entry["Id"] as string, handle: fromAwsHandle(required(entry, "ReceiptHandle")) });
        } catch (error) {
          failed.push(failedEntry(entry["Id"] as string, error));
        }
      }
      const successful: object[] = [];
      if (valid.length > 0) {
        const outcomes = await queue.delete(description.name, valid.map((entry) => entry.handle));
        outcomes.forEach((outcome, i) => {
          const { id } = valid[i]!;
          if (outcome.ok) successful.push({ Id: id });
          else failed.push(failedEntry(id, entryError(outcome.errorCode, outcome.errorMessage)));
        });
      }
      return { Successful: successful, Failed: failed };
    },

    async ChangeMessageVisibility(input, ctx) {
      const description = await queueOf(input, ctx);
      integerIn(input, "VisibilityTimeout", 0, 43_200);
      const change = visibilityEntry(input);
      const [outcome] = await queue.changeVisibility(description.name, [change]);
      if (outcome && !outcome.ok) throw entryError(outcome.errorCode, outcome.errorMessage);
      return {};
    },

    async ChangeMessageVisibilityBatch(input, ctx) {
      const description = await queueOf(input, ctx);
      const entries = batchEntries(input, "ChangeMessageVisibilityBatchRequestEntry");
      const failed: object[] = [];
      const valid: Array<{ id: string; change: { receiptHandle: string; visibilityTimeoutSec: number } }> = [];
      for (const entry of entries) {
        try {
          valid.push({ id: entry["Id"] as string, change: visibilityEntry(entry) });
        } catch (error) {
          failed.push(failedEntry(entry["Id"] as string, error));
        }
      }
      const successful: object[] = [];
      if (valid.length > 0) {
        const outcomes = await queue.changeVisibility(description.name, valid.map((entry) => entry.change));
        outcomes.forEach((outcome, i) => {
          const { id } = valid[i]!;
          if (outcome.ok) successful.push({ Id: id });
          else failed.push(failedEntry(id, entryError(outcome.errorCode, outcome.errorMessage)));
        });
      }
      return { Successful: successful, Failed: failed };
    },

    async ListDeadLetterSourceQueues(input, ctx) {
      const description = await queueOf(input, ctx);
      const sources: string[] = [];
      for (const name of await listQueues()) {
        const candidate = await describeQueue(name).catch(() => undefined);
        if (candidate?.attributes.redrivePolicy?.deadLetterQueue === description.name) sources.push(name);
      }
      const listed = page(sources, input);
      return { queueUrls: listed.names.map((name) => queueUrl(ctx, name)), ...(listed.nextToken && { NextToken: listed.nextToken }) };
    },

    async ListQueueTags(input, ctx) {
      const description = await queueOf(input, ctx);
      const tags = extras.get(description.name, description.createdAt).tags;
      return Object.keys(tags).length > 0 ? { Tags: tags } : {};
    },

    async TagQueue(input, ctx) {
      const description = await queueOf(input, ctx);
      const tags = readObject(input, "Tags");
      if (tags === undefined) throw new SqsError("MissingParameter", "The request must contain the parameter Tags.");
      extras.update(description.name, description.createdAt, (entry) => Object.assign(entry.tags, tags));
      return {};
    },

    async UntagQueue(input, ctx) {
      const description = await queueOf(input, ctx);
      const keys = stringList(input, "TagKeys");
      extras.update(description.name, description.createdAt, (entry) => {
        for (const key of keys) delete entry.tags[key];
      });
      return {};
    },

    async StartMessageMoveTask(input, ctx) {
      const sourceArn = required(input, "SourceArn");
      const source = await describeQueue(nameFromQueueArn(ctx, sourceArn, "SourceArn"));
      const destinationArn = readString(input, "DestinationArn");
      const destination = destinationArn === undefined ? undefined : await describeQueue(nameFromQueueArn(ctx, destinationArn, "DestinationArn"));
      const perSecond = integerIn(input, "MaxNumberOfMessagesPerSecond", 1, 500);
      let isDeadLetterQueue = false;
      for (const name of await listQueues()) {
        const candidate = await describeQueue(name).catch(() => undefined);
        if (candidate?.attributes.redrivePolicy?.deadLetterQueue === source.name) isDeadLetterQueue = true;
      }
      if (!isDeadLetterQueue) throw new SqsError("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.");
      if (destination && destination.name === source.name) throw new SqsError("InvalidParameterValue", "Destination queue must be different from the source queue.");
      const task = moveTasks.start({
        source: source.name,
        sourceArn: queueArn(ctx, source.name),
        ...(destination && { destination: destination.name, destinationArn: queueArn(ctx, destination.name) }),
        ...(perSecond !== undefined && { maxNumberOfMessagesPerSecond: perSecond }),
        toMove: (await queue.counts(source.name)).visible,
      });
      return { TaskHandle: task.taskHandle };
    },

    async ListMessageMoveTasks(input, ctx) {
      const sourceArn = required(input, "SourceArn");
      const source = await describeQueue(nameFromQueueArn(ctx, sourceArn, "SourceArn"));
      const maxResults = integerIn(input, "MaxResults", 1, 10) ?? 1;
      const tasks = moveTasks.list(queueArn(ctx, source.name)).slice(0, maxResults);
      return {
        Results: tasks.map((task) => ({
          ...(task.status === "RUNNING" && { TaskHandle: task.taskHandle }),
          Status: task.status,
          SourceArn: task.sourceArn,
          ...(task.destinationArn !== undefined && { DestinationArn: task.destinationArn }),
          ...(task.maxNumberOfMessagesPerSecond !== undefined && { MaxNumberOfMessagesPerSecond: task.maxNumberOfMessagesPerSecond }),
          ApproximateNumberOfMessagesMoved: task.moved,
          ApproximateNumberOfMessagesToMove: task.toMove,
          ...(task.failureReason !== undefined && { FailureReason: task.failureReason }),
          StartedTimestamp: task.startedMs,
        })),
      };
    },

    async CancelMessageMoveTask(input) {
      const task = moveTasks.cancel(required(input, "TaskHandle"));
      return { ApproximateNumberOfMessagesMoved: task.moved };
    },
  };

  /** Each operation reads the JSON shape; query requests are converted on the way in and out. */
  const wrap = (action: string, operation: AwsOperation): AwsOperation => async (input, ctx) => {
    try {
      let request = input;
      if (ctx.protocol === "query") {
        request = queryInput(input);
        // A query post to the queue's URL names the queue by its path (the older SDKs do this).
        const params = ctx.request.params as { accountId?: string; queueName?: string } | undefined;
        if (request["QueueUrl"] === undefined && params?.queueName !== undefined) request["QueueUrl"] = `/${params.accountId}/${params.queueName}`;
      }
      const output = await operation(request, ctx);
      return ctx.protocol === "query" ? queryOutput(action, output) : output;
    } catch (error) {
      const named = error instanceof ValidationError ? new ValidationError(withAwsAttributeNames(error.message), error.code) : error;
      throw onTheWire(named, ctx.protocol);
    }
  };
  const wrapped = Object.fromEntries(Object.entries(operations).map(([action, operation]) => [action, wrap(action, operation)]));

  return {
    name: "SQS",
    signingName: "sqs",
    errorCodes: SQS_ERROR_CODES,
    json: { targetPrefix: "AmazonSQS", version: "1.0", operations: wrapped },
    query: { version: "2012-11-05", xmlNamespace: "http://queue.amazonaws.com/doc/2012-11-05/", operations: wrapped, paths: ["/:accountId/:queueName"] },
  };
}

