// Audits a data dir whose pipeline is not running (killed or stopped): what each sink holds, and whether
// every checkpoint agrees with its sink. Used by the crash and overload tests. It reads the files the way
// the pipeline's own readers do (SQLite for the stream and the serving store, DuckDB and the lake's
// visibility rule for the lake) and reports broken invariants as plain sentences.
import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import Database from "better-sqlite3";
import { DuckDBInstance } from "@duckdb/node-api";
import { parseObjectKey, quoteSqlString } from "../lake/index.js";
import { objectVisibility } from "../lake/object-visibility.js";
import { pipelinePaths } from "../pipeline/index.js";
import { compareSequenceNumbers, formatSequenceNumber } from "../stream/index.js";

/** The curated event types each built-in serving-store function claims in processed_events. */
export const CLAIMED_TYPES: Readonly<Record<string, ReadonlySet<string>>> = {
  orders: new Set(["order_placed", "payment_authorized", "payment_failed", "order_cancelled", "order_returned"]),
  customers: new Set(["page_view", "product_view", "add_to_cart", "checkout_started", "order_placed", "payment_authorized", "payment_failed", "order_cancelled", "order_returned", "review_submitted"]),
  fraud: new Set(["order_placed", "payment_authorized", "payment_failed"]),
};

export interface StreamRecordSummary {
  sequenceNumber: string;
  eventId: string;
  type: string;
}

export interface DataDirAudit {
  /** broken invariants; empty when the data dir is consistent */
  problems: string[];
  /** per event id: how often a reader of the lake's `events` table sees it */
  lakeEvents: Map<string, number>;
  /** per event id: how often it is in the raw zone */
  rawEvents: Map<string, number>;
  /** per event id: how often it is in the `events` and `curated` streams */
  streamEvents: Map<string, number>;
  curatedEvents: Map<string, number>;
  /** consumer → event ids in processed_events */
  processed: Map<string, Set<string>>;
  /** order_id → event_id of the serving store's orders */
  orders: Map<string, string>;
  /** files in the lake: Parquet, NDJSON and temporary ones */
  lakeFiles: { parquet: number; ndjson: number; temporary: string[] };
  /** consumer → stream → shard → checkpoint */
  checkpoints: Map<string, { stream: string; shardId: string; sequenceNumber: string }[]>;
}

function walk(dir: string): string[] {
  const files: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return files;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(path));
    else files.push(path);
  }
  return files;
}

function countInto(counts: Map<string, number>, id: string): void {
  counts.set(id, (counts.get(id) ?? 0) + 1);
}

function readStreams(streamDb: string) {
  const db = new Database(streamDb);
  try {
    const records = new Map<string, Map<string, StreamRecordSummary[]>>();
    for (const { id, name, description } of db.prepare("SELECT id, name, description FROM streams").all() as Array<{ id: number; name: string; description: string }>) {
      const shards = new Map<string, StreamRecordSummary[]>();
      const shardIds = (JSON.parse(description) as { shards: Array<{ shardId: string }> }).shards.map((shard) => shard.shardId);
      for (const [index, shardId] of shardIds.entries()) {
        const rows = db.prepare(`SELECT seq, data FROM log_${id}_${index} ORDER BY seq`).all() as Array<{ seq: number; data: Buffer }>;
        shards.set(
          shardId,
          rows.map((row) => {
            const event = JSON.parse(row.data.toString("utf8")) as { event_id?: string; type?: string };
            return { sequenceNumber: formatSequenceNumber(index, row.seq), eventId: String(event.event_id), type: String(event.type) };
          }),
        );
      }
      records.set(name, shards);
    }
    const checkpoints = db.prepare("SELECT consumer, stream, shard_id AS shardId, sequence_number AS sequenceNumber FROM checkpoints").all() as Array<{
      consumer: string;
      stream: string;
      shardId: string;
      sequenceNumber: string;
    }>;
    return { records, checkpoints };
  } finally {
    db.close();
  }
}

function readStore(storeDb: string) {
  const db = new Database(storeDb);
  try {
    const processed = new Map<string, Set<string>>();
    for (const { consumer, event_id } of db.prepare("SELECT consumer, event_id FROM processed_events").iterate() as Iterable<{ consumer: string; event_id: string }>) {
      let ids = processed.get(consumer);
      if (!ids) processed.set(consumer, (ids = new Set()));
      ids.add(event_id);
    }
    const orders = new Map<string, string>();
    for (const { order_id, event_id } of db.prepare("SELECT order_id, event_id FROM orders").iterate() as Iterable<{ order_id: string; event_id: string }>) {
      orders.set(order_id, event_id);
    }
    return { processed, orders };
  } finally {
    db.close();
  }
}

