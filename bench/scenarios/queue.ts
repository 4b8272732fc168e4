// Scenario: queue. Replenishment alerts through the SQLite queue the way the truck dispatcher moves them,
// in batches of 10 (SQS's batch size): send, receive, delete. Next to the raw limit: plain better-sqlite3
// inserts of the same messages in 1,000-row transactions, measured in the same run.
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteQueue } from "../../src/queue/index.js";
import { ratePerSec } from "../lib/measure.js";
import type { Figure } from "../lib/report.js";

const BATCH = 10;
const RAW_TRANSACTION_ROWS = 1000;
const FIFO_GROUPS = 50;

function alerts(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      type: "replenishment_needed",
      alert_id: `alert-${i}`,
      store_id: `store-${i % 50}`,
      product_id: `sku-${(i * 7919) % 5000}`,
      on_hand: i % 12,
      reorder_point: 20,
      order_quantity: 48,
      planned_at: "2026-11-21T06:00:00.000Z",
    }),
  );
}

function rawInsertLimit(bodies: string[], dir: string): number {
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT NOT NULL, sent_at INTEGER NOT NULL)");
  const insert = db.prepare("INSERT INTO messages (body, sent_at) VALUES (?, ?)");
  const insertAll = db.transaction((rows: string[]) => {
    const now = Date.now();
    for (const body of rows) insert.run(body, now);
  });
  const start = performance.now();
  for (let i = 0; i < bodies.length; i += RAW_TRANSACTION_ROWS) insertAll(bodies.slice(i, i + RAW_TRANSACTION_ROWS));
  const elapsedMs = performance.now() - start;
  db.close();
  return ratePerSec(bodies.length, elapsedMs);
}

/** Receives and deletes `count` messages in batches of 10; returns the elapsed ms. */
async function drain(queue: SqliteQueue, name: string, count: number): Promise<number> {
  const start = performance.now();
  for (let done = 0; done < count; ) {
    const received = await queue.receive(name, { maxMessages: BATCH });
    if (received.length === 0) throw new Error(`queue bench: ${name} ran dry after ${done} of ${count} messages`);
    await queue.delete(name, received.map((m) => m.receiptHandle));
    done += received.length;
  }
  return performance.now() - start;
}

export async function benchQueue(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const count = options.quick ? 20_000 : 200_000;
  const bodies = alerts(count);
  const batches: Array<Array<{ body: string }>> = [];
  for (let i = 0; i < count; i += BATCH) batches.push(bodies.slice(i, i + BATCH).map((body) => ({ body })));
  const limit = { name: "better-sqlite3 inserts, 1000-row tx", value: rawInsertLimit(bodies, options.dir) };

  const queue = new SqliteQueue({ path: join(options.dir, "queue.db") });
  try {
    await queue.createQueue("cycle");
    const cycleStart = performance.now();
    for (const batch of batches) {
      await queue.send("cycle", batch);
      const received = await queue.receive("cycle", { maxMessages: BATCH });
      await queue.delete("cycle", received.map((m) => m.receiptHandle));
    }
    const cycleMs = performance.now() - cycleStart;

    // The same messages as a backlog: all sent first, then drained, so the indexes hold `count` rows.
    await queue.createQueue("backlog");
    const sendStart = performance.now();
    for (const batch of batches) await queue.send("backlog", batch);
    const sendMs = performance.now() - sendStart;
    const drainMs = await drain(queue, "backlog", count);

    // FIFO: one group per store, so a receive gathers heads of several groups, each then held in flight.
    await queue.createQueue("cycle.fifo");
    const fifoStart = performance.now();
    for (const [index, batch] of batches.entries()) {
      const entries = batch.map((m, i) => ({ ...m, groupId: `store-${(index * BATCH + i) % FIFO_GROUPS}`, deduplicationId: `alert-${index * BATCH + i}` }));
      await queue.send("cycle.fifo", entries);
      const received = await queue.receive("cycle.fifo", { maxMessages: BATCH });
      await queue.delete("cycle.fifo", received.map((m) => m.receiptHandle));
    }
    const fifoMs = performance.now() - fifoStart;

    return [
      {
        scenario: "queue",
        metric: "send → receive → delete, 10/call, durable",
        value: ratePerSec(count, cycleMs),
        unit: "messages/s",
        limit,
        target: "≥ 20,000",
      },
      { scenario: "queue", metric: `send into a backlog of ${count.toLocaleString("en-US")}, 10/call`, value: ratePerSec(count, sendMs), unit: "messages/s", limit },
      { scenario: "queue", metric: "receive + delete from that backlog, 10/call", value: ratePerSec(count, drainMs), unit: "messages/s", limit },
      { scenario: "queue", metric: `FIFO send → receive → delete, 10/call, ${FIFO_GROUPS} groups`, value: ratePerSec(count, fifoMs), unit: "messages/s", limit },
    ];
  } finally {
    await queue.close();
  }
}
