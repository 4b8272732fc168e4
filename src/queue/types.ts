// The Queue interface: SQS semantics behind a small contract. Every backend (SQLite tables, later a NATS
// JetStream work-queue stream) implements it and passes the same contract suite (queue.contract.test.ts).

export interface MessageAttributeValue {
  /** "String", "Number" or "Binary", optionally with a custom suffix ("Number.float") */
  dataType: string;
  stringValue?: string;
  binaryValue?: Uint8Array;
}

export interface RedrivePolicy {
  /** name of the dead-letter queue; it must exist and be of the same kind (standard or FIFO) */
  deadLetterQueue: string;
  /** receives after which a message moves to the dead-letter queue instead of being delivered (1–1000) */
  maxReceiveCount: number;
}

export interface QueueAttributes {
  /** FIFO queue: names end in ".fifo"; ordered per message group, deduplicated for 5 minutes.
   * Defaults to whether the name ends in ".fifo"; a value that contradicts the name is rejected. */
  fifo: boolean;
  /** default 30; 0–43200 */
  visibilityTimeoutSec: number;
  /** default 345600 (4 days); 60–1209600 */
  messageRetentionSec: number;
  /** default 0; 0–900 */
  delaySec: number;
  /** default long-poll wait for receive; 0–20 */
  receiveWaitTimeSec: number;
  /** default 262144 (256 KiB); 1024–1048576 (SQS raised the ceiling to 1 MiB in 2025) */
  maximumMessageBytes: number;
  /** FIFO only: the deduplication id defaults to the SHA-256 of the body */
  contentBasedDeduplication: boolean;
  redrivePolicy?: RedrivePolicy;
}

/** What setAttributes takes: any attribute but `fifo` (fixed at creation); `redrivePolicy: null` removes it. */
export type QueueAttributeChanges = Partial<Omit<QueueAttributes, "fifo" | "redrivePolicy">> & {
  redrivePolicy?: RedrivePolicy | null;
};

export interface QueueDescription {
  name: string;
  attributes: QueueAttributes;
  createdAt: number;
}

export interface SendMessageInput {
  body: string;
  /** standard queues only (0–900); FIFO queues delay with the queue's delaySec */
  delaySec?: number;
  attributes?: Record<string, MessageAttributeValue>;
  /** FIFO: required. Standard queues keep it as the MessageGroupId attribute (SQS fair queues). */
  groupId?: string;
  /** FIFO only: required unless contentBasedDeduplication */
  deduplicationId?: string;
}

export interface SendMessageResult {
  /** a UUID; a deduplicated FIFO send returns the id of the message it duplicates */
  messageId: string;
  /** MD5 hex digest of the body, as SQS returns it */
  md5OfBody: string;
  /** MD5 of the attributes in SQS's canonical encoding; absent with no attributes */
  md5OfMessageAttributes?: string;
  /** FIFO: increases within the queue */
  sequenceNumber?: string;
}

export type SendOutcome = SendMessageResult | { errorCode: string; errorMessage: string };

export interface ReceiveOptions {
  /** 1–10, default 1 */
  maxMessages?: number;
  /** long polling: 0–20 s, default the queue's receiveWaitTimeSec */
  waitTimeSec?: number;
  /** overrides the queue's visibility timeout for these messages (0–43200) */
  visibilityTimeoutSec?: number;
  /** ends a long poll early (shutdown): receive then resolves with no messages */
  signal?: AbortSignal;
}

export interface ReceivedMessage {
  messageId: string;
  /** opaque; names this receive only: after a later receive of the same message it no longer deletes
   * it or changes its visibility */
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  /** SQS system attributes */
  attributes: {
    ApproximateReceiveCount: string;
    ApproximateFirstReceiveTimestamp: string;
    SentTimestamp: string;
    MessageGroupId?: string;
    MessageDeduplicationId?: string;
    SequenceNumber?: string;
  };
  /** the queue this message was dead-lettered from (the AWS layer reports it as DeadLetterQueueSourceArn) */
  deadLetterSourceQueue?: string;
}

export type EntryOutcome = { ok: true } | { ok: false; errorCode: string; errorMessage: string };

export interface QueueCounts {
  /** ApproximateNumberOfMessages */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible */
  inFlight: number;
  /** ApproximateNumberOfMessagesDelayed */
  delayed: number;
}

export interface Queue {
  readonly backend: string;
  /** Creates a queue. If it exists, succeeds when every given attribute equals the queue's, and throws
   * ConflictError ("queue_name_exists") otherwise, as SQS does. */
  createQueue(name: string, attributes?: Partial<QueueAttributes>): Promise<QueueDescription>;
  /** creates the queue unless it exists; an existing queue keeps its attributes */
  ensureQueue(name: string, attributes?: Partial<QueueAttributes>): Promise<QueueDescription>;
  describeQueue(name: string): Promise<QueueDescription>;
  setAttributes(name: string, attributes: QueueAttributeChanges): Promise<QueueDescription>;
  listQueues(prefix?: string): Promise<string[]>;
  deleteQueue(name: string): Promise<void>;
  /** Sends 1–10 messages, durable before it resolves; one outcome per input, in order. A failed entry
   * does not fail the rest. */
  send(name: string, messages: SendMessageInput[]): Promise<SendOutcome[]>;
  /** Receives up to maxMessages; with a wait, resolves as soon as any message is available. */
  receive(name: string, options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Deletes 1–10 messages by receipt handle. A handle this queue never issued fails with
   * ReceiptHandleIsInvalid; the handle of a message already deleted, or of an earlier receive,
   * succeeds without deleting anything (SQS: "the request succeeds, but the message might not be deleted"). */
  delete(name: string, receiptHandles: string[]): Promise<EntryOutcome[]>;
  /** Changes the visibility timeout of 1–10 received messages (0 makes them visible again), counted from
   * now, at most 12 hours after the receive. Fails per entry with ReceiptHandleIsInvalid for a handle that
   * is not the message's latest, and MessageNotInflight once the message is visible again. */
  changeVisibility(name: string, entries: Array<{ receiptHandle: string; visibilityTimeoutSec: number }>): Promise<EntryOutcome[]>;
  /** Deletes every message in the queue (FIFO deduplication ids stay remembered). */
  purge(name: string): Promise<void>;
  counts(name: string): Promise<QueueCounts>;
  /** Moves the visible messages of a dead-letter queue to `destination` or, if omitted, each back to the
   * queue it was dead-lettered from (StartMessageMoveTask). Moved messages keep their id, body and
   * attributes, and start over with a receive count of 0. Messages whose source is gone stay put. */
  redrive(deadLetterQueue: string, destination?: string): Promise<{ moved: number }>;
  close(): Promise<void>;
}