/** Audits `dataDir`; the pipeline must not be running. */
export async function auditDataDir(dataDir: string): Promise<DataDirAudit> {
  const paths = pipelinePaths(dataDir);
  const problems: string[] = [];
  const { records, checkpoints } = readStreams(paths.streamDb);
  const { processed, orders } = readStore(paths.storeDb);

  const streamCounts = (name: string) => {
    const counts = new Map<string, number>();
    for (const shard of records.get(name)?.values() ?? []) for (const record of shard) countInto(counts, record.eventId);
    return counts;
  };
  const streamEvents = streamCounts("events");
  const curatedEvents = streamCounts("curated");

  // The lake's files: every Parquet file must open; temporary files must be hidden from readers.
  const files = walk(paths.lakeDir).map((path) => ({ path, key: relative(paths.lakeDir, path).split(sep).join("/") }));
  const temporary = files.filter((file) => /(^|\/)\.[^/]*\.tmp$/.test(file.key)).map((file) => file.key);
  const parquet = files.filter((file) => file.key.endsWith(".parquet"));
  const ndjson = files.filter((file) => /\.ndjson\.(zst|gz)$|\.ndjson$/.test(file.key) && !file.key.split("/").pop()!.startsWith("."));
  for (const file of files) {
    const name = file.key.split("/").pop()!;
    if (name.startsWith(".")) {
      if (!name.endsWith(".tmp")) problems.push(`lake file ${file.key} is hidden but not a temporary file`);
    } else if (file.key.startsWith("curated/") && !parseObjectKey(file.key)) {
      problems.push(`lake file ${file.key} has no delivery object name`);
    }
  }

  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const lakeEvents = new Map<string, number>();
  const rawEvents = new Map<string, number>();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const broken = new Set<string>();
    for (const file of parquet) {
      try {
        await connection.run(`SELECT count(*) FROM parquet_metadata(${quoteSqlString(file.path)})`);
      } catch (error) {
        broken.add(file.key);
        problems.push(`lake file ${file.key} is not a whole Parquet file: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    const eventObjects = objectVisibility(parquet.filter((file) => file.key.startsWith("curated/events/") && !broken.has(file.key)).map((file) => ({ ...file, sizeBytes: 0, lastModifiedMs: 0 }))).visible;
    if (eventObjects.length > 0) {
      const list = `[${eventObjects.map((file) => quoteSqlString(file.path)).join(", ")}]`;
      const reader = await connection.runAndReadAll(`SELECT event_id, count(*)::INTEGER FROM read_parquet(${list}, union_by_name = true) GROUP BY event_id`);
      for (const [id, n] of reader.getRows()) lakeEvents.set(String(id), Number(n));
    }
    const rawObjects = ndjson.filter((file) => file.key.startsWith("raw/"));
    if (rawObjects.length > 0) {
      const list = `[${rawObjects.map((file) => quoteSqlString(file.path)).join(", ")}]`;
      const reader = await connection.runAndReadAll(
        `SELECT event_id, count(*)::INTEGER FROM read_json(${list}, format = 'newline_delimited', columns = {event_id: 'VARCHAR'}) GROUP BY event_id`,
      );
      for (const [id, n] of reader.getRows()) rawEvents.set(String(id), Number(n));
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }

  for (const [name, counts] of [["lake events table", lakeEvents], ["raw zone", rawEvents], ["curated stream", curatedEvents]] as const) {
    const twice = [...counts].filter(([, n]) => n > 1);
    if (twice.length > 0) problems.push(`${twice.length} event ids are in the ${name} more than once, e.g. ${twice.slice(0, 3).map(([id, n]) => `${id}×${n}`).join(", ")}`);
  }

  // Each checkpoint against its sink: everything at or below it is in the sink.
  const byConsumer = new Map<string, DataDirAudit["checkpoints"] extends Map<string, infer V> ? V : never>();
  for (const checkpoint of checkpoints) {
    const list = byConsumer.get(checkpoint.consumer) ?? [];
    list.push(checkpoint);
    byConsumer.set(checkpoint.consumer, list);
    const shard = records.get(checkpoint.stream)?.get(checkpoint.shardId);
    if (!shard) {
      problems.push(`checkpoint of ${checkpoint.consumer} names ${checkpoint.stream}/${checkpoint.shardId}, which does not exist`);
      continue;
    }
    const tip = shard.at(-1)?.sequenceNumber;
    if (tip !== undefined && compareSequenceNumbers(checkpoint.sequenceNumber, tip) > 0) {
      problems.push(`checkpoint of ${checkpoint.consumer} on ${checkpoint.shardId} is past the shard's last record`);
    }
    const covered = shard.filter((record) => compareSequenceNumbers(record.sequenceNumber, checkpoint.sequenceNumber) <= 0);
    const where = `${checkpoint.consumer} on ${checkpoint.stream}/${checkpoint.shardId}`;
    const missing = (what: string, ids: string[]) => {
      if (ids.length > 0) problems.push(`${ids.length} records at or below the checkpoint of ${where} are not in ${what}, e.g. ${ids.slice(0, 3).join(", ")}`);
    };
    const consumer = checkpoint.consumer;
    if (consumer === "function:enrich") {
      missing("the curated stream", covered.filter((record) => !curatedEvents.has(record.eventId)).map((record) => record.eventId));
    } else if (consumer.startsWith("function:") && CLAIMED_TYPES[consumer.slice("function:".length)]) {
      const name = consumer.slice("function:".length);
      const claimed = processed.get(name) ?? new Set<string>();
      const types = CLAIMED_TYPES[name]!;
      missing(`processed_events (${name})`, covered.filter((record) => types.has(record.type) && !claimed.has(record.eventId)).map((record) => record.eventId));
    } else if (consumer === "lake:curated") {
      // Derived events (fraud alerts, stock levels) have tables of their own; every other one is in `events`.
      missing("the lake's events table", covered.filter((record) => streamEvents.has(record.eventId) && !lakeEvents.has(record.eventId)).map((record) => record.eventId));
    } else if (consumer === "lake:raw") {
      missing("the raw zone", covered.filter((record) => !rawEvents.has(record.eventId)).map((record) => record.eventId));
    }
    if (consumer.startsWith("lake:") && covered.length > 0) {
      // The checkpoint never runs ahead of what was published from its shard.
      let highest: string | undefined;
      for (const file of [...parquet, ...ndjson]) {
        const name = parseObjectKey(file.key);
        if (name && name.stream === checkpoint.stream && name.shardId === checkpoint.shardId && (highest === undefined || compareSequenceNumbers(name.lastSequenceNumber, highest) > 0)) {
          highest = name.lastSequenceNumber;
        }
      }
      if (highest === undefined || compareSequenceNumbers(checkpoint.sequenceNumber, highest) > 0) {
        problems.push(`checkpoint of ${where} is past the highest sequence number published from that shard (${highest ?? "none"})`);
      }
    }
  }

  return {
    problems,
    lakeEvents,
    rawEvents,
    streamEvents,
    curatedEvents,
    processed,
    orders,
    lakeFiles: { parquet: parquet.length, ndjson: ndjson.length, temporary },
    checkpoints: byConsumer,
  };
}

/**
 * What a stopped, drained pipeline must hold: every acknowledged event exactly once in the lake (the
 * events table and the raw zone) and in each serving-store consumer's processed_events, one order per
 * order_placed; an event whose answer was lost at most once; nothing refused or never posted.
 */
export function exactlyOnceProblems(
  audit: DataDirAudit,
  sent: { acknowledged: ReadonlySet<string>; unknown: ReadonlySet<string> },
  events: ReadonlyMap<string, { type: string; orderId: string | undefined }>,
): string[] {
  const problems: string[] = [];
  const report = (what: string, ids: string[]) => {
    if (ids.length > 0) problems.push(`${ids.length} ${what}, e.g. ${ids.slice(0, 3).join(", ")}`);
  };
  const maybe = new Set([...sent.acknowledged, ...sent.unknown]);
  for (const [zone, counts] of [["the lake's events table", audit.lakeEvents], ["the raw zone", audit.rawEvents], ["the events stream", audit.streamEvents]] as const) {
    report(`acknowledged events are not exactly once in ${zone}`, [...sent.acknowledged].filter((id) => counts.get(id) !== 1));
    report(`events in ${zone} were refused or never posted`, [...counts.keys()].filter((id) => !maybe.has(id)));
    report(`events whose answer was lost are in ${zone} more than once`, [...sent.unknown].filter((id) => (counts.get(id) ?? 0) > 1));
    if (zone !== "the events stream") report(`events of the stream are missing from ${zone}`, [...audit.streamEvents.keys()].filter((id) => !counts.has(id)));
  }
  const inStream = [...audit.streamEvents.keys()].map((id) => ({ id, ...events.get(id)! }));
  for (const [consumer, types] of Object.entries(CLAIMED_TYPES)) {
    const processed = audit.processed.get(consumer) ?? new Set<string>();
    const expected = inStream.filter((event) => types.has(event.type));
    report(`events were not processed by ${consumer}`, expected.filter((event) => !processed.has(event.id)).map((event) => event.id));
    const expectedIds = new Set(expected.map((event) => event.id));
    report(`events processed by ${consumer} are not in the stream`, [...processed].filter((id) => events.has(id) && !expectedIds.has(id)));
  }
  const orders = inStream.filter((event) => event.type === "order_placed");
  report("order_placed events have no order in the serving store, or another event's", orders.filter((event) => audit.orders.get(event.orderId!) !== event.id).map((event) => event.id));
  if (audit.orders.size !== orders.length) problems.push(`the serving store has ${audit.orders.size} orders for ${orders.length} order_placed events`);
  return problems;
}
