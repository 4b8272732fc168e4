// Throughput of the customers function on seeded simulator traffic: called directly with decoded batches
// (the function's own cost: SQL and bookkeeping), and end to end under the function runtime reading a
// four-shard SQLite stream (plus reads, JSON decoding and checkpoints).
// Each figure is given per second of wall time and per second of this process's CPU time: on a machine
// shared with other work the second is the steadier measure of the function's own cost.
// Usage: node --import tsx src/customers/customers.bench.ts [events=200000] [batchSize=500]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { partitionKeyOf, type ShopEvent } from "../events/index.js";
import { deployFunctions } from "../functions/index.js";
import { SqliteStream } from "../stream/index.js";
import { createCustomersFunction } from "./customers-function.js";
import { feedInBatches, openMigratedStore, simulatedCuratedEvents } from "./test-support.js";

const eventCount = Number(process.argv[2] ?? 200_000);
const batchSize = Number(process.argv[3] ?? 500);
const dir = mkdtempSync(join(tmpdir(), "shopstream-customers-bench-"));
const rate = (records: number, ms: number) => Math.round((records / ms) * 1000);

/** Runs `work` and prints its rate over `records` by wall time and by CPU time. */
async function measure(label: string, records: number, work: () => Promise<void>): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`${label}: ${rate(records, wallMs)} events/s (wall), ${rate(records, cpuMs)} events/CPU-s`);
}

try {
  const events = simulatedCuratedEvents(1, eventCount);
  const used = events.filter((event) => event.type !== "inventory_snapshot");
  const shopHours = (Date.parse(events.at(-1)?.occurred_at ?? "") - Date.parse(events[0]?.occurred_at ?? "")) / 3_600_000;
  console.log(`${eventCount} curated events (${used.length} of the types the function uses, over ${shopHours.toFixed(1)} shop hours), batches of ${batchSize}`);

  const direct = await openMigratedStore(join(dir, "direct.db"));
  await measure("direct, the types it uses", used.length, () => feedInBatches(createCustomersFunction({ store: direct }), used, batchSize));
  await measure("direct replay (every event a duplicate)", used.length, () => feedInBatches(createCustomersFunction({ store: direct }), used, batchSize));
  await direct.close();

  const stream = new SqliteStream({ path: join(dir, "stream.db") });
  await stream.createStream("curated", { shardCount: 4 });
  for (let i = 0; i < events.length; i += 500) {
    const records = events.slice(i, i + 500).map((event) => ({ partitionKey: partitionKeyOf(event as unknown as ShopEvent), data: Buffer.from(JSON.stringify(event)) }));
    await stream.putRecords("curated", records);
  }
  const store = await openMigratedStore(join(dir, "runtime.db"));
  const runtime = await deployFunctions({
    stream,
    functionsConfig: { customers: { batchSize } },
    baseDir: dir,
    builtins: { customers: { fn: createCustomersFunction({ store }), defaultStream: "curated" } },
  });
  await measure("runtime, 4 shards, every type", events.length, async () => {
    await runtime.start();
    while ((await runtime.lag())["function:customers"] !== 0) await new Promise((resolve) => setTimeout(resolve, 10));
  });
  await runtime.stop();
  await store.close();
  await stream.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
