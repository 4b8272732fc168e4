// FIFO deduplication: a deduplication id seen in the last five minutes maps to the message it first
// sent, whether or not that message is still in the queue (SQS keeps the window through deletes and purges).
import type Database from "better-sqlite3";

export const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

export interface FirstSend {
  message_id: string;
  sequence: number;
}

export class DeduplicationWindow {
  private readonly expireStmt: Database.Statement<[number, number]>;
  private readonly findStmt: Database.Statement<[number, string, number], FirstSend>;
  private readonly rememberStmt: Database.Statement<[number, string, string, number, number]>;
  private readonly forgetStmt: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.expireStmt = db.prepare("DELETE FROM fifo_deduplication WHERE queue_id = ? AND expires_at <= ?");
    this.findStmt = db.prepare(
      "SELECT message_id, sequence FROM fifo_deduplication WHERE queue_id = ? AND deduplication_id = ? AND expires_at > ?",
    );
    this.rememberStmt = db.prepare(
      "INSERT OR REPLACE INTO fifo_deduplication (queue_id, deduplication_id, message_id, sequence, expires_at) VALUES (?, ?, ?, ?, ?)",
    );
    this.forgetStmt = db.prepare("DELETE FROM fifo_deduplication WHERE queue_id = ?");
  }

  expire(queueId: number, nowMs: number): void {
    this.expireStmt.run(queueId, nowMs);
  }

  find(queueId: number, deduplicationId: string, nowMs: number): FirstSend | undefined {
    return this.findStmt.get(queueId, deduplicationId, nowMs);
  }

  remember(queueId: number, deduplicationId: string, first: FirstSend, nowMs: number): void {
    this.rememberStmt.run(queueId, deduplicationId, first.message_id, first.sequence, nowMs + DEDUPLICATION_WINDOW_MS);
  }

  /** Drops a deleted queue's window. */
  forget(queueId: number): void {
    this.forgetStmt.run(queueId);
  }
}
