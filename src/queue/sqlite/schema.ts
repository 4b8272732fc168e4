// The SQLite queue's tables. All queues share one messages table; its indexes make each hot statement a
// short range scan: receive (queue, visible_at), retention (queue, enqueued_at), FIFO group heads
// (queue, group, sequence). FIFO groups keep a row saying when the group may next deliver, so a FIFO
// receive finds deliverable groups without scanning the messages of blocked ones.
import type Database from "better-sqlite3";

export function createSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS queues (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      attributes TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      -- the last sequence number handed out in this queue; reserved inside each write transaction, so
      -- several processes sharing the file never hand out the same one
      last_sequence INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS messages (
      id INTEGER PRIMARY KEY,
      queue_id INTEGER NOT NULL,
      sequence INTEGER NOT NULL,
      message_id TEXT NOT NULL,
      body TEXT NOT NULL,
      md5_of_body TEXT NOT NULL,
      attributes TEXT,
      md5_of_attributes TEXT,
      group_id TEXT,
      deduplication_id TEXT,
      sent_at INTEGER NOT NULL,
      -- what retention counts from: the send, or the move into a FIFO dead-letter queue (SQS resets it
      -- there, and keeps it for standard ones)
      enqueued_at INTEGER NOT NULL,
      -- receivable from this time on: after a delay, or when an in-flight message's timeout ends
      visible_at INTEGER NOT NULL,
      receive_count INTEGER NOT NULL DEFAULT 0,
      first_received_at INTEGER,
      received_at INTEGER,
      -- the nonce of the latest receive; only a receipt handle that carries it deletes the message
      receipt TEXT,
      dead_letter_source TEXT
    );
    -- receive_count rides along so counts() (in flight vs delayed) reads the index alone
    CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages (queue_id, visible_at, receive_count);
    CREATE INDEX IF NOT EXISTS messages_by_age ON messages (queue_id, enqueued_at);
    CREATE INDEX IF NOT EXISTS messages_by_group ON messages (queue_id, group_id, sequence) WHERE group_id IS NOT NULL;
    CREATE TABLE IF NOT EXISTS fifo_groups (
      queue_id INTEGER NOT NULL,
      group_id TEXT NOT NULL,
      -- when the group may deliver next: its head message is visible and none of its messages is in flight
      ready_at INTEGER NOT NULL,
      PRIMARY KEY (queue_id, group_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS fifo_groups_by_ready ON fifo_groups (queue_id, ready_at);
    CREATE TABLE IF NOT EXISTS fifo_deduplication (
      queue_id INTEGER NOT NULL,
      deduplication_id TEXT NOT NULL,
      message_id TEXT NOT NULL,
      sequence INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (queue_id, deduplication_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS fifo_deduplication_by_expiry ON fifo_deduplication (queue_id, expires_at);
  `);
}
