// The embedded queue backend: SQS semantics on one SQLite database in WAL mode. Every call is one
// transaction (BEGIN IMMEDIATE, so processes sharing the file queue up instead of failing on upgrade):
// a send is durable when it resolves, and a receive selects visible messages and stamps them at once.
import { EventEmitter } from "node:events";
import Database from "better-sqlite3";
import { ConflictError, UnavailableError } from "../../errors/index.js";
import { componentId, countSentMessages, countWriteOutcomes } from "../../monitor/index.js";
import { WalCheckpointer } from "../../sqlite/index.js";
import { longPoll } from "../long-poll.js";
import { messageBytes } from "../message-validation.js";
import { applyAttributes, checkDeadLetterTarget, defaultAttributes, differingAttributes, validateQueueName } from "../queue-attributes.js";
import { checkBatch, checkBatchBytes, resolveReceiveOptions } from "../request-validation.js";
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
  SendOutcome,
} from "../types.js";
import { checkRedriveDestination, redriveMessages } from "./dead-letter.js";
import { DeduplicationWindow } from "./deduplication.js";
import { FifoGroups } from "./fifo-groups.js";
import { MessageTable } from "./message-table.js";
import { QueueCatalog } from "./queue-catalog.js";
import type { QueueTables } from "./queue-tables.js";
import { changeVisibilityByReceipts, deleteByReceipts, type VisibilityChange } from "./receipts.js";
import { receiveMessages } from "./receive.js";
import { expireMessages } from "./retention.js";
import { createSchema } from "./schema.js";
import { sendMessages } from "./send.js";

export interface SqliteQueueOptions {
  /** database file; ":memory:" for a throwaway queue */
  path: string;
  /** SQLite synchronous setting: NORMAL survives process death, FULL also survives power loss */
  synchronous?: "NORMAL" | "FULL";
  /** ms since the epoch; tests move it forward to watch retention and deduplication windows pass */
  clock?: () => number;
  /** how often a long poll looks for messages that another process sent, in ms */
  pollIntervalMs?: number;
}

/** How many dead-lettered messages one redrive transaction moves, so a large redrive never holds the lock long. */
const REDRIVE_CHUNK = 1000;

export class SqliteQueue implements Queue {
  readonly backend = "sqlite";
  private readonly db: Database.Database;
  private readonly catalog: QueueCatalog;
  private readonly messages: MessageTable;
  private readonly groups: FifoGroups;
  private readonly deduplication: DeduplicationWindow;
  private readonly tables: QueueTables;
  /** emits a queue's name when messages may have become receivable there, to end long polls early */
  private readonly arrivals = new EventEmitter();
  private readonly closing = new AbortController();
  /** WAL checkpoints in a worker thread once the queues are busy (src/sqlite/wal-checkpointer.ts) */
  private readonly checkpointer: WalCheckpointer;
  private readonly now: () => number;
  private readonly pollIntervalMs: number;

