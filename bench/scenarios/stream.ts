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

/** The same records again and again: a million appends without a million objects on the heap. */
function* rounds<T>(batches: T[], times: number): Generator<T> {
  for (let i = 0; i < times; i++) yield* batches;
}

function rawInserts(batches: PutRecordInput[][], times: number, dir: string): number {
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE log (seq INTEGER PRIMARY KEY, pk TEXT NOT NULL, data BLOB NOT NULL, ts INTEGER NOT NULL)");
  const insert = db.prepare("INSERT INTO log (pk, data, ts) VALUES (?, ?, ?)");
  const append = db.transaction((rows: PutRecordInput[]) => {
    const now = Date.now();
    for (const row of rows) insert.run(row.partitionKey, row.data, now);
  });
  let rows = 0;
  const start = performance.now();
  for (const batch of rounds(batches, times)) {
    append(batch);
    rows += batch.length;
  }
  const elapsed = performance.now() - start;
  db.close();
  return ratePerSec(rows, elapsed);
}

export async function benchStream(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const input = records(200_000);
  const times = options.quick ? 1 : 5;
  const count = input.length * times;
  const slices = (size: number) => Array.from({ length: Math.ceil(input.length / size) }, (_, i) => input.slice(i * size, (i + 1) * size));
  const limit = rawInserts(slices(1000), times, options.dir);
  const stream = new SqliteStream({ path: join(options.dir, "stream.db") });
  await stream.createStream("bench", { shardCount: 4 });
  const start = performance.now();
  for (const batch of rounds(slices(500), times)) await stream.putRecords("bench", batch);
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
