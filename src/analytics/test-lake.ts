// Test support: writes lake objects as the delivery lays them out, from rows given as plain values. Every
// column of the table definition is in the file, in order and with its type (absent values are NULL), in
// the table's Hive partition, under an object name the lake's own would parse, so the engine reads these
// exactly as it reads delivered ones.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { lakeTable, quoteIdentifier, quoteSqlString, tableDirectory } from "../lake/index.js";
import type { JsonValue } from "./query-result.js";

export interface LakePartition {
  /** the event type, for tables partitioned by type (events) */
  type?: string;
  /** "2026-01-05" */
  dt: string;
  /** "08" */
  hour: string;
}

let sequence = 0;

/** Writes `rows` as one Parquet object of `tableName` in `partition`; returns its path. */
export async function writeLakeObject(lakeDir: string, tableName: string, partition: LakePartition, rows: ReadonlyArray<Record<string, JsonValue>>): Promise<string> {
  const table = lakeTable(tableName);
  if (!table) throw new Error(`no lake table ${tableName}`);
  const typed = table.partitionColumns.some((column) => column.name === "type");
  if (typed !== (partition.type !== undefined)) throw new Error(`${tableName} ${typed ? "needs" : "has no"} a type partition`);
  const directory = join(tableDirectory(lakeDir, table), ...(typed ? [`type=${partition.type}`] : []), `dt=${partition.dt}`, `hour=${partition.hour}`);
  mkdirSync(directory, { recursive: true });
  // Disjoint sequence ranges: every object stays visible to readers that hide compacted ones.
  const first = ++sequence * 1000;
  const path = join(directory, `curated-shardId-000000000000-${first}-${first + 999}.parquet`);

  const ndjsonPath = `${path}.ndjson.tmp`;
  writeFileSync(ndjsonPath, rows.map((row) => JSON.stringify(row)).join("\n"));
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const columns = table.columns.map((column) => `${quoteSqlString(column.name)}: ${quoteSqlString(column.type)}`).join(", ");
    const select = table.columns.map((column) => quoteIdentifier(column.name)).join(", ");
    const source =
      rows.length === 0
        ? `SELECT ${table.columns.map((column) => `CAST(NULL AS ${column.type}) AS ${quoteIdentifier(column.name)}`).join(", ")} WHERE false`
        : `SELECT ${select} FROM read_json(${quoteSqlString(ndjsonPath)}, format = 'newline_delimited', columns = {${columns}})`;
    await connection.run(`COPY (${source}) TO ${quoteSqlString(path)} (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(ndjsonPath, { force: true });
  }
  return path;
}

/**
 * A small shop over two days (2026-01-05 and 06), every number of it chosen by hand, for the tests of the
 * views, the catalog and the query service. What the KPIs must say about it is spelled out in
 * views.test.ts.
 */
export async function writeSampleShop(lakeDir: string): Promise<void> {
  const D1 = "2026-01-05";
  const D2 = "2026-01-06";
  const at = (dt: string, time: string) => `${dt}T${time}.000Z`;
  const order = (id: string, dt: string, time: string, store: string, region: string, session: string, customer: string, units: number, total: number) => ({
    order_id: id,
    event_id: `ev-${id}`,
    occurred_at: at(dt, time),
    customer_id: customer,
    session_id: session,
    store_id: store,
    store_region: region,
    currency: "USD",
    item_count: 1,
    units,
    total,
  });
  await writeLakeObject(lakeDir, "orders", { dt: D1, hour: "08" }, [
    order("O1", D1, "08:10:00", "S1", "east", "s1", "C1", 3, 30),
    order("O2", D1, "08:20:00", "S2", "west", "s2", "C2", 1, 10),
  ]);
  await writeLakeObject(lakeDir, "orders", { dt: D1, hour: "09" }, [order("O3", D1, "09:30:00", "S1", "east", "s3", "C1", 2, 20)]);
  await writeLakeObject(lakeDir, "orders", { dt: D2, hour: "10" }, [order("O4", D2, "10:00:00", "S1", "east", "s5", "C3", 5, 50)]);

  const line = (orderId: string, lineNo: number, product: string, quantity: number, time: string, dt = D1) => ({
    order_id: orderId,
    line_no: lineNo,
    product_id: product,
    product_name: `Product ${product}`,
    category: product === "P1" ? "home" : "toys",
    quantity,
    unit_price: 10,
    line_total: quantity * 10,
    occurred_at: at(dt, time),
  });
  await writeLakeObject(lakeDir, "order_items", { dt: D1, hour: "08" }, [line("O1", 1, "P1", 2, "08:10:00"), line("O1", 2, "P2", 1, "08:10:00"), line("O2", 1, "P2", 1, "08:20:00")]);
  await writeLakeObject(lakeDir, "order_items", { dt: D1, hour: "09" }, [line("O3", 1, "P1", 2, "09:30:00")]);
  await writeLakeObject(lakeDir, "order_items", { dt: D2, hour: "10" }, [line("O4", 1, "P2", 5, "10:00:00", D2)]);

  // The funnel of day 1: s1…s4 view pages (s1 twice), s1…s3 go on to the end; O2's payment fails, and O3's
  // goes through after midnight.
  let eventNumber = 0;
  const events = (type: string, sessions: string[], time: string, orderIds: Array<string | null> = []) =>
    writeLakeObject(
      lakeDir,
      "events",
      { type, dt: D1, hour: time.slice(0, 2) },
      sessions.map((session, i) => ({ event_id: `e${++eventNumber}`, occurred_at: at(D1, time), session_id: session, order_id: orderIds[i] ?? null })),
    );
  await events("page_view", ["s1", "s1", "s2", "s3", "s4"], "08:00:00");
  await events("product_view", ["s1", "s2", "s3"], "08:01:00");
  await events("add_to_cart", ["s1", "s2", "s3"], "08:02:00");
  await events("checkout_started", ["s1", "s2", "s3"], "08:03:00");
  await events("order_placed", ["s1", "s2"], "08:10:00", ["O1", "O2"]);
  await events("order_placed", ["s3"], "09:30:00", ["O3"]);

  const payment = (orderId: string, dt: string, time: string, status: "authorized" | "failed") => ({
    event_id: `pay-${orderId}`,
    occurred_at: at(dt, time),
    order_id: orderId,
    payment_id: `P-${orderId}`,
    amount: 10,
    method: "card",
    status,
  });
  await writeLakeObject(lakeDir, "payments", { dt: D1, hour: "08" }, [payment("O1", D1, "08:11:00", "authorized"), payment("O2", D1, "08:21:00", "failed")]);
  await writeLakeObject(lakeDir, "payments", { dt: D2, hour: "00" }, [payment("O3", D2, "00:05:00", "authorized")]);

  const snapshot = (id: string, dt: string, time: string, store: string, product: string, onHand: number, reorderPoint: number) => ({
    event_id: id,
    occurred_at: at(dt, time),
    store_id: store,
    product_id: product,
    on_hand: onHand,
    reorder_point: reorderPoint,
    region: store === "S1" ? "east" : "west",
    product_name: `Product ${product}`,
    category: product === "P1" ? "home" : "toys",
  });
  await writeLakeObject(lakeDir, "inventory_snapshots", { dt: D1, hour: "08" }, [
    snapshot("i1", D1, "08:00:00", "S1", "P1", 10, 5),
    snapshot("i2", D1, "08:00:00", "S1", "P2", 2, 5),
    snapshot("i3", D1, "08:00:00", "S2", "P1", 0, 4),
  ]);
  // Two reports of one shelf at the same instant: the later event id wins, whole.
  await writeLakeObject(lakeDir, "inventory_snapshots", { dt: D1, hour: "09" }, [
    snapshot("i4", D1, "09:00:00", "S1", "P1", 3, 5),
    snapshot("i5-a", D1, "09:00:00", "S2", "P2", 1, 5),
    snapshot("i5-b", D1, "09:00:00", "S2", "P2", 9, 6),
  ]);
  await writeLakeObject(lakeDir, "inventory_snapshots", { dt: D2, hour: "10" }, [snapshot("i6", D2, "10:00:00", "S1", "P2", 8, 5)]);
}
