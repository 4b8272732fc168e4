// Scenario: stream append. Kinesis-style putRecords (MD5 routing to 4 shards, 500 records a call) next to
// the raw limit: plain better-sqlite3 inserts of the same records in 1,000-row transactions, same run.
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteStream, type PutRecordInput } from "../../src/stream/index.js";
import { generateEvents } from "../../src/simulator/index.js";
import { ratePerSec } from "../lib/measure.js";
import type { Figure } from "../lib/report.js";

function records(count: number): PutRecordInput[] {
  return generateEvents({ seed: 3 }, count).map((event) => ({
    partitionKey: String((event.payload as { customer_id?: string }).customer_id ?? event.event_id),
    data: Buffer.from(JSON.stringify(event)),
  }));
}

function rawInserts(input: PutRecordInput[], dir: string): number {
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE log (seq INTEGER PRIMARY KEY, pk TEXT NOT NULL, data BLOB NOT NULL, ts INTEGER NOT NULL)");
  const insert = db.prepare("INSERT INTO log (pk, data, ts) VALUES (?, ?, ?)");
  const append = db.transaction((rows: PutRecordInput[]) => {
    const now = Date.now();
    for (const row of rows) insert.run(row.partitionKey, row.data, now);
  });
  const start = performance.now();
  for (let i = 0; i < input.length; i += 1000) append(input.slice(i, i + 1000));
  const elapsed = performance.now() - start;
  db.close();
  return ratePerSec(input.length, elapsed);
}

export async function benchStream(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const count = options.quick ? 100_000 : 1_000_000;
  const input = records(count);
  const limit = rawInserts(input, options.dir);
  const stream = new SqliteStream({ path: join(options.dir, "stream.db") });
  await stream.createStream("bench", { shardCount: 4 });
  const batches: PutRecordInput[][] = [];
  for (let i = 0; i < input.length; i += 500) batches.push(input.slice(i, i + 500));
  const start = performance.now();
  for (const batch of batches) await stream.putRecords("bench", batch);
  const appendRate = ratePerSec(count, performance.now() - start);

  const readStart = performance.now();
  let read = 0;
  for (const shard of (await stream.describeStream("bench")).shards) {
    let position: Parameters<SqliteStream["read"]>[2] = { type: "TRIM_HORIZON" };
    for (;;) {
      const result = await stream.read("bench", shard.shardId, position, 10_000);
      if (result.records.length === 0) break;
      read += result.records.length;
      position = result.next;
    }
  }
  const readRate = ratePerSec(read, performance.now() - readStart);
  await stream.close();
  return [
    { scenario: "stream", metric: "putRecords append (4 shards, 500/call, durable)", value: appendRate, unit: "records/s", limit: { name: "better-sqlite3 inserts, 1000-row tx", value: limit }, target: "≥ 250,000" },
    { scenario: "stream", metric: "read (TRIM_HORIZON → tip, 10k/read)", value: readRate, unit: "records/s", limit: { name: "better-sqlite3 inserts, 1000-row tx", value: limit } },
  ];
}
