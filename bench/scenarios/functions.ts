// Scenario: functions. Records already in the stream, through an event source mapping, to the committed
// checkpoint: once into a no-op Lambda handler in worker threads (Lambda's Kinesis event: base64 data,
// built in the worker) and once into a no-op built-in (the in-process fast path, records decoded from
// JSON). Next to the raw limit: plain better-sqlite3 inserts of the same records in 1,000-row transactions.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { deployFunctions, FunctionRuntime, type BuiltinRegistration, type FunctionConfigInput } from "../../src/functions/index.js";
import { generateEvents } from "../../src/simulator/index.js";
import { SqliteStream } from "../../src/stream/index.js";
import { ratePerSec } from "../lib/measure.js";
import type { Figure } from "../lib/report.js";

const STREAM = "bench";
/** one shard per core: the main thread reads and packs, the workers build events */
const SHARDS = 2;
const BATCH_SIZE = 10_000;
const RAW_TRANSACTION_ROWS = 1000;
const PUT_RECORDS_MAX = 500;

interface BenchRecord {
  partitionKey: string;
  data: Buffer;
}

function benchRecords(count: number): BenchRecord[] {
  return generateEvents({ seed: 11 }, count).map((event) => ({ partitionKey: event.event_id, data: Buffer.from(JSON.stringify(event)) }));
}

function rawInsertLimit(records: BenchRecord[], dir: string): number {
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE log (seq INTEGER PRIMARY KEY, pk TEXT NOT NULL, data BLOB NOT NULL, ts INTEGER NOT NULL)");
  const insert = db.prepare("INSERT INTO log (pk, data, ts) VALUES (?, ?, ?)");
  const insertAll = db.transaction((rows: BenchRecord[]) => {
    const now = Date.now();
    for (const row of rows) insert.run(row.partitionKey, row.data, now);
  });
  const start = performance.now();
  for (let i = 0; i < records.length; i += RAW_TRANSACTION_ROWS) insertAll(records.slice(i, i + RAW_TRANSACTION_ROWS));
  const elapsedMs = performance.now() - start;
  db.close();
  return ratePerSec(records.length, elapsedMs);
}

/** The last sequence number of every shard: the mapping is done when its checkpoints reach them. */
async function fillStream(stream: SqliteStream, records: BenchRecord[]): Promise<Map<string, string>> {
  await stream.createStream(STREAM, { shardCount: SHARDS });
  const tips = new Map<string, string>();
  for (let i = 0; i < records.length; i += PUT_RECORDS_MAX) {
    for (const result of await stream.putRecords(STREAM, records.slice(i, i + PUT_RECORDS_MAX))) {
      if ("errorCode" in result) throw new Error(`functions bench: put refused: ${result.errorMessage}`);
      tips.set(result.shardId, result.sequenceNumber);
    }
  }
  return tips;
}

/** Records per second from start() until every shard's checkpoint is at its tip. */
async function drainRate(
  stream: SqliteStream,
  tips: Map<string, string>,
  count: number,
  deploy: { functionName: string; config: FunctionConfigInput; builtins?: Record<string, BuiltinRegistration>; baseDir: string },
): Promise<number> {
  const runtime = await deployFunctions({ stream, functionsConfig: { [deploy.functionName]: deploy.config }, baseDir: deploy.baseDir, builtins: deploy.builtins ?? {} });
  const consumer = FunctionRuntime.consumerName(deploy.functionName);
  const start = performance.now();
  try {
    await runtime.start();
    for (;;) {
      const positions = await Promise.all([...tips.keys()].map((shardId) => stream.getCheckpoint(consumer, STREAM, shardId)));
      if (positions.every((position, i) => position === [...tips.values()][i])) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return ratePerSec(count, performance.now() - start);
  } finally {
    await runtime.stop();
  }
}

export async function benchFunctions(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const count = options.quick ? 100_000 : 500_000;
  const records = benchRecords(count);
  const limit = rawInsertLimit(records, options.dir);
  const stream = new SqliteStream({ path: join(options.dir, "stream.db") });
  try {
    const tips = await fillStream(stream, records);
    writeFileSync(join(options.dir, "noop.mjs"), "export const handler = async () => {};\n");
    const lambdaRate = await drainRate(stream, tips, count, {
      functionName: "noop",
      config: { handler: "./noop.mjs", stream: STREAM, batchSize: BATCH_SIZE },
      baseDir: options.dir,
    });
    const builtinRate = await drainRate(stream, tips, count, {
      functionName: "builtin-noop",
      config: { batchSize: BATCH_SIZE },
      builtins: { "builtin-noop": { fn: { name: "builtin-noop", handleBatch: async () => {} }, defaultStream: STREAM } },
      baseDir: options.dir,
    });
    const raw = { name: "SQLite inserts, 1000-row transactions", value: limit };
    return [
      {
        scenario: "functions",
        metric: `stream → no-op Lambda handler in worker threads → checkpoint (${SHARDS} shards, batch ${BATCH_SIZE}, cold start included)`,
        value: lambdaRate,
        unit: "records/s",
        limit: raw,
        target: "≥ 150000",
      },
      {
        scenario: "functions",
        metric: `stream → no-op built-in, in process → checkpoint (${SHARDS} shards, batch ${BATCH_SIZE})`,
        value: builtinRate,
        unit: "records/s",
        limit: raw,
      },
    ];
  } finally {
    await stream.close();
  }
}
