// The scale-out queue backend: SQS semantics on NATS JetStream. Each queue is a work-queue-retention
// stream with two subjects, `ready` and `delayed`, each read by a durable pull consumer. The consumer's ack
// wait is the visibility timeout (a receive with another timeout, and changeVisibility, nak with a
// delay); an ack deletes. A message received maxReceiveCount times moves to the dead-letter queue on the
// next receive. Delayed messages wait in `delayed` and move to `ready` when due. Queue attributes and
// FIFO deduplication ids live in KV buckets. What only this process knows (its receipts, FIFO groups
// it holds) is documented in docs/backends.md.
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { AckPolicy, DeliverPolicy, JetStreamApiError, jetstream, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { connect, createInbox, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { ConflictError, NotFoundError, ValidationError } from "../../errors/index.js";
import { componentId, countDiscarded, countSentMessages, countWriteOutcomes } from "../../monitor/index.js";
import { contentDeduplicationId, md5OfBody, md5OfMessageAttributes } from "../checksums.js";
import { ENTRY_ERROR, entryFailure } from "../entry-errors.js";
import { longPoll } from "../long-poll.js";
import { checkMessage, messageBytes } from "../message-validation.js";
import { applyAttributes, checkDeadLetterTarget, defaultAttributes, differingAttributes, validateQueueName } from "../queue-attributes.js";
import { checkBatch, checkBatchBytes, MAX_VISIBILITY_AFTER_RECEIVE_MS, resolveReceiveOptions, visibilityTimeoutProblem, type ResolvedReceive } from "../request-validation.js";
import type {
  EntryOutcome,
  Queue,
  QueueAttributeChanges,
  QueueAttributes,
  QueueCounts,
  QueueDescription,
  ReceivedMessage,
  ReceiveOptions,
  SendMessageInput,
  SendMessageResult,
  SendOutcome,
} from "../types.js";
import { decodeAttributes, decodeEnvelope, encodeAttributes, encodeEnvelope, formatReceiptHandle, parseDelivery, parseReceiptHandle, type Delivery, type Envelope } from "./envelope.js";

export interface JetStreamQueueOptions {
  servers: string | string[];
  /** first subject tokens; also names the JetStream streams and KV buckets */
  subjectPrefix?: string;
  replicas?: number;
  storage?: "file" | "memory";
  /** how often a long poll looks for messages sent by other processes, in ms */
  pollIntervalMs?: number;
}

const NANOS_PER_MS = 1_000_000;
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
const READY_CONSUMER = "ready";
const DELAYED_CONSUMER = "delayed";
/** how long one no-wait pull may take before it is given up */
const PULL_TIMEOUT_MS = 5000;

interface QueueState {
  name: string;
  jsName: string;
  readySubject: string;
  delayedSubject: string;
  description: QueueDescription;
}

/** A delivery this process handed out, and when it becomes visible again. */
interface InFlight {
  delivery: Delivery;
  visibleUntil: number;
  groupId: string | undefined;
}

interface Pulled {
  delivery: Delivery;
  envelope: Envelope;
}

export class JetStreamQueue implements Queue {
  readonly backend = "jetstream";
  private readonly arrivals = new EventEmitter();
  private readonly closing = new AbortController();
  private readonly subscriptions = new Map<string, Subscription>();
  /** by `${jsName}:${stream sequence}` */
  private readonly inFlight = new Map<string, InFlight>();
  private readonly firstReceivedAt = new Map<string, number>();
  /** deliveries this process pulled but did not hand out (FIFO: their group was held), per queue */
  private readonly unhanded = new Map<string, number>();
  private readonly backlog = new Map<string, Pulled[]>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly catalog: KV,
    private readonly deduplication: KV,
    private readonly prefix: string,
    private readonly replicas: number,
    private readonly storage: StorageType,
    private readonly pollIntervalMs: number,
  ) {
    this.arrivals.setMaxListeners(0);
  }

  static async open(options: JetStreamQueueOptions): Promise<JetStreamQueue> {
    const prefix = options.subjectPrefix ?? "shopstream";
    const replicas = options.replicas ?? 1;
    // Reconnect for as long as it takes (the default gives up after 10 tries): a NATS restart or failover
    // must not end a long-running process.
    const nc = await connect({ servers: options.servers, name: "shopstream-queue", maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    try {
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      const kvm = new Kvm(js);
      const bucket = prefix.replaceAll(".", "-");
      const catalog = await kvm.create(`${bucket}_queues`, { replicas, history: 1 });
      const deduplication = await kvm.create(`${bucket}_queue-dedup`, { replicas, history: 1, ttl: DEDUPLICATION_WINDOW_MS });
      const storage = options.storage === "memory" ? StorageType.Memory : StorageType.File;
      return new JetStreamQueue(nc, js, jsm, catalog, deduplication, prefix, replicas, storage, options.pollIntervalMs ?? 200);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  // ---- queues ----

  private stateOf(name: string, description: QueueDescription): QueueState {
    const subject = `${this.prefix}.queue.${name}`;
    return {
      name,
      jsName: `${this.prefix.replaceAll(".", "-")}_queue__${name.replaceAll(".", "~")}`,
      readySubject: `${subject}.ready`,
      delayedSubject: `${subject}.delayed`,
      description,
    };
  }

  private async find(name: string): Promise<QueueState | undefined> {
    if (typeof name !== "string" || name.length === 0) return undefined;
    const entry = await this.catalog.get(catalogKey(name));
    if (!entry || entry.operation !== "PUT" || entry.length === 0) return undefined;
    return this.stateOf(name, entry.json<QueueDescription>());
  }

  private async get(name: string): Promise<QueueState> {
    const state = await this.find(name);
    if (!state) throw new NotFoundError(`queue ${JSON.stringify(name)} does not exist`, "queue_not_found");
    return state;
  }

  async createQueue(name: string, attributes: Partial<QueueAttributes> = {}): Promise<QueueDescription> {
    return this.create(name, attributes, "compare");
  }

  async ensureQueue(name: string, attributes: Partial<QueueAttributes> = {}): Promise<QueueDescription> {
    return this.create(name, attributes, "keep");
  }

  private async create(name: string, attributes: Partial<QueueAttributes>, existing: "compare" | "keep"): Promise<QueueDescription> {
    validateQueueName(name);
    const requested = applyAttributes(name, defaultAttributes(name), attributes, "create");
    const found = await this.find(name);
    if (found && existing === "compare") {
      const differing = differingAttributes(found.description.attributes, requested, attributes);
      if (differing.length > 0) throw new ConflictError(`queue ${name} already exists with a different ${differing.join(", ")}`, "queue_name_exists");
    }
    if (found) return found.description;
    checkDeadLetterTarget(name, requested, await this.deadLetterAttributes(requested));
    const description: QueueDescription = { name, attributes: requested, createdAt: Date.now() };
    const state = this.stateOf(name, description);
    await this.jsm.streams.add({
      name: state.jsName,
      subjects: [state.readySubject, state.delayedSubject],
      retention: RetentionPolicy.Workqueue,
      storage: this.storage,
      num_replicas: this.replicas,
      max_age: requested.messageRetentionSec * 1000 * NANOS_PER_MS,
      duplicate_window: DEDUPLICATION_WINDOW_MS * NANOS_PER_MS,
    });
    await this.addConsumer(state, READY_CONSUMER, state.readySubject, requested.visibilityTimeoutSec);
    await this.addConsumer(state, DELAYED_CONSUMER, state.delayedSubject, 30);
    try {
      await this.catalog.create(catalogKey(name), JSON.stringify(description));
    } catch {
      // another process created it at the same time: its description wins
      return (await this.get(name)).description;
    }
    return description;
  }

  private async addConsumer(state: QueueState, durable: string, subject: string, ackWaitSec: number): Promise<void> {
    await this.jsm.consumers.add(state.jsName, {
      durable_name: durable,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: Math.max(1, ackWaitSec) * 1000 * NANOS_PER_MS,
      max_ack_pending: -1,
    });
  }

  private async deadLetterAttributes(attributes: QueueAttributes): Promise<QueueAttributes | undefined> {
    const target = attributes.redrivePolicy?.deadLetterQueue;
    return target === undefined ? undefined : (await this.find(target))?.description.attributes;
  }

  async describeQueue(name: string): Promise<QueueDescription> {
    return (await this.get(name)).description;
  }

  async setAttributes(name: string, changes: QueueAttributeChanges): Promise<QueueDescription> {
    const state = await this.get(name);
    const next = applyAttributes(name, state.description.attributes, changes, "update");
    checkDeadLetterTarget(name, next, await this.deadLetterAttributes(next));
    const before = state.description.attributes;
    const description: QueueDescription = { ...state.description, attributes: next };
    if (next.visibilityTimeoutSec !== before.visibilityTimeoutSec) {
      await this.jsm.consumers.update(state.jsName, READY_CONSUMER, { ack_wait: Math.max(1, next.visibilityTimeoutSec) * 1000 * NANOS_PER_MS });
    }
    if (next.messageRetentionSec !== before.messageRetentionSec) {
      const info = await this.jsm.streams.info(state.jsName);
      await this.jsm.streams.update(state.jsName, { ...info.config, max_age: next.messageRetentionSec * 1000 * NANOS_PER_MS });
    }
    await this.catalog.put(catalogKey(name), JSON.stringify(description));
    return description;
  }

  async listQueues(prefix = ""): Promise<string[]> {
    const names: string[] = [];
    for await (const key of await this.catalog.keys()) {
      const name = Buffer.from(key, "base64url").toString("utf8");
      if (name.startsWith(prefix)) names.push(name);
    }
    return names.sort();
  }

  async deleteQueue(name: string): Promise<void> {
    const state = await this.get(name);
    await this.catalog.purge(catalogKey(name));
    await this.jsm.streams.delete(state.jsName).catch((error: unknown) => {
      if (!isStreamNotFound(error)) throw error;
    });
    this.forgetLocal(state);
    this.announce(name);
  }

  private forgetLocal(state: QueueState): void {
    for (const key of [...this.inFlight.keys()]) if (key.startsWith(`${state.jsName}:`)) this.inFlight.delete(key);
    for (const key of [...this.firstReceivedAt.keys()]) if (key.startsWith(`${state.jsName}:`)) this.firstReceivedAt.delete(key);
    this.backlog.delete(state.jsName);
  }

  // ---- send ----

  async send(name: string, messages: SendMessageInput[]): Promise<SendOutcome[]> {
    checkBatch("send", messages);
    const state = await this.get(name);
    checkBatchBytes(messages.reduce((bytes, message) => bytes + messageBytes(message), 0));
    const outcomes: SendOutcome[] = [];
    // one at a time: a FIFO batch's order is its send order, and a duplicate within the batch is found
    for (const message of messages) outcomes.push(await this.sendOne(state, message));
    countWriteOutcomes(componentId.queue(name), outcomes);
    if (outcomes.some((outcome) => "messageId" in outcome)) this.announce(name);
    return outcomes;
  }

  private async sendOne(state: QueueState, message: SendMessageInput): Promise<SendOutcome> {
    const attributes = state.description.attributes;
    const problem = checkMessage(message, attributes);
    if (problem) return problem;
    const checksums = { md5OfBody: md5OfBody(message.body), md5OfMessageAttributes: md5OfMessageAttributes(message.attributes) };
    const now = Date.now();
    const envelope: Envelope = { id: randomUUID(), body: message.body, md5: checksums.md5OfBody, sentAt: now };
    if (checksums.md5OfMessageAttributes !== undefined) envelope.md5Attributes = checksums.md5OfMessageAttributes;
    const encodedAttributes = encodeAttributes(message.attributes);
    if (encodedAttributes) envelope.attributes = encodedAttributes;
    if (message.groupId !== undefined) envelope.groupId = message.groupId;
    const delayMs = (message.delaySec ?? attributes.delaySec) * 1000;
    if (delayMs > 0) envelope.visibleAt = now + delayMs;

    let dedupKey: string | undefined;
    if (attributes.fifo) {
      const deduplicationId = message.deduplicationId ?? contentDeduplicationId(message.body);
      envelope.deduplicationId = deduplicationId;
      dedupKey = `${catalogKey(state.name)}.${Buffer.from(deduplicationId).toString("base64url") || "_"}`;
      // the KV create is the atomic claim: a second send with the id finds the first's answer
      const claimed = await this.deduplication.create(dedupKey, JSON.stringify({ messageId: envelope.id })).then(
        () => true,
        () => false,
      );
      if (!claimed) {
        const first = (await this.deduplication.get(dedupKey))?.json<{ messageId: string; sequenceNumber?: string }>();
        if (first) return sendResult(first.messageId, checksums, first.sequenceNumber);
      }
    }
    const subject = envelope.visibleAt === undefined ? state.readySubject : state.delayedSubject;
    try {
      const ack = await this.js.publish(subject, encodeEnvelope(envelope), { msgID: envelope.id });
      if (!attributes.fifo || dedupKey === undefined) return sendResult(envelope.id, checksums);
      const sequenceNumber = String(ack.seq).padStart(20, "0");
      await this.deduplication.put(dedupKey, JSON.stringify({ messageId: envelope.id, sequenceNumber }));
      return sendResult(envelope.id, checksums, sequenceNumber);
    } catch (error) {
      if (dedupKey !== undefined) await this.deduplication.purge(dedupKey).catch(() => undefined);
      throw error;
    }
  }

  // ---- receive ----

  async receive(name: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const resolved = resolveReceiveOptions(options, (await this.get(name)).description.attributes);
    return countSentMessages(
      componentId.queue(name),
      longPoll({
        // the queue is looked up on each attempt: it may be deleted, or its attributes changed, mid-poll
        attempt: async () => this.receiveOnce(await this.get(name), resolved),
        waitMs: resolved.waitMs,
        signal: options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal,
        subscribe: (wake) => this.subscribe(name, wake),
        msUntilNextDue: () => this.msUntilNextDue(),
        pollIntervalMs: this.pollIntervalMs,
      }),
    );
  }

  private msUntilNextDue(): number | undefined {
    const now = Date.now();
    let due: number | undefined;
    for (const entry of this.inFlight.values()) if (entry.visibleUntil > now) due = Math.min(due ?? Infinity, entry.visibleUntil - now);
    return due;
  }

  private async receiveOnce(state: QueueState, options: ResolvedReceive): Promise<ReceivedMessage[]> {
    await this.promoteDueMessages(state);
    const fifo = state.description.attributes.fifo;
    const route = await this.deadLetterRoute(state);
    const received: ReceivedMessage[] = [];
    for (let round = 0; round < 3 && received.length < options.maxMessages; round++) {
      const pulled = await this.pull(state.jsName, READY_CONSUMER, options.maxMessages - received.length);
      const candidates = fifo ? this.mergeBacklog(state, pulled) : pulled;
      if (candidates.length === 0) break;
      let deadLettered = 0;
      const heldBack: Pulled[] = [];
      const blockedGroups = fifo ? this.blockedGroups(state, candidates) : new Set<string>();
      for (const candidate of candidates) {
        const key = keyOf(candidate.delivery);
        const priorReceives = candidate.delivery.deliveryCount - 1 - (this.unhanded.get(key) ?? 0);
        if (route && priorReceives >= route.maxReceiveCount) {
          await this.moveToDeadLetter(state, candidate, route.target);
          deadLettered++;
          continue;
        }
        const group = candidate.envelope.groupId;
        if (fifo && (received.length >= options.maxMessages || (group !== undefined && blockedGroups.has(group)))) {
          // held: it waits here (still pending at the server) for its group's head to go
          heldBack.push(candidate);
          if (group !== undefined) blockedGroups.add(group);
          continue;
        }
        if (received.length >= options.maxMessages) {
          await this.nak(candidate.delivery, 0);
          this.unhanded.set(key, (this.unhanded.get(key) ?? 0) + 1);
          continue;
        }
        received.push(await this.handOut(state, candidate, options, priorReceives + 1));
      }
      if (fifo) this.backlog.set(state.jsName, heldBack);
      if (deadLettered === 0) break;
    }
    return received;
  }

  /** FIFO: pulled messages and those held back earlier, in stream order (a redelivered head first). */
  private mergeBacklog(state: QueueState, pulled: Pulled[]): Pulled[] {
    const bySeq = new Map<number, Pulled>();
    for (const held of this.backlog.get(state.jsName) ?? []) bySeq.set(held.delivery.streamSequence, held);
    for (const fresh of pulled) {
      const earlier = bySeq.get(fresh.delivery.streamSequence);
      // the server redelivered one we held back (its ack wait ran out): that delivery was no receive
      if (earlier) this.unhanded.set(keyOf(fresh.delivery), (this.unhanded.get(keyOf(fresh.delivery)) ?? 0) + 1);
      bySeq.set(fresh.delivery.streamSequence, fresh);
    }
    return [...bySeq.values()].sort((a, b) => a.delivery.streamSequence - b.delivery.streamSequence);
  }

  /** FIFO groups with a message in flight (or due back) that is not among the candidates. */
  private blockedGroups(state: QueueState, candidates: Pulled[]): Set<string> {
    const present = new Set(candidates.map((c) => keyOf(c.delivery)));
    const blocked = new Set<string>();
    for (const [key, entry] of this.inFlight) {
      if (key.startsWith(`${state.jsName}:`) && entry.groupId !== undefined && !present.has(key)) blocked.add(entry.groupId);
    }
    return blocked;
  }

  private async handOut(state: QueueState, pulled: Pulled, options: ResolvedReceive, receiveCount: number): Promise<ReceivedMessage> {
    const { delivery, envelope } = pulled;
    const key = keyOf(delivery);
    if (options.visibilityTimeoutMs !== state.description.attributes.visibilityTimeoutSec * 1000) {
      await this.nak(delivery, options.visibilityTimeoutMs);
    }
    this.inFlight.set(key, { delivery, visibleUntil: Date.now() + options.visibilityTimeoutMs, groupId: envelope.groupId });
    if (options.visibilityTimeoutMs === 0) this.inFlight.delete(key);
    const firstReceivedAt = this.firstReceivedAt.get(key) ?? delivery.deliveredAtMs;
    this.firstReceivedAt.set(key, firstReceivedAt);
    const message: ReceivedMessage = {
      messageId: envelope.id,
      receiptHandle: formatReceiptHandle(delivery),
      body: envelope.body,
      md5OfBody: envelope.md5,
      messageAttributes: decodeAttributes(envelope.attributes),
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        ApproximateFirstReceiveTimestamp: String(firstReceivedAt),
        SentTimestamp: String(envelope.sentAt),
      },
    };
    if (envelope.md5Attributes !== undefined) message.md5OfMessageAttributes = envelope.md5Attributes;
    if (state.description.attributes.fifo) {
      if (envelope.groupId !== undefined) message.attributes.MessageGroupId = envelope.groupId;
      if (envelope.deduplicationId !== undefined) message.attributes.MessageDeduplicationId = envelope.deduplicationId;
      message.attributes.SequenceNumber = envelope.sequenceNumber ?? String(delivery.streamSequence).padStart(20, "0");
    }
    if (envelope.deadLetterSource !== undefined) message.deadLetterSourceQueue = envelope.deadLetterSource;
    return message;
  }

  /** Moves delayed messages that are due to `ready`; the others wait at the server (nak with delay). */
  private async promoteDueMessages(state: QueueState): Promise<void> {
    for (;;) {
      const pulled = await this.pull(state.jsName, DELAYED_CONSUMER, 100);
      if (pulled.length === 0) return;
      const now = Date.now();
      for (const { delivery, envelope } of pulled) {
        const dueInMs = (envelope.visibleAt ?? 0) - now;
        if (dueInMs > 0) {
          await this.nak(delivery, dueInMs);
          continue;
        }
        const ready: Envelope = { ...envelope };
        delete ready.visibleAt;
        // the Nats-Msg-Id makes a repeated move (a crash before the ack) store one copy
        await this.js.publish(state.readySubject, encodeEnvelope(ready), { msgID: `promote-${envelope.id}-${delivery.streamSequence}` });
        await this.ack(delivery);
      }
    }
  }

  private async deadLetterRoute(state: QueueState): Promise<{ target: QueueState; maxReceiveCount: number } | undefined> {
    const policy = state.description.attributes.redrivePolicy;
    const target = policy && (await this.find(policy.deadLetterQueue));
    return target ? { target, maxReceiveCount: policy.maxReceiveCount } : undefined;
  }

  private async moveToDeadLetter(source: QueueState, pulled: Pulled, target: QueueState): Promise<void> {
    const moved: Envelope = { ...pulled.envelope, deadLetterSource: source.name };
    await this.js.publish(target.readySubject, encodeEnvelope(moved), { msgID: `dead-letter-${pulled.envelope.id}-${pulled.delivery.streamSequence}` });
    await this.ack(pulled.delivery);
    this.forgetDelivery(pulled.delivery);
    this.announce(target.name);
    countDiscarded(componentId.queue(source.name), "dead_lettered");
  }

  // ---- receipts ----

  async delete(name: string, receiptHandles: string[]): Promise<EntryOutcome[]> {
    checkBatch("delete", receiptHandles);
    const state = await this.get(name);
    const outcomes: EntryOutcome[] = [];
    let releasedGroup = false;
    for (const handle of receiptHandles) {
      const delivery = this.deliveryOf(state, handle);
      if (!delivery) {
        outcomes.push(invalidHandle(handle));
        continue;
      }
      const latest = this.inFlight.get(keyOf(delivery));
      // a handle of an earlier receive deletes nothing (SQS: the request succeeds)
      if (latest && latest.delivery.deliveryCount !== delivery.deliveryCount) {
        outcomes.push({ ok: true });
        continue;
      }
      if (latest || !this.isSuperseded(delivery)) await this.ack(delivery).catch(() => undefined);
      if (latest?.groupId !== undefined) releasedGroup = true;
      this.forgetDelivery(delivery);
      outcomes.push({ ok: true });
    }
    if (releasedGroup) this.announce(name);
    return outcomes;
  }

  /** Whether this process has seen a later delivery of the message than `delivery` (so it is stale). */
  private isSuperseded(delivery: Delivery): boolean {
    const firstSeen = this.firstReceivedAt.get(keyOf(delivery));
    return firstSeen !== undefined && firstSeen > delivery.deliveredAtMs;
  }

  async changeVisibility(name: string, entries: Array<{ receiptHandle: string; visibilityTimeoutSec: number }>): Promise<EntryOutcome[]> {
    checkBatch("changeVisibility", entries);
    const state = await this.get(name);
    const outcomes: EntryOutcome[] = [];
    let released = false;
    for (const change of entries) {
      const delivery = this.deliveryOf(state, change.receiptHandle);
      if (!delivery) {
        outcomes.push(invalidHandle(change.receiptHandle));
        continue;
      }
      const problem = visibilityTimeoutProblem(change.visibilityTimeoutSec);
      if (problem) {
        outcomes.push(failure(ENTRY_ERROR.invalidParameterValue, problem));
        continue;
      }
      const key = keyOf(delivery);
      const latest = this.inFlight.get(key);
      const now = Date.now();
      if (!latest || latest.delivery.deliveryCount !== delivery.deliveryCount) {
        const visibleAgain = latest === undefined && this.firstReceivedAt.has(key) && !this.isSuperseded(delivery);
        outcomes.push(
          visibleAgain
            ? failure(ENTRY_ERROR.messageNotInflight, "the message is not in flight: its visibility timeout has ended")
            : failure(ENTRY_ERROR.receiptHandleIsInvalid, "the receipt handle has expired: the message was deleted or received again"),
        );
        continue;
      }
      if (latest.visibleUntil <= now) {
        outcomes.push(failure(ENTRY_ERROR.messageNotInflight, "the message is not in flight: its visibility timeout has ended"));
        continue;
      }
      const visibleAt = now + change.visibilityTimeoutSec * 1000;
      if (visibleAt > delivery.deliveredAtMs + MAX_VISIBILITY_AFTER_RECEIVE_MS) {
        outcomes.push(failure(ENTRY_ERROR.invalidParameterValue, "a message can stay invisible for at most 12 hours after it was received"));
        continue;
      }
      await this.nak(delivery, change.visibilityTimeoutSec * 1000);
      if (change.visibilityTimeoutSec === 0) {
        this.inFlight.delete(key);
        released = true;
      } else {
        latest.visibleUntil = visibleAt;
      }
      outcomes.push({ ok: true });
    }
    if (released) this.announce(name);
    return outcomes;
  }

  private deliveryOf(state: QueueState, handle: string): Delivery | undefined {
    const delivery = parseReceiptHandle(handle);
    return delivery && delivery.jsName === state.jsName && delivery.replySubject.includes(`.${READY_CONSUMER}.`) ? delivery : undefined;
  }

  private forgetDelivery(delivery: Delivery): void {
    const key = keyOf(delivery);
    this.inFlight.delete(key);
    this.firstReceivedAt.delete(key);
    this.unhanded.delete(key);
  }

  // ---- the rest ----

  async purge(name: string): Promise<void> {
    const state = await this.get(name);
    await this.jsm.streams.purge(state.jsName);
    this.forgetLocal(state);
  }

  async counts(name: string): Promise<QueueCounts> {
    const state = await this.get(name);
    const [ready, delayed] = await Promise.all([
      this.jsm.consumers.info(state.jsName, READY_CONSUMER),
      this.jsm.consumers.info(state.jsName, DELAYED_CONSUMER),
    ]);
    const now = Date.now();
    // Pending acks are this process's receives (in flight, or released and due back), FIFO messages held
    // back here, and other processes' receives, which count as in flight: the server cannot tell them apart.
    let mineInFlight = 0;
    let mineVisible = this.backlog.get(state.jsName)?.length ?? 0;
    for (const [key, entry] of this.inFlight) {
      if (!key.startsWith(`${state.jsName}:`)) continue;
      if (entry.visibleUntil > now) mineInFlight++;
      else mineVisible++;
    }
    for (const key of this.firstReceivedAt.keys()) if (key.startsWith(`${state.jsName}:`) && !this.inFlight.has(key)) mineVisible++;
    const others = Math.max(0, ready.num_ack_pending - mineInFlight - mineVisible);
    const inFlight = Math.min(ready.num_ack_pending, mineInFlight + others);
    return {
      visible: ready.num_pending + ready.num_ack_pending - inFlight,
      inFlight,
      delayed: delayed.num_pending + delayed.num_ack_pending,
    };
  }

  async redrive(deadLetterQueue: string, destination?: string): Promise<{ moved: number }> {
    const source = await this.get(deadLetterQueue);
    const target = destination === undefined ? undefined : await this.get(destination);
    if (target) checkRedriveDestinationOf(source, target);
    let moved = 0;
    const skipped = new Set<number>();
    for (;;) {
      const pulled = (await this.pull(source.jsName, READY_CONSUMER, 100)).filter((p) => !skipped.has(p.delivery.streamSequence));
      if (pulled.length === 0) break;
      for (const { delivery, envelope } of pulled) {
        const to = target ?? (envelope.deadLetterSource === undefined ? undefined : await this.find(envelope.deadLetterSource));
        if (!to || to.name === source.name || to.description.attributes.fifo !== source.description.attributes.fifo) {
          // its source is gone: it stays, visible again after the ack wait
          skipped.add(delivery.streamSequence);
          continue;
        }
        const back: Envelope = { ...envelope };
        delete back.deadLetterSource;
        await this.js.publish(to.readySubject, encodeEnvelope(back), { msgID: `redrive-${envelope.id}-${delivery.streamSequence}` });
        await this.ack(delivery);
        this.forgetDelivery(delivery);
        this.announce(to.name);
        moved++;
      }
    }
    return { moved };
  }

  // ---- JetStream plumbing ----

  /** One pull request with no_wait: whatever is available now, up to `batch`. */
  private pull(jsName: string, durable: string, batch: number): Promise<Pulled[]> {
    return new Promise((resolve, reject) => {
      const pulled: Pulled[] = [];
      const inbox = createInbox();
      let timer: NodeJS.Timeout | undefined;
      const done = (error?: Error) => {
        clearTimeout(timer);
        subscription.unsubscribe();
        if (error) reject(error);
        else resolve(pulled);
      };
      const subscription = this.nc.subscribe(inbox, {
        callback: (error, msg: Msg) => {
          if (error) return done(error);
          const status = msg.headers?.code ?? 0;
          if (status === 404 && /stream not found|consumer not found/i.test(msg.headers?.description ?? "")) {
            return done(new NotFoundError(`queue stream ${jsName} does not exist`, "queue_not_found"));
          }
          if (status >= 400 || (status !== 0 && msg.data.length === 0)) return done();
          const delivery = msg.reply ? parseDelivery(msg.reply) : undefined;
          if (delivery) pulled.push({ delivery, envelope: decodeEnvelope(msg.data) });
          if (pulled.length >= batch) done();
        },
      });
      timer = setTimeout(() => done(), PULL_TIMEOUT_MS);
      this.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${jsName}.${durable}`, JSON.stringify({ batch, no_wait: true }), { reply: inbox });
    });
  }

  private async ack(delivery: Delivery): Promise<void> {
    // a request, so the ack is processed (and the message gone) when it resolves
    await this.nc.request(delivery.replySubject, "+ACK", { timeout: PULL_TIMEOUT_MS });
  }

  /** Makes the message deliverable again after `delayMs` (0: now). */
  private async nak(delivery: Delivery, delayMs: number): Promise<void> {
    const payload = delayMs > 0 ? `-NAK ${JSON.stringify({ delay: Math.round(delayMs) * NANOS_PER_MS })}` : "-NAK";
    this.nc.publish(delivery.replySubject, payload);
    await this.nc.flush();
  }

  private announce(name: string): void {
    this.arrivals.emit(name);
    this.nc.publish(`${this.prefix}-queue-arrived.${name}`);
  }

  private subscribe(name: string, wake: () => void): () => void {
    this.arrivals.on(name, wake);
    if (!this.subscriptions.has(name)) {
      this.subscriptions.set(name, this.nc.subscribe(`${this.prefix}-queue-arrived.${name}`, { callback: () => void this.arrivals.emit(name) }));
    }
    return () => {
      this.arrivals.off(name, wake);
      if (this.arrivals.listenerCount(name) === 0) {
        this.subscriptions.get(name)?.unsubscribe();
        this.subscriptions.delete(name);
      }
    };
  }

  /** Drops every queue and bucket under this prefix (tests and `destroy`). */
  async destroyAll(): Promise<void> {
    for (const name of await this.listQueues()) await this.deleteQueue(name).catch(() => undefined);
    await this.catalog.destroy().catch(() => undefined);
    await this.deduplication.destroy().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.arrivals.removeAllListeners();
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}

function catalogKey(name: string): string {
  return Buffer.from(name, "utf8").toString("base64url");
}

function keyOf(delivery: Delivery): string {
  return `${delivery.jsName}:${delivery.streamSequence}`;
}

function sendResult(messageId: string, checksums: { md5OfBody: string; md5OfMessageAttributes: string | undefined }, sequenceNumber?: string): SendMessageResult {
  const sent: SendMessageResult = { messageId, md5OfBody: checksums.md5OfBody };
  if (checksums.md5OfMessageAttributes !== undefined) sent.md5OfMessageAttributes = checksums.md5OfMessageAttributes;
  if (sequenceNumber !== undefined) sent.sequenceNumber = sequenceNumber;
  return sent;
}

function checkRedriveDestinationOf(source: QueueState, target: QueueState): void {
  const from = source.description;
  const to = target.description;
  if (to.name === from.name) throw new ValidationError(`redrive needs a destination other than ${from.name} itself`, "invalid_parameter_value");
  if (to.attributes.fifo !== from.attributes.fifo) {
    throw new ValidationError(`cannot redrive from ${from.name} to ${to.name}: both must be FIFO or both standard`, "invalid_parameter_value");
  }
}

function invalidHandle(handle: string): EntryOutcome {
  return failure(ENTRY_ERROR.receiptHandleIsInvalid, `${JSON.stringify(String(handle).slice(0, 40))} is not a receipt handle of this queue`);
}

function failure(errorCode: string, errorMessage: string): EntryOutcome {
  return { ok: false, ...entryFailure(errorCode, errorMessage) };
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === 10059;
}