  constructor(options: SqliteQueueOptions) {
    this.now = options.clock ?? Date.now;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.db = new Database(options.path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
    this.db.pragma("busy_timeout = 5000");
    this.checkpointer = new WalCheckpointer(this.db);
    createSchema(this.db);
    this.catalog = new QueueCatalog(this.db);
    this.messages = new MessageTable(this.db);
    this.groups = new FifoGroups(this.db);
    this.deduplication = new DeduplicationWindow(this.db);
    this.tables = {
      catalog: this.catalog,
      messages: this.messages,
      groups: this.groups,
      deduplication: this.deduplication,
      announce: (queueName) => this.announce(queueName),
    };
    this.arrivals.setMaxListeners(0);
  }

  private announce(queueName: string): void {
    this.arrivals.emit(queueName);
  }

  /** Runs `work` in one BEGIN IMMEDIATE transaction. */
  private write<T>(work: () => T): T {
    const result = this.db.transaction(work).immediate();
    this.checkpointer.committed();
    return result;
  }

  async createQueue(name: string, attributes: Partial<QueueAttributes> = {}): Promise<QueueDescription> {
    return this.create(name, attributes, "compare");
  }

  async ensureQueue(name: string, attributes: Partial<QueueAttributes> = {}): Promise<QueueDescription> {
    return this.create(name, attributes, "keep");
  }

  /** Creates a queue, or finds it in the same transaction: another process may create it at the same time. */
  private create(name: string, attributes: Partial<QueueAttributes>, existing: "compare" | "keep"): QueueDescription {
    validateQueueName(name);
    const requested = applyAttributes(name, defaultAttributes(name), attributes, "create");
    return this.write(() => {
      const found = this.catalog.find(name);
      if (found && existing === "compare") {
        const differing = differingAttributes(found.description.attributes, requested, attributes);
        if (differing.length > 0) {
          throw new ConflictError(`queue ${name} already exists with a different ${differing.join(", ")}`, "queue_name_exists");
        }
      }
      if (found) return found.description;
      checkDeadLetterTarget(name, requested, this.deadLetterAttributes(requested));
      return this.catalog.insert(name, requested, this.now()).description;
    });
  }

  async describeQueue(name: string): Promise<QueueDescription> {
    return this.catalog.get(name).description;
  }

  async setAttributes(name: string, changes: QueueAttributeChanges): Promise<QueueDescription> {
    const state = this.catalog.get(name);
    const next = applyAttributes(name, state.description.attributes, changes, "update");
    checkDeadLetterTarget(name, next, this.deadLetterAttributes(next));
    this.write(() => this.catalog.update(state, next));
    return state.description;
  }

  private deadLetterAttributes(attributes: QueueAttributes): QueueAttributes | undefined {
    const target = attributes.redrivePolicy?.deadLetterQueue;
    return target === undefined ? undefined : this.catalog.find(target)?.description.attributes;
  }

  async listQueues(prefix = ""): Promise<string[]> {
    return this.catalog.names().filter((name) => name.startsWith(prefix));
  }

  async deleteQueue(name: string): Promise<void> {
    const state = this.catalog.get(name);
    this.write(() => {
      this.messages.purge(state.id);
      this.groups.clear(state.id);
      this.deduplication.forget(state.id);
      this.catalog.remove(state);
    });
    // long polls on it look again, and fail with queue_not_found as SQS's do
    this.announce(name);
  }

  async send(name: string, messages: SendMessageInput[]): Promise<SendOutcome[]> {
    checkBatch("send", messages);
    const state = this.catalog.get(name);
    checkBatchBytes(messages.reduce((bytes, message) => bytes + messageBytes(message), 0));
    const outcomes = this.write(() => sendMessages(this.tables, state, messages, this.now()));
    countWriteOutcomes(componentId.queue(name), outcomes);
    if (outcomes.some((outcome) => "messageId" in outcome)) this.announce(name);
    return outcomes;
  }

  async receive(name: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    // As every other operation on a closed queue, and not the empty answer a long poll ends with when the
    // queue closes under it: a poller that asked again at once would loop without end.
    if (this.closing.signal.aborted) throw new UnavailableError("the queue is closed");
    const resolved = resolveReceiveOptions(options, this.catalog.get(name).description.attributes);
    return countSentMessages(componentId.queue(name), longPoll({
      // the queue is looked up on each attempt: it may be deleted, or its attributes changed, mid-poll
      attempt: () => this.write(() => receiveMessages(this.tables, this.catalog.get(name), resolved, this.now())),
      waitMs: resolved.waitMs,
      signal: options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal,
      subscribe: (wake) => {
        this.arrivals.on(name, wake);
        return () => this.arrivals.off(name, wake);
      },
      msUntilNextDue: () => this.msUntilNextDue(name),
      pollIntervalMs: this.pollIntervalMs,
    }));
  }

  /** When the next delayed or in-flight message of the queue becomes receivable, so a long poll wakes then. */
  private msUntilNextDue(name: string): number | undefined {
    const state = this.catalog.find(name);
    if (!state || !this.db.open) return undefined;
    const now = this.now();
    const due = state.description.attributes.fifo ? this.groups.nextReadyAt(state.id, now) : this.messages.nextVisibleAt(state.id, now);
    return due === undefined ? undefined : due - now;
  }

  async delete(name: string, receiptHandles: string[]): Promise<EntryOutcome[]> {
    checkBatch("delete", receiptHandles);
    const state = this.catalog.get(name);
    return this.write(() => deleteByReceipts(this.tables, state, receiptHandles, this.now()));
  }

  async changeVisibility(name: string, entries: VisibilityChange[]): Promise<EntryOutcome[]> {
    checkBatch("changeVisibility", entries);
    const state = this.catalog.get(name);
    return this.write(() => changeVisibilityByReceipts(this.tables, state, entries, this.now()));
  }

  async purge(name: string): Promise<void> {
    const state = this.catalog.get(name);
    this.write(() => {
      this.messages.purge(state.id);
      this.groups.clear(state.id);
    });
  }

  async counts(name: string): Promise<QueueCounts> {
    const state = this.catalog.get(name);
    return this.write(() => {
      const now = this.now();
      expireMessages(this.tables, state, now);
      return this.messages.counts(state.id, now);
    });
  }

  async redrive(deadLetterQueue: string, destination?: string): Promise<{ moved: number }> {
    const source = this.catalog.get(deadLetterQueue);
    const target = destination === undefined ? undefined : this.catalog.get(destination);
    if (target) checkRedriveDestination(source, target);
    const candidates = this.messages.redrivable(source.id, this.now());
    let moved = 0;
    for (let start = 0; start < candidates.length; start += REDRIVE_CHUNK) {
      const chunk = candidates.slice(start, start + REDRIVE_CHUNK);
      moved += this.write(() => redriveMessages(this.tables, source, chunk, target, this.now()));
    }
    return { moved };
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.arrivals.removeAllListeners();
    if (this.db.open) this.db.close();
    await this.checkpointer.close();
  }
}

