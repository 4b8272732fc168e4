// The scale-out stream backend: one JetStream stream per shopstream stream, one subject per shard, and
// each put's records of one shard packed into one message (one message per record is far too slow from
// Node). A record's sequence number encodes its message's JetStream sequence and its index in the message,
// so every Kinesis iterator type maps onto a JetStream lookup. Checkpoints live in a KV bucket.
import { createHash, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { DiscardPolicy, JetStreamApiError, jetstream, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { DirectMsgRequest, JetStreamClient, JetStreamManager, StoredMsg, StreamConfig } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { ConflictError, NotFoundError, ValidationError } from "../../errors/index.js";
import { componentId, countSent, countWriteOutcomes, timeOperation } from "../../monitor/index.js";
import { evenShards, ShardRouter } from "../routing.js";
import { formatSequenceNumber, parseSequenceCounter, shardIdOf, shardIndexOf } from "../sequence.js";
import type {
  CreateStreamOptions,
  PutRecordInput,
  PutRecordResult,
  PutRecordsOptions,
  ReadResult,
  StartingPosition,
  Stream,
  StreamDescription,
  StreamRecord,
} from "../types.js";
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES, frameRecordCount, framedBytes } from "./frame.js";
import {
  allShardsSubjectOf,
  appendedSubjectOf,
  bucketNameOf,
  checkSubjectPrefix,
  jetStreamNameOf,
  keyToken,
  NANOS_PER_MS,
  shardSubjectOf,
} from "./naming.js";
import { checkNewStream, checkPutRecordCount, checkRetentionHours, putRecordProblem } from "../limits.js";

export interface JetStreamStreamOptions {
  /** NATS servers, e.g. "127.0.0.1:4222" */
  servers: string | string[];
  /** first subject tokens of every shard subject; also names the JetStream streams and KV bucket */
  subjectPrefix?: string;
  /** JetStream replicas of each stream and of the checkpoint bucket (1, 3 or 5 in a cluster) */
  replicas?: number;
  /** largest record data accepted, in bytes; also bounded by the server's max_payload */
  maxRecordBytes?: number;
  /** how long JetStream remembers a Nats-Msg-Id, so a repeated publish is dropped (default 2 minutes) */
  duplicateWindowMs?: number;
  /** "file" (default) or "memory" storage */
  storage?: "file" | "memory";
}

/** A record's counter is message sequence × this + its index in the message (a message holds ≤ 500). */
const RECORDS_PER_MESSAGE_SLOT = 1000;
/** room left in a message for headers and the protocol line */
const MESSAGE_OVERHEAD_BYTES = 1024;
const DESCRIPTION_MARKER = "shopstream-stream";

interface StreamState {
  jsName: string;
  description: StreamDescription;
  router: ShardRouter;
}

interface StoredDescription {
  kind: typeof DESCRIPTION_MARKER;
  name: string;
  shardCount: number;
  createdAt: number;
}

interface Message {
  seq: number;
  timeMs: number;
  frame: Uint8Array;
}

export class JetStreamStream implements Stream {
  readonly backend = "jetstream";
  private readonly streams = new Map<string, StreamState>();
  private readonly appended = new EventEmitter();
  private readonly appendSubscriptions = new Map<string, Subscription>();
  /** the message a read peeked at past its limit, which the next read of the shard starts with */
  private readonly peeked = new Map<string, Message>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly checkpoints: KV,
    private readonly prefix: string,
    private readonly replicas: number,
    private readonly maxRecordBytes: number,
    private readonly duplicateWindowMs: number,
    private readonly storage: StorageType,
  ) {
    this.appended.setMaxListeners(0);
  }

  static async open(options: JetStreamStreamOptions): Promise<JetStreamStream> {
    const prefix = checkSubjectPrefix(options.subjectPrefix ?? "shopstream");
    const replicas = options.replicas ?? 1;
    // Reconnect for as long as it takes (the default gives up after 10 tries): a NATS restart or failover
    // must not end a long-running process.
    const nc = await connect({ servers: options.servers, name: "shopstream-stream", maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    try {
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      const checkpoints = await new Kvm(js).create(bucketNameOf(prefix, "checkpoints"), { replicas, history: 1 });
      const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
      const maxRecordBytes = Math.min(options.maxRecordBytes ?? 1024 * 1024, maxPayload - MESSAGE_OVERHEAD_BYTES - 300);
      const storage = options.storage === "memory" ? StorageType.Memory : StorageType.File;
      return new JetStreamStream(nc, js, jsm, checkpoints, prefix, replicas, maxRecordBytes, options.duplicateWindowMs ?? 120_000, storage);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  private get maxFrameBytes(): number {
    return (this.nc.info?.max_payload ?? 1024 * 1024) - MESSAGE_OVERHEAD_BYTES;
  }

  // ---- streams ----

  private async state(name: string): Promise<StreamState> {
    const known = this.streams.get(name);
    if (known) return known;
    const found = await this.load(name);
    if (!found) throw new NotFoundError(`stream ${JSON.stringify(name)} does not exist`, "stream_not_found");
    return found;
  }

  /** Reads a stream's layout from JetStream: another process may have created it. */
  private async load(name: string): Promise<StreamState | undefined> {
    const jsName = jetStreamNameOf(this.prefix, name);
    try {
      const info = await this.jsm.streams.info(jsName);
      return this.remember(jsName, info.config);
    } catch (error) {
      if (isStreamNotFound(error)) return undefined;
      throw error;
    }
  }

  private remember(jsName: string, config: StreamConfig): StreamState | undefined {
    const stored = parseDescription(config.description);
    if (!stored) return undefined;
    const description: StreamDescription = {
      name: stored.name,
      shards: evenShards(stored.shardCount),
      retentionHours: Math.round(config.max_age / NANOS_PER_MS / 3_600_000),
      createdAt: stored.createdAt,
    };
    const state: StreamState = { jsName, description, router: new ShardRouter(description.shards) };
    this.streams.set(stored.name, state);
    return state;
  }

  async createStream(name: string, options: CreateStreamOptions): Promise<StreamDescription> {
    checkNewStream(name, options.shardCount);
    const retentionHours = options.retentionHours ?? 24;
    checkRetentionHours(retentionHours);
    if (await this.load(name)) throw new ConflictError(`stream ${JSON.stringify(name)} already exists`, "stream_exists");
    const jsName = jetStreamNameOf(this.prefix, name);
    const stored: StoredDescription = { kind: DESCRIPTION_MARKER, name, shardCount: options.shardCount, createdAt: Date.now() };
    try {
      const info = await this.jsm.streams.add({
        name: jsName,
        description: JSON.stringify(stored),
        subjects: [allShardsSubjectOf(this.prefix, name)],
        retention: RetentionPolicy.Limits,
        storage: this.storage,
        num_replicas: this.replicas,
        max_age: retentionHours * 3_600_000 * NANOS_PER_MS,
        duplicate_window: this.duplicateWindowMs * NANOS_PER_MS,
        discard: DiscardPolicy.Old,
        allow_direct: true,
      });
      return this.remember(jsName, info.config)!.description;
    } catch (error) {
      // another process created it between the lookup and the add
      if (error instanceof JetStreamApiError && error.code === 10058) {
        throw new ConflictError(`stream ${JSON.stringify(name)} already exists`, "stream_exists");
      }
      throw error;
    }
  }

  async ensureStream(name: string, options: CreateStreamOptions): Promise<StreamDescription> {
    const existing = this.streams.get(name) ?? (await this.load(name));
    if (existing) return existing.description;
    try {
      return await this.createStream(name, options);
    } catch (error) {
      if (error instanceof ConflictError) return (await this.state(name)).description;
      throw error;
    }
  }

  async describeStream(name: string): Promise<StreamDescription> {
    return (await this.state(name)).description;
  }

  async listStreams(): Promise<string[]> {
    const names: string[] = [];
    for await (const info of this.jsm.streams.list(`${this.prefix}.>`)) {
      const state = this.remember(info.config.name, info.config);
      if (state && info.config.name === jetStreamNameOf(this.prefix, state.description.name)) names.push(state.description.name);
    }
    return names.sort();
  }

  async deleteStream(name: string): Promise<void> {
    const state = await this.state(name);
    try {
      await this.jsm.streams.delete(state.jsName);
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
    }
    this.streams.delete(name);
    this.forgetPeeked(name);
    const keys: string[] = [];
    for await (const key of await this.checkpoints.keys(`*.${keyToken(name)}.*`)) keys.push(key);
    for (const key of keys) await this.checkpoints.purge(key);
  }

  async setRetentionHours(name: string, hours: number): Promise<void> {
    const state = await this.state(name);
    checkRetentionHours(hours);
    const info = await this.jsm.streams.info(state.jsName);
    await this.jsm.streams.update(state.jsName, { ...info.config, max_age: hours * 3_600_000 * NANOS_PER_MS });
    state.description = { ...state.description, retentionHours: hours };
  }

  // ---- appends ----

  async putRecords(name: string, records: PutRecordInput[], options?: PutRecordsOptions): Promise<PutRecordResult[]> {
    checkPutRecordCount(records);
    const state = await this.state(name);
    const endOperation = timeOperation(componentId.stream(name), "append");
    const results: PutRecordResult[] = new Array(records.length);
    const byShard = new Map<number, number[]>();
    for (const [i, record] of records.entries()) {
      const problem = this.checkRecord(record);
      if (problem) {
        results[i] = { errorCode: "ValidationException", errorMessage: problem };
        continue;
      }
      try {
        const index = state.router.shardIndexFor(record.partitionKey, record.explicitHashKey);
        let positions = byShard.get(index);
        if (!positions) byShard.set(index, (positions = []));
        positions.push(i);
      } catch (error) {
        results[i] = { errorCode: "ValidationException", errorMessage: (error as Error).message };
      }
    }
    const publishes: Array<Promise<void>> = [];
    for (const [shardIndex, positions] of byShard) {
      for (const [chunkIndex, chunk] of this.chunks(records, positions).entries()) {
        const msgID = messageIdOf(options, shardIndex, chunkIndex);
        publishes.push(this.publishChunk(state, shardIndex, chunk, records, msgID, results, options?.checkpoint !== undefined));
      }
    }
    await Promise.all(publishes);
    if (options?.checkpoint) {
      const { consumer, stream, shardId, sequenceNumber } = options.checkpoint;
      await this.setCheckpoint(consumer, stream, shardId, sequenceNumber);
    }
    endOperation();
    this.announce(name);
    countWriteOutcomes(componentId.stream(name), results);
    return results;
  }

  /** Splits a shard's records into messages that fit the server's max_payload. */
  private chunks(records: PutRecordInput[], positions: number[]): number[][] {
    const chunks: number[][] = [];
    let current: number[] = [];
    let bytes = FRAME_HEADER_BYTES;
    for (const position of positions) {
      const size = framedBytes(records[position]!);
      if (current.length > 0 && bytes + size > this.maxFrameBytes) {
        chunks.push(current);
        current = [];
        bytes = FRAME_HEADER_BYTES;
      }
      current.push(position);
      bytes += size;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  private async publishChunk(
    state: StreamState,
    shardIndex: number,
    positions: number[],
    records: PutRecordInput[],
    msgID: string,
    results: PutRecordResult[],
    mustSucceed: boolean,
  ): Promise<void> {
    const shardId = shardIdOf(shardIndex);
    try {
      const subject = shardSubjectOf(this.prefix, state.description.name, shardIndex);
      // one retry with the same Nats-Msg-Id: if the first attempt was stored, JetStream drops the second
      const ack = await this.js.publish(subject, encodeFrame(positions.map((p) => records[p]!)), { msgID, retries: 2 });
      for (const [index, position] of positions.entries()) {
        results[position] = { shardId, sequenceNumber: formatSequenceNumber(shardIndex, ack.seq * RECORDS_PER_MESSAGE_SLOT + index) };
      }
    } catch (error) {
      if (mustSucceed) throw error;
      for (const position of positions) {
        results[position] = { errorCode: "InternalFailure", errorMessage: `JetStream publish failed: ${(error as Error).message}` };
      }
    }
  }

  private checkRecord(record: PutRecordInput): string | undefined {
    return putRecordProblem(record, this.maxRecordBytes);
  }

  // ---- reads ----

  async read(name: string, shardId: string, position: StartingPosition, limit: number): Promise<ReadResult> {
    const state = await this.state(name);
    const shardIndex = this.shardIndex(state, shardId);
    const subject = shardSubjectOf(this.prefix, name, shardIndex);
    const after = await this.counterBefore(state, shardIndex, position);
    const max = Math.max(1, Math.min(limit, 10_000));
    const records: StreamRecord[] = [];
    const afterSeq = Math.floor(after / RECORDS_PER_MESSAGE_SLOT);
    let fromSeq = Math.max(1, afterSeq);
    let lastCounter = after;
    let lastArrivalMs: number | undefined;
    let moreInMessage = false;
    let caughtUp = false;
    while (records.length < max) {
      const message = await this.nextMessage(state, subject, fromSeq);
      if (!message) {
        caughtUp = true;
        break;
      }
      const framed = decodeFrame(message.frame);
      let index = message.seq === afterSeq ? (after % RECORDS_PER_MESSAGE_SLOT) + 1 : 0;
      for (; index < framed.length && records.length < max; index++) {
        const counter = message.seq * RECORDS_PER_MESSAGE_SLOT + index;
        records.push({
          shardId,
          sequenceNumber: formatSequenceNumber(shardIndex, counter),
          partitionKey: framed[index]!.partitionKey,
          data: framed[index]!.data,
          approximateArrivalTimestamp: message.timeMs,
        });
        lastCounter = counter;
        lastArrivalMs = message.timeMs;
      }
      moreInMessage = index < framed.length;
      if (moreInMessage) this.peeked.set(subject, message);
      fromSeq = message.seq + 1;
    }
    if (!caughtUp && !moreInMessage) {
      // the limit ended at a message boundary: look whether anything follows (the next read starts there)
      const next = await this.nextMessage(state, subject, fromSeq);
      if (next) this.peeked.set(subject, next);
      else caughtUp = true;
    }
    countSent(componentId.stream(name), records.length);
    const millisBehindLatest = caughtUp ? 0 : Math.max(0, Date.now() - (lastArrivalMs ?? Date.now()));
    return { records, next: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: formatSequenceNumber(shardIndex, lastCounter) }, millisBehindLatest };
  }

  /** The first message of the subject at or after `fromSeq`, or undefined at the tip. */
  private async nextMessage(state: StreamState, subject: string, fromSeq: number): Promise<Message | undefined> {
    const peeked = this.peeked.get(subject);
    if (peeked) {
      this.peeked.delete(subject);
      if (peeked.seq === fromSeq) return peeked;
    }
    const stored = await this.getMessage(state, { seq: fromSeq, next_by_subj: subject });
    return stored ? { seq: stored.seq, timeMs: stored.time.getTime(), frame: stored.data } : undefined;
  }

  /** Direct get (allow_direct): answered by any replica, without the JetStream API's leader round trip. */
  private async getMessage(state: StreamState, query: DirectMsgRequest): Promise<StoredMsg | null> {
    try {
      return await this.jsm.direct.getMessage(state.jsName, query);
    } catch (error) {
      if (isStreamNotFound(error)) {
        this.streams.delete(state.description.name);
        throw new NotFoundError(`stream ${JSON.stringify(state.description.name)} does not exist`, "stream_not_found");
      }
      throw error;
    }
  }

  /** The counter a read starts after. */
  private async counterBefore(state: StreamState, shardIndex: number, position: StartingPosition): Promise<number> {
    switch (position.type) {
      case "TRIM_HORIZON":
        return 0;
      case "LATEST":
        return this.lastCounter(state, shardIndex);
      case "AT_SEQUENCE_NUMBER":
        return this.counterOf(shardIndex, position.sequenceNumber) - 1;
      case "AFTER_SEQUENCE_NUMBER":
        return this.counterOf(shardIndex, position.sequenceNumber);
      case "AT_TIMESTAMP":
        return (await this.firstSeqAtOrAfter(state, shardSubjectOf(this.prefix, state.description.name, shardIndex), position.timestampMs)) * RECORDS_PER_MESSAGE_SLOT - 1;
    }
  }

  /** The counter of the shard's newest record, or 0 for an empty shard. */
  private async lastCounter(state: StreamState, shardIndex: number): Promise<number> {
    const last = await this.getMessage(state, { last_by_subj: shardSubjectOf(this.prefix, state.description.name, shardIndex) });
    return last ? last.seq * RECORDS_PER_MESSAGE_SLOT + frameRecordCount(last.data) - 1 : 0;
  }

  private counterOf(shardIndex: number, sequenceNumber: string): number {
    const counter = parseSequenceCounter(sequenceNumber);
    if (counter === undefined || Number(sequenceNumber.slice(2, 12)) !== shardIndex) {
      throw new ValidationError(
        `sequence number ${JSON.stringify(sequenceNumber)} does not belong to ${shardIdOf(shardIndex)}`,
        "invalid_sequence_number",
      );
    }
    return counter;
  }

  private shardIndex(state: StreamState, shardId: string): number {
    const index = shardIndexOf(shardId);
    if (index === undefined || index >= state.description.shards.length) {
      throw new NotFoundError(`shard ${JSON.stringify(shardId)} does not exist in stream ${state.description.name}`, "shard_not_found");
    }
    return index;
  }

  /**
   * The JetStream sequence of the first message on `subject` stored at or after `timestampMs` (one past the
   * stream's last when none is). JetStream stamps messages in sequence order, so a binary search finds it.
   */
  private async firstSeqAtOrAfter(state: StreamState, subject: string, timestampMs: number): Promise<number> {
    const info = await this.jsm.streams.info(state.jsName);
    let lo = Math.max(1, info.state.first_seq);
    let hi = info.state.last_seq + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const message = await this.getMessage(state, { seq: mid, next_by_subj: subject });
      // nothing on the subject in [mid, message.seq), so a read from mid starts at the message
      if (!message || message.seq >= hi || message.time.getTime() >= timestampMs) hi = mid;
      else lo = message.seq + 1;
    }
    return lo;
  }

  async countAfter(name: string, shardId: string, afterSequenceNumber: string | undefined): Promise<number> {
    const state = await this.state(name);
    const shardIndex = this.shardIndex(state, shardId);
    const after = afterSequenceNumber === undefined ? 0 : this.counterOf(shardIndex, afterSequenceNumber);
    const afterSeq = Math.floor(after / RECORDS_PER_MESSAGE_SLOT);
    return this.countRecords(state, shardSubjectOf(this.prefix, name, shardIndex), Math.max(1, afterSeq), Infinity, (seq) =>
      seq === afterSeq ? (after % RECORDS_PER_MESSAGE_SLOT) + 1 : 0,
    );
  }

  /** Records in the subject's messages from `fromSeq` up to (not including) `untilSeq`; reads each message. */
  private async countRecords(state: StreamState, subject: string, fromSeq: number, untilSeq: number, skipped: (seq: number) => number): Promise<number> {
    let count = 0;
    for (let seq = fromSeq; seq < untilSeq; ) {
      const message = await this.getMessage(state, { seq, next_by_subj: subject });
      if (!message || message.seq >= untilSeq) break;
      count += Math.max(0, frameRecordCount(message.data) - skipped(message.seq));
      seq = message.seq + 1;
    }
    return count;
  }

  // ---- checkpoints ----

  private checkpointKey(consumer: string, name: string, shardId: string): string {
    return `${keyToken(consumer)}.${keyToken(name)}.${keyToken(shardId)}`;
  }

  async getCheckpoint(consumer: string, name: string, shardId: string): Promise<string | undefined> {
    const entry = await this.checkpoints.get(this.checkpointKey(consumer, name, shardId));
    return entry && entry.operation === "PUT" && entry.length > 0 ? entry.string() : undefined;
  }

  async setCheckpoint(consumer: string, name: string, shardId: string, sequenceNumber: string): Promise<void> {
    await this.checkpoints.put(this.checkpointKey(consumer, name, shardId), sequenceNumber);
  }

  // ---- notifications, retention, shutdown ----

  private announce(name: string): void {
    this.appended.emit(name);
    // readers in other processes wake on this notice (a tiny core-NATS message, not stored)
    this.nc.publish(appendedSubjectOf(this.prefix, name));
  }

  onAppend(name: string, listener: () => void): () => void {
    this.appended.on(name, listener);
    if (!this.appendSubscriptions.has(name)) {
      // appends by other processes arrive as core-NATS notices (this process's own also wake directly)
      const subscription = this.nc.subscribe(appendedSubjectOf(this.prefix, name), { callback: () => void this.appended.emit(name) });
      this.appendSubscriptions.set(name, subscription);
    }
    return () => {
      this.appended.off(name, listener);
      if (this.appended.listenerCount(name) === 0) {
        this.appendSubscriptions.get(name)?.unsubscribe();
        this.appendSubscriptions.delete(name);
      }
    };
  }

  /**
   * JetStream drops messages past max age by itself; this purges, at `nowMs`, what is older than the
   * retention and not yet dropped (whole messages: a message's records share one arrival time).
   */
  async trimExpired(nowMs = Date.now()): Promise<number> {
    let trimmed = 0;
    for (const name of await this.listStreams()) {
      const state = this.streams.get(name);
      if (!state) continue;
      const subject = allShardsSubjectOf(this.prefix, name);
      const firstKept = await this.firstSeqAtOrAfter(state, subject, nowMs - state.description.retentionHours * 3_600_000);
      const info = await this.jsm.streams.info(state.jsName);
      if (firstKept <= info.state.first_seq) continue;
      trimmed += await this.countRecords(state, subject, info.state.first_seq, firstKept, () => 0);
      await this.jsm.streams.purge(state.jsName, { seq: firstKept });
      this.forgetPeeked(name);
    }
    return trimmed;
  }

  private forgetPeeked(name: string): void {
    for (const subject of this.peeked.keys()) if (subject.startsWith(`${this.prefix}.${name}.`)) this.peeked.delete(subject);
  }

  /** Drops every stream and checkpoint under this prefix (tests and `destroy`). */
  async destroyAll(): Promise<void> {
    for (const name of await this.listStreams()) await this.deleteStream(name);
    await this.jsm.streams.delete(`KV_${bucketNameOf(this.prefix, "checkpoints")}`).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.appended.removeAllListeners();
    for (const subscription of this.appendSubscriptions.values()) subscription.unsubscribe();
    this.appendSubscriptions.clear();
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}

/**
 * The Nats-Msg-Id of one message of a put. With a checkpoint it derives from the input position, so a
 * function that crashes after publishing and before its checkpoint commits republishes the same ids on
 * its retry and JetStream drops them (within the duplicate window). With an idempotency key it derives from
 * that; otherwise it is random, which still makes the client's own publish retries safe.
 */
function messageIdOf(options: PutRecordsOptions | undefined, shardIndex: number, chunkIndex: number): string {
  const checkpoint = options?.checkpoint;
  const basis = checkpoint
    ? ["checkpoint", checkpoint.consumer, checkpoint.stream, checkpoint.shardId, checkpoint.sequenceNumber]
    : options?.idempotencyKey !== undefined
      ? ["key", options.idempotencyKey]
      : undefined;
  if (!basis) return randomUUID();
  return createHash("sha256").update([...basis, String(shardIndex), String(chunkIndex)].join("\u0000")).digest("base64url");
}

function parseDescription(text: string | undefined): StoredDescription | undefined {
  try {
    const parsed = JSON.parse(text ?? "") as Partial<StoredDescription>;
    return parsed.kind === DESCRIPTION_MARKER && typeof parsed.name === "string" ? (parsed as StoredDescription) : undefined;
  } catch {
    return undefined;
  }
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === 10059;
}

