// The Stream interface: Kinesis Data Streams semantics behind a small contract. Every backend (SQLite log,
// later NATS JetStream) implements it and passes the same contract suite (stream.contract.test.ts).

export interface StreamDescription {
  name: string;
  /** "shardId-000000000000", … in hash-key order */
  shards: ShardDescription[];
  retentionHours: number;
  createdAt: number;
}

export interface ShardDescription {
  shardId: string;
  /** inclusive hash-key range, 128-bit unsigned integers as decimal strings */
  startingHashKey: string;
  endingHashKey: string;
}

export interface PutRecordInput {
  partitionKey: string;
  data: Uint8Array;
  /** a decimal 128-bit hash key that overrides the MD5 of the partition key */
  explicitHashKey?: string;
}

export type PutRecordResult =
  | { shardId: string; sequenceNumber: string }
  | { errorCode: string; errorMessage: string };

export interface StreamRecord {
  shardId: string;
  /** decimal string; increases within a shard (compare with compareSequenceNumbers) */
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  /** ms since the epoch, stamped when the append was made durable */
  approximateArrivalTimestamp: number;
}

export type StartingPosition =
  | { type: "TRIM_HORIZON" }
  | { type: "LATEST" }
  | { type: "AT_SEQUENCE_NUMBER"; sequenceNumber: string }
  | { type: "AFTER_SEQUENCE_NUMBER"; sequenceNumber: string }
  | { type: "AT_TIMESTAMP"; timestampMs: number };

export interface ReadResult {
  records: StreamRecord[];
  /** where the next read goes on: AFTER the last returned record, or the same position if none */
  next: StartingPosition;
  /** how far the newest record of this read is behind the shard's tip, in ms; 0 at the tip */
  millisBehindLatest: number;
}

/** What readBlock returns: the records of a ReadResult as parallel arrays, record k at index k. */
export interface RecordBlock {
  count: number;
  /** every record's data, back to back: record k is data[dataEnds[k - 1] ?? 0, dataEnds[k]) */
  data: Buffer;
  dataEnds: Uint32Array;
  /** the partition keys in UTF-8, back to back, delimited the same way */
  partitionKeys: Buffer;
  partitionKeyEnds: Uint32Array;
  /** ms since the epoch (approximateArrivalTimestamp) */
  arrivalTimestamps: Float64Array;
  /** per record a number that increases with its sequence number in the shard; sequenceNumberOf() formats it */
  sequenceCounters: Float64Array;
  sequenceNumberOf(counter: number): string;
  next: StartingPosition;
  millisBehindLatest: number;
}

export interface PutRecordsOptions {
  /** A consumer checkpoint committed atomically with the append: a function that reads one stream and
   * writes another makes its output and its progress durable together, so a replay never duplicates. */
  checkpoint?: { consumer: string; stream: string; shardId: string; sequenceNumber: string };
  /** Names this put (e.g. an ingest request id): a backend that deduplicates (JetStream's Nats-Msg-Id)
   * stores a repeated put with the same key and records once, within its deduplication window. */
  idempotencyKey?: string;
}

export interface CreateStreamOptions {
  shardCount: number;
  retentionHours?: number;
}

export interface Stream {
  readonly backend: string;
  createStream(name: string, options: CreateStreamOptions): Promise<StreamDescription>;
  /** creates the stream unless it exists; an existing stream keeps its shards */
  ensureStream(name: string, options: CreateStreamOptions): Promise<StreamDescription>;
  describeStream(name: string): Promise<StreamDescription>;
  listStreams(): Promise<string[]>;
  deleteStream(name: string): Promise<void>;
  setRetentionHours(name: string, hours: number): Promise<void>;
  /** Appends up to 500 records, durable before it resolves. One result per input, in order. */
  putRecords(name: string, records: PutRecordInput[], options?: PutRecordsOptions): Promise<PutRecordResult[]>;
  /** Reads up to `limit` records of one shard, in sequence order. */
  read(name: string, shardId: string, position: StartingPosition, limit: number): Promise<ReadResult>;
  /**
   * Optional: read() in bulk, the records back to back in one buffer with no object per record, for a
   * consumer that only copies bytes (the lake delivery). The same records as read() with the same
   * `limit`: fewer only at the shard's tip. Backends without it are read record by record.
   */
  readBlock?(name: string, shardId: string, position: StartingPosition, limit: number): Promise<RecordBlock>;
  /** Number of records after `afterSequenceNumber` (or all retained, if undefined) in a shard. */
  countAfter(name: string, shardId: string, afterSequenceNumber: string | undefined): Promise<number>;
  /** Consumer checkpoints: the last sequence number a consumer has fully processed in a shard. */
  getCheckpoint(consumer: string, name: string, shardId: string): Promise<string | undefined>;
  setCheckpoint(consumer: string, name: string, shardId: string, sequenceNumber: string): Promise<void>;
  /** Wakes `listener` after appends to `name`, in this process; returns the unsubscribe function. */
  onAppend(name: string, listener: () => void): () => void;
  /** Drops records older than each stream's retention; returns how many. */
  trimExpired(nowMs?: number): Promise<number>;
  close(): Promise<void>;
}
