// FIFO message groups: one row per group holding when it may deliver next, i.e. when its head message is
// visible and none of its messages is in flight. Messages of a group are delivered as a prefix from its
// head and the group stays blocked until none is in flight, so in-flight messages are always among the
// first MAX_BATCH_ENTRIES of a group: recomputing a group reads that many rows, never the whole group.
import type Database from "better-sqlite3";
import { MAX_BATCH_ENTRIES } from "../request-validation.js";

export class FifoGroups {
  private readonly join: Database.Statement<[number, string, number]>;
  private readonly headWindow: Database.Statement<[number, string], { visible_at: number; receive_count: number }>;
  private readonly setReadyAt: Database.Statement<[number, string, number]>;
  private readonly drop: Database.Statement<[number, string]>;
  private readonly readyGroups: Database.Statement<[number, number, number], { group_id: string }>;
  private readonly nextReady: Database.Statement<[number, number], { ready_at: number | null }>;
  private readonly clearQueue: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.join = db.prepare("INSERT OR IGNORE INTO fifo_groups (queue_id, group_id, ready_at) VALUES (?, ?, ?)");
    this.headWindow = db.prepare(
      `SELECT visible_at, receive_count FROM messages WHERE queue_id = ? AND group_id = ? ORDER BY sequence LIMIT ${MAX_BATCH_ENTRIES}`,
    );
    this.setReadyAt = db.prepare(
      "INSERT INTO fifo_groups (queue_id, group_id, ready_at) VALUES (?, ?, ?) ON CONFLICT (queue_id, group_id) DO UPDATE SET ready_at = excluded.ready_at",
    );
    this.drop = db.prepare("DELETE FROM fifo_groups WHERE queue_id = ? AND group_id = ?");
    this.readyGroups = db.prepare("SELECT group_id FROM fifo_groups WHERE queue_id = ? AND ready_at <= ? ORDER BY ready_at LIMIT ?");
    this.nextReady = db.prepare("SELECT MIN(ready_at) AS ready_at FROM fifo_groups WHERE queue_id = ? AND ready_at > ?");
    this.clearQueue = db.prepare("DELETE FROM fifo_groups WHERE queue_id = ?");
  }

  /** A message joined a group at its tail: a new group may deliver once that message is visible; an
   * existing group's readiness depends on its head, which this message is not. */
  joined(queueId: number, groupId: string, visibleAt: number): void {
    this.join.run(queueId, groupId, visibleAt);
  }

  /** Recomputes a group after its head changed (receive, delete, visibility change, expiry, move). */
  refresh(queueId: number, groupId: string, nowMs: number): void {
    const window = this.headWindow.all(queueId, groupId);
    const head = window[0];
    if (!head) {
      this.drop.run(queueId, groupId);
      return;
    }
    let readyAt = head.visible_at;
    for (const message of window) {
      const inFlight = message.receive_count > 0 && message.visible_at > nowMs;
      if (inFlight) readyAt = Math.max(readyAt, message.visible_at);
    }
    this.setReadyAt.run(queueId, groupId, readyAt);
  }

  /** The group's head is in flight until `readyAt`. */
  holdUntil(queueId: number, groupId: string, readyAt: number): void {
    this.setReadyAt.run(queueId, groupId, readyAt);
  }

  ready(queueId: number, nowMs: number, limit: number): string[] {
    return this.readyGroups.all(queueId, nowMs, limit).map((r) => r.group_id);
  }

  /** When the next blocked or delayed group may deliver, if any. */
  nextReadyAt(queueId: number, nowMs: number): number | undefined {
    return this.nextReady.get(queueId, nowMs)?.ready_at ?? undefined;
  }

  clear(queueId: number): void {
    this.clearQueue.run(queueId);
  }
}
