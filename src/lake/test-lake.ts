// A lake for tests: a SQLite stream and a local object store in a temp dir, delivery streams that stop
// before the dir is removed, and SQL over the lake read the way analytics reads it (scanTableFiles).
// Not part of the public surface.
import { join } from "node:path";
import type { TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DuckDBDateValue, DuckDBDecimalValue, DuckDBInstance, DuckDBTimestampTZValue, type DuckDBValue } from "@duckdb/node-api";
import { SqliteStream } from "../stream/index.js";
import { makeTempDir, removeDir } from "../test-support/temp-dir.js";
import { DEFAULT_DELIVERY_STREAMS, DEFAULT_TABLES_CONFIG, type DeliveryStreamConfig, type TablesConfig } from "./config.js";
import { LakeDelivery } from "./delivery.js";
import { LocalObjectStore } from "./local/local-object-store.js";
import type { ObjectStore } from "./object-store.js";
import { quoteIdentifier } from "./sql-text.js";
import { scanTableFiles } from "./table-sql.js";
import { LAKE_TABLES } from "./tables.js";

export interface TestLake {
  dir: string;
  lakeDir: string;
  stream: SqliteStream;
  store: LocalObjectStore;
  /** A delivery stream over this lake (the shipped `curated` one, or `raw` by name), stopped when the test ends. */
  delivery(options?: { name?: string; config?: Partial<DeliveryStreamConfig>; tables?: TablesConfig; store?: ObjectStore }): LakeDelivery;
  /** Stops every delivery stream this lake made, without a flush: a test hook for ordering. */
  stopAll(): Promise<void>;
}

/** The shipped `curated` delivery stream with the interval hint off: tests decide when to flush. */
export function curatedConfig(overrides: Partial<DeliveryStreamConfig> = {}): DeliveryStreamConfig {
  return { ...DEFAULT_DELIVERY_STREAMS["curated"]!, bufferIntervalMs: 600_000, ...overrides };
}

/** The shipped `raw` delivery stream (NDJSON of the events stream), with the interval hint off. */
export function rawConfig(overrides: Partial<DeliveryStreamConfig> = {}): DeliveryStreamConfig {
  return { ...DEFAULT_DELIVERY_STREAMS["raw"]!, bufferIntervalMs: 600_000, ...overrides };
}

/** Registers cleanup: a test's context, or a suite's list that an `after` hook drains. */
export interface Cleanup {
  after(fn: () => Promise<void>): void;
}

export async function openTestLake(t: TestContext | Cleanup, options: { shards?: number; streams?: readonly string[] } = {}): Promise<TestLake> {
  const dir = makeTempDir("shopstream-lake-");
  const stream = new SqliteStream({ path: join(dir, "stream.db") });
  const deliveries: LakeDelivery[] = [];
  const stopAll = async () => {
    for (const delivery of deliveries.splice(0)) await delivery.stop({ flush: false }).catch(() => undefined);
  };
  // One hook, in this order: the deliveries read the stream and write the dir.
  t.after(async () => {
    await stopAll();
    await stream.close();
    removeDir(dir);
  });
  for (const name of options.streams ?? ["curated"]) await stream.createStream(name, { shardCount: options.shards ?? 2 });
  const lakeDir = join(dir, "lake");
  const store = new LocalObjectStore(lakeDir);
  return {
    dir,
    lakeDir,
    stream,
    store,
    delivery(deliveryOptions = {}) {
      const delivery = new LakeDelivery({
        name: deliveryOptions.name ?? "curated",
        config: deliveryOptions.name === "raw" ? rawConfig(deliveryOptions.config) : curatedConfig(deliveryOptions.config),
        tables: deliveryOptions.tables ?? DEFAULT_TABLES_CONFIG,
        stream,
        store: deliveryOptions.store ?? store,
        stagingDir: join(dir, "staging"),
      });
      deliveries.push(delivery);
      return delivery;
    },
    stopAll,
  };
}

/** Runs `sql` over the lake's tables, each a view over what scanTableFiles lists at this moment. */
export async function queryLake(lakeDir: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    for (const table of LAKE_TABLES) {
      await connection.run(`CREATE VIEW ${quoteIdentifier(table.name)} AS SELECT * FROM ${await scanTableFiles(lakeDir, table)}`);
    }
    return (await connection.runAndReadAll(sql)).getRows().map((row) => row.map(plainValue));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Numbers as numbers, timestamps as ISO 8601 in UTC, dates as YYYY-MM-DD: what assertions compare. */
function plainValue(value: DuckDBValue): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBTimestampTZValue) return new Date(Number(value.micros / 1000n)).toISOString();
  if (value instanceof DuckDBDateValue) return value.toString();
  return value;
}

export async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const object of store.list(prefix)) found.push(object.key);
  return found;
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await sleep(20);
  }
}
