// Scenario: fraud. A seeded, labelled simulator run (fraud cases and honest look-alikes at the default
// rate), curated as enrich writes it, is put on a 2-shard stream; the fraud built-in drains it through
// its event source mapping into a real SQLite serving store, appending its alerts to a stream. Figures:
// precision and recall against the labels, records/s to the committed checkpoint next to a no-op
// built-in on the same records (the raw limit), the function's own rate without the stream, and alert
// events appended per alert (exactly once: 1).
import { join } from "node:path";
import type { CuratedEvent, IngestedEvent } from "../../src/events/index.js";
import { curate, deployFunctions, FunctionRuntime, type BuiltinFunction } from "../../src/functions/index.js";
import { createFraudFunction, evaluateDetection, fraudMigrations, labelledRun, recentFraudAlerts } from "../../src/fraud/index.js";
import { coreMigrations, migrate, SqliteStore } from "../../src/store/index.js";
import { SqliteStream } from "../../src/stream/index.js";
import { ratePerSec } from "../lib/measure.js";
import type { Figure } from "../lib/report.js";

const SEED = 1;
const SOURCE = "curated";
const ALERTS = "fraud-alerts";
const SHARDS = 2;
const BATCH_SIZE = 500;
const PUT_RECORDS_MAX = 500;

/** The last sequence number of every shard: a mapping is done when its checkpoints reach them. */
async function fillStream(stream: SqliteStream, events: readonly CuratedEvent[]): Promise<Map<string, string>> {
  await stream.createStream(SOURCE, { shardCount: SHARDS });
  const tips = new Map<string, string>();
  for (let start = 0; start < events.length; start += PUT_RECORDS_MAX) {
    const records = events.slice(start, start + PUT_RECORDS_MAX).map((event) => ({
      partitionKey: event.customer_id ?? event.event_id,
      data: Buffer.from(JSON.stringify(event)),
    }));
    for (const result of await stream.putRecords(SOURCE, records)) {
      if ("errorCode" in result) throw new Error(`fraud bench: put refused: ${result.errorMessage}`);
      tips.set(result.shardId, result.sequenceNumber);
    }
  }
  return tips;
}

/** Records per second from start() until every shard's checkpoint is at its tip. */
async function drainRate(stream: SqliteStream, tips: ReadonlyMap<string, string>, count: number, fn: BuiltinFunction): Promise<number> {
  const runtime = await deployFunctions({
    stream,
    functionsConfig: { [fn.name]: { batchSize: BATCH_SIZE } },
    baseDir: process.cwd(),
    builtins: { [fn.name]: { fn, defaultStream: SOURCE } },
  });
  const consumer = FunctionRuntime.consumerName(fn.name);
  const start = performance.now();
  try {
    await runtime.start();
    for (;;) {
      const done = await Promise.all([...tips].map(async ([shardId, tip]) => (await stream.getCheckpoint(consumer, SOURCE, shardId)) === tip));
      if (done.every(Boolean)) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return ratePerSec(count, performance.now() - start);
  } finally {
    await runtime.stop();
  }
}

/** Records per second through handleBatch alone, in process: the function's own cost, without the stream. */
async function inProcessRate(dir: string, events: readonly CuratedEvent[]): Promise<number> {
  const store = new SqliteStore({ path: join(dir, "store-in-process.db") });
  try {
    await migrate(store, [...coreMigrations, ...fraudMigrations]);
    const fraud = createFraudFunction({ store });
    const context = { functionName: fraud.name, stream: SOURCE, shardId: "shardId-000000000000", signal: new AbortController().signal };
    const records = events.map((value, index) => ({ sequenceNumber: String(index), partitionKey: value.customer_id ?? value.event_id, approximateArrivalTimestamp: 0, value }));
    const start = performance.now();
    for (let first = 0; first < records.length; first += BATCH_SIZE) await fraud.handleBatch(records.slice(first, first + BATCH_SIZE), context);
    return ratePerSec(records.length, performance.now() - start);
  } finally {
    await store.close();
  }
}

async function countRecords(stream: SqliteStream, name: string): Promise<number> {
  let total = 0;
  for (const shard of (await stream.describeStream(name)).shards) total += await stream.countAfter(name, shard.shardId, undefined);
  return total;
}

export async function benchFraud(options: { quick: boolean; dir: string }): Promise<Figure[]> {
  const count = options.quick ? 100_000 : 300_000;
  const events = labelledRun({ seed: SEED }, count);
  const reference = { stores: new Map(), products: new Map() };
  const ingestedAt = new Date().toISOString();
  const curated = events.map((event) => curate({ ...event, ingested_at: ingestedAt } as IngestedEvent, reference));

  const stream = new SqliteStream({ path: join(options.dir, "stream.db") });
  const store = new SqliteStore({ path: join(options.dir, "store.db") });
  try {
    await migrate(store, [...coreMigrations, ...fraudMigrations]);
    await stream.createStream(ALERTS, { shardCount: 1 });
    const tips = await fillStream(stream, curated);
    const noopRate = await drainRate(stream, tips, curated.length, { name: "noop", handleBatch: async () => {} });
    const fraudRate = await drainRate(stream, tips, curated.length, createFraudFunction({ store, stream, output: ALERTS }));
    const functionRate = await inProcessRate(options.dir, curated);
    const assessed = curated.filter((event) => ["order_placed", "payment_authorized", "payment_failed"].includes(event.type)).length;

    const alerts = await recentFraudAlerts(store, { limit: 1_000 });
    const quality = evaluateDetection(events, alerts);
    const appended = await countRecords(stream, ALERTS);
    const run = `seed ${SEED}, ${curated.length} events, ${quality.fraudCases} fraud cases, ${quality.honestOrders} honest orders`;
    return [
      { scenario: "fraud", metric: `precision: detected cases / (detected cases + honest orders flagged) (${run})`, value: quality.precision, unit: "", target: "≥ 0.9" },
      { scenario: "fraud", metric: `recall: detected fraud cases / fraud cases (${run})`, value: quality.recall, unit: "", target: "≥ 0.9" },
      {
        scenario: "fraud",
        metric: `stream → fraud built-in → serving store + alerts → checkpoint (${SHARDS} shards, batch ${BATCH_SIZE})`,
        value: fraudRate,
        unit: "records/s",
        limit: { name: "no-op built-in, same records", value: noopRate },
      },
      {
        scenario: "fraud",
        metric: `fraud function alone: decoded records into handleBatch, in process (${assessed} of them orders and payments)`,
        value: functionRate,
        unit: "records/s",
      },
      {
        scenario: "fraud",
        metric: "…of which orders and payments assessed (state, rules, evidence, alerts)",
        value: (functionRate * assessed) / curated.length,
        unit: "events/s",
      },
      {
        scenario: "fraud",
        metric: `fraud_alert events appended per alert raised (${alerts.length} alerts; exactly once: 1)`,
        value: alerts.length === 0 ? Number.NaN : appended / alerts.length,
        unit: "",
      },
    ];
  } finally {
    await store.close();
    await stream.close();
  }
}
