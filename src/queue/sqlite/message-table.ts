// The statements over the messages table, prepared once. Each names the index it walks, so a reader sees
// why receive, delete and expiry stay O(log n) as the queue grows.
import type Database from "better-sqlite3";
import type { QueueCounts } from "../types.js";
import type { MessageRow } from "./message-row.js";
import type { Receipt } from "./receipt-handle.js";

export interface NewMessage {
  queueId: number;
  sequence: number;
  messageId: string;
  body: string;
  md5OfBody: string;
  attributes: string | null;
  md5OfAttributes: string | null;
  groupId: string | null;
  deduplicationId: string | null;
  sentAt: number;
  visibleAt: number;
}

export interface Candidate {
  id: number;
  group_id: string | null;
  receive_count: number;
}

export interface Redrivable {
  id: number;
  group_id: string | null;
  dead_letter_source: string | null;
}

export interface VisibilityState {
  visible_at: number;
  received_at: number | null;
  receipt: string | null;
  group_id: string | null;
}

export class MessageTable {
  private readonly insertStmt: Database.Statement<[NewMessage]>;
  private readonly visibleStmt: Database.Statement<[number, number, number], Candidate>;
  private readonly groupHeadStmt: Database.Statement<[number, string, number, number], MessageRow>;
  private readonly markReceivedStmt: Database.Statement<[{ id: number; visibleAt: number; now: number; nonce: string }], MessageRow>;
  private readonly deleteByReceiptStmt: Database.Statement<[number, number, string], { group_id: string | null }>;
  private readonly visibilityStateStmt: Database.Statement<[number, number], VisibilityState>;
  private readonly setVisibleAtStmt: Database.Statement<[number, number]>;
  private readonly deadLetterStmt: Database.Statement<[{ id: number; queueId: number; sequence: number; now: number; resetAge: number; source: string }]>;
  private readonly redriveStmt: Database.Statement<[{ id: number; deadLetterQueueId: number; queueId: number; sequence: number; now: number }]>;
  private readonly redrivableStmt: Database.Statement<[number, number], Redrivable>;
  private readonly expireStmt: Database.Statement<[number, number], { group_id: string | null }>;
  private readonly countsStmt: Database.Statement<[{ queueId: number; now: number }], QueueCounts>;
  private readonly nextVisibleStmt: Database.Statement<[number, number], { visible_at: number | null }>;
  private readonly purgeStmt: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO messages (queue_id, sequence, message_id, body, md5_of_body, attributes, md5_of_attributes, group_id,
         deduplication_id, sent_at, enqueued_at, visible_at)
       VALUES (@queueId, @sequence, @messageId, @body, @md5OfBody, @attributes, @md5OfAttributes, @groupId,
         @deduplicationId, @sentAt, @sentAt, @visibleAt)`,
    );
    // messages_by_visibility: the visible messages of a queue are one range of it
    this.visibleStmt = db.prepare(
      "SELECT id, group_id, receive_count FROM messages WHERE queue_id = ? AND visible_at <= ? ORDER BY visible_at LIMIT ?",
    );
    // messages_by_group
    this.groupHeadStmt = db.prepare(
      "SELECT * FROM messages WHERE queue_id = ? AND group_id = ? AND sequence > ? ORDER BY sequence LIMIT ?",
    );
    this.markReceivedStmt = db.prepare(
      `UPDATE messages SET visible_at = @visibleAt, receive_count = receive_count + 1,
         first_received_at = COALESCE(first_received_at, @now), received_at = @now, receipt = @nonce
       WHERE id = @id RETURNING *`,
    );
    this.deleteByReceiptStmt = db.prepare("DELETE FROM messages WHERE id = ? AND queue_id = ? AND receipt = ? RETURNING group_id");
    this.visibilityStateStmt = db.prepare("SELECT visible_at, received_at, receipt, group_id FROM messages WHERE id = ? AND queue_id = ?");
    this.setVisibleAtStmt = db.prepare("UPDATE messages SET visible_at = ? WHERE id = ?");
    this.deadLetterStmt = db.prepare(
      `UPDATE messages SET queue_id = @queueId, sequence = @sequence, visible_at = @now,
         enqueued_at = CASE WHEN @resetAge THEN @now ELSE enqueued_at END, receipt = NULL, dead_letter_source = @source
       WHERE id = @id`,
    );
    // only a message still visible in the dead-letter queue moves: a consumer may have received it since
    this.redriveStmt = db.prepare(
      `UPDATE messages SET queue_id = @queueId, sequence = @sequence, visible_at = @now, enqueued_at = @now, receive_count = 0,
         first_received_at = NULL, received_at = NULL, receipt = NULL, dead_letter_source = NULL
       WHERE id = @id AND queue_id = @deadLetterQueueId AND visible_at <= @now`,
    );
    this.redrivableStmt = db.prepare(
      "SELECT id, group_id, dead_letter_source FROM messages WHERE queue_id = ? AND visible_at <= ? ORDER BY sequence",
    );
    // messages_by_age
    this.expireStmt = db.prepare("DELETE FROM messages WHERE queue_id = ? AND enqueued_at <= ? RETURNING group_id");
    // messages_by_visibility covers all three
    this.countsStmt = db.prepare(
      `SELECT COALESCE(SUM(visible_at <= @now), 0) AS visible,
              COALESCE(SUM(visible_at > @now AND receive_count > 0), 0) AS inFlight,
              COALESCE(SUM(visible_at > @now AND receive_count = 0), 0) AS delayed
       FROM messages WHERE queue_id = @queueId`,
    );
    this.nextVisibleStmt = db.prepare("SELECT MIN(visible_at) AS visible_at FROM messages WHERE queue_id = ? AND visible_at > ?");
    this.purgeStmt = db.prepare("DELETE FROM messages WHERE queue_id = ?");
  }

  insert(message: NewMessage): void {
    this.insertStmt.run(message);
  }

  /** Up to `limit` visible messages of a standard queue, longest visible first. */
  visible(queueId: number, nowMs: number, limit: number): Candidate[] {
    return this.visibleStmt.all(queueId, nowMs, limit);
  }

  /** The messages of a FIFO group after `afterSequence`, in order. */
  groupHead(queueId: number, groupId: string, afterSequence: number, limit: number): MessageRow[] {
    return this.groupHeadStmt.all(queueId, groupId, afterSequence, limit);
  }

  /** Stamps one receive: in flight until `visibleAt`, one more receive, this receive's nonce. */
  markReceived(id: number, visibleAt: number, nowMs: number, nonce: string): MessageRow {
    const row = this.markReceivedStmt.get({ id, visibleAt, now: nowMs, nonce });
    if (!row) throw new Error(`message row ${id} vanished inside its receive transaction`);
    return row;
  }

  /** Deletes the message a receipt names if it is still that message's latest receive. */
  deleteByReceipt(receipt: Receipt): { group_id: string | null } | undefined {
    return this.deleteByReceiptStmt.get(receipt.rowId, receipt.queueId, receipt.nonce);
  }

  visibilityState(queueId: number, rowId: number): VisibilityState | undefined {
    return this.visibilityStateStmt.get(rowId, queueId);
  }

  setVisibleAt(rowId: number, visibleAt: number): void {
    this.setVisibleAtStmt.run(visibleAt, rowId);
  }

  /** Moves a message into a dead-letter queue, visible at once; `resetAge` restarts its retention clock. */
  moveToDeadLetter(rowId: number, target: { queueId: number; sequence: number }, nowMs: number, resetAge: boolean, source: string): void {
    this.deadLetterStmt.run({ id: rowId, queueId: target.queueId, sequence: target.sequence, now: nowMs, resetAge: resetAge ? 1 : 0, source });
  }

  /** Moves a visible dead-lettered message to `target` as if newly sent; false if it is no longer there. */
  moveFromDeadLetter(rowId: number, deadLetterQueueId: number, target: { queueId: number; sequence: number }, nowMs: number): boolean {
    return this.redriveStmt.run({ id: rowId, deadLetterQueueId, queueId: target.queueId, sequence: target.sequence, now: nowMs }).changes > 0;
  }

  redrivable(queueId: number, nowMs: number): Redrivable[] {
    return this.redrivableStmt.all(queueId, nowMs);
  }

  /** Deletes the messages enqueued at or before `cutoffMs`; returns their groups. */
  expire(queueId: number, cutoffMs: number): Array<string | null> {
    return this.expireStmt.all(queueId, cutoffMs).map((r) => r.group_id);
  }

  counts(queueId: number, nowMs: number): QueueCounts {
    return this.countsStmt.get({ queueId, now: nowMs })!;
  }

  nextVisibleAt(queueId: number, nowMs: number): number | undefined {
    return this.nextVisibleStmt.get(queueId, nowMs)?.visible_at ?? undefined;
  }

  purge(queueId: number): void {
    this.purgeStmt.run(queueId);
  }
}
