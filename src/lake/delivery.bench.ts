// Lake delivery throughput, end to end: curated events in a SQLite stream → validated, converted and
// published Parquet with checkpoints, against DuckDB's own read_ndjson → Parquet on the same records.
// Usage: node --import tsx src/lake/delivery.bench.ts [events=200000] [shards=2]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { SqliteStream } from "../stream/index.js";
import { LakeDelivery, LocalObjectStore } from "./index.js";
import { appendRecords, eventMix } from "./test-events.js";

const eventCount = Number(process.argv[2] ?? 200_000);
const shardCount = Number(process.argv[3] ?? 2);
const dir = mkdtempSync(join(tmpdir(), "shopstream-lake-bench-"));
try {
  // A busy shop: the events span about an hour of event time.
  const events = eventMix(eventCount, Date.parse("2026-01-05T08:00:00.000Z"), Math.max(1, Math.floor(3_600_000 / eventCount)));
  const ndjson = `${events.map((event) => JSON.stringify(event)).join("\n")}\n`;
  const ndjsonPath = join(dir, "events.ndjson");
  writeFileSync(ndjsonPath, ndjson);

  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  let referenceMs = Infinity;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    await connection.run(`COPY (SELECT * FROM read_ndjson('${ndjsonPath}')) TO '${join(dir, "reference.parquet")}' (FORMAT parquet, COMPRESSION zstd)`);
    referenceMs = Math.min(referenceMs, performance.now() - started);
  }
  connection.closeSync();
  instance.closeSync();

  const stream = new SqliteStream({ path: join(dir, "stream.db") });
  await stream.createStream("curated", { shardCount });
  await appendRecords(stream, "curated", events);
  const delivery = new LakeDelivery({ stream, store: new LocalObjectStore(join(dir, "lake")), stagingDir: join(dir, "staging") });
  const started = performance.now();
  await delivery.start();
  await delivery.flush();
  const deliveryMs = performance.now() - started;
  const delivered = (await delivery.progress()).reduce((sum, shard) => sum + shard.recordsDelivered, 0);
  await delivery.stop();
  await stream.close();

  const rate = (records: number, ms: number) => Math.round((records / ms) * 1000);
  const mib = Buffer.byteLength(ndjson) / 1024 / 1024;
  console.log(`${eventCount} curated events, ${mib.toFixed(1)} MiB of NDJSON, ${shardCount} shards`);
  console.log(`DuckDB read_ndjson → Parquet (one file): ${rate(eventCount, referenceMs)} records/s`);
  console.log(`lake delivery (stream → 7 tables, Hive partitions, checkpoints): ${rate(delivered, deliveryMs)} records/s`);
  console.log(`ratio: ${((referenceMs / deliveryMs) * 100).toFixed(0)}%`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
