// The orders function's derived events, the read side: the `stock_level` and `low_stock_alert` events a
// batch's records produced, read back from the serving store and appended to the output stream with the
// function's checkpoint. Reading back, rather than carrying them over from the transaction, is what
// makes a replay after a crash append what the first attempt committed: the rows are found by the
// record (event_id and sequence number) that made them, so a replayed record finds its rows, and a copy
// of the event re-sent in another record (a producer's retry) finds none.
import type { CuratedEvent, DerivedPayloads } from "../../events/index.js";
import { componentLogger } from "../../monitor/index.js";
import type { SqlExecutor } from "../../store/index.js";
import type { Stream } from "../../stream/index.js";
import type { CheckpointRef } from "../types.js";

/** A record of the batch: the event it carried and where it sits in the stream. */
export interface BatchRecordRef {
  eventId: string;
  sequenceNumber: string;
}

/** Bound parameters per statement: well under SQLite's and PostgreSQL's limits. */
const IDS_PER_QUERY = 500;
/** Records per put on a stream (Kinesis PutRecords). */
const PUT_RECORDS_MAX = 500;
const SOURCE = "orders";

interface MadeByRecord {
  event_id: string;
  sequence_number: string | null;
}

interface StockLevelRow extends MadeByRecord {
  level_id: string;
  event_type: string;
  store_id: string;
  product_id: string;
  on_hand: number;
  reserved: number;
  reorder_point: number;
  target_level: number;
  moves: number;
  occurred_at: string;
  created_at: number;
}

interface LowStockAlertRow extends MadeByRecord {
  alert_id: string;
  store_id: string;
  product_id: string;
  available: number;
  reorder_point: number;
  occurred_at: string;
  created_at: number;
}

interface Positioned<T> {
  row: T;
  /** index in the batch of the record that made it */
  position: number;
}

const recordKey = (eventId: string, sequenceNumber: string): string => JSON.stringify([eventId, sequenceNumber]);

/** The rows `select` reads that the batch's records made, with the position of the record that made each. */
async function rowsMadeBy<T extends MadeByRecord>(executor: SqlExecutor, select: string, batch: readonly BatchRecordRef[]): Promise<Positioned<T>[]> {
  const positions = new Map(batch.map((record, index) => [recordKey(record.eventId, record.sequenceNumber), index]));
  const eventIds = [...new Set(batch.map((record) => record.eventId))];
  const found: Positioned<T>[] = [];
  for (let start = 0; start < eventIds.length; start += IDS_PER_QUERY) {
    const ids = eventIds.slice(start, start + IDS_PER_QUERY);
    const rows = await executor.all<T>(`${select} WHERE event_id IN (${ids.map(() => "?").join(", ")})`, ids);
    for (const row of rows) {
      const position = positions.get(recordKey(row.event_id, row.sequence_number ?? ""));
      if (position !== undefined) found.push({ row, position });
    }
  }
  return found;
}

const isoOf = (ms: number): string => new Date(Number(ms)).toISOString();

export function stockLevelEvent(row: StockLevelRow): CuratedEvent {
  const onHand = Number(row.on_hand);
  const reserved = Number(row.reserved);
  const payload: DerivedPayloads["stock_level"] = {
    store_id: row.store_id,
    product_id: row.product_id,
    on_hand: onHand,
    reserved,
    available: onHand - reserved,
    reorder_point: Number(row.reorder_point),
    target_level: Number(row.target_level),
    moves: Number(row.moves),
    last_event_id: row.event_id,
    last_event_type: row.event_type,
  };
  return {
    event_id: row.level_id,
    type: "stock_level",
    occurred_at: row.occurred_at,
    ingested_at: isoOf(row.created_at),
    source: SOURCE,
    store_id: row.store_id,
    product_id: row.product_id,
    payload,
  };
}

export function lowStockAlertEvent(row: LowStockAlertRow): CuratedEvent {
  const payload: DerivedPayloads["low_stock_alert"] = {
    alert_id: row.alert_id,
    trigger_event_id: row.event_id,
    store_id: row.store_id,
    product_id: row.product_id,
    available: Number(row.available),
    reorder_point: Number(row.reorder_point),
  };
  return {
    event_id: row.alert_id,
    type: "low_stock_alert",
    occurred_at: row.occurred_at,
    ingested_at: isoOf(row.created_at),
    source: SOURCE,
    store_id: row.store_id,
    product_id: row.product_id,
    payload,
  };
}

/**
 * The events the batch's records derived, in the order of those records: every low-stock alert, and one
 * stock level per store and product. A replayed batch may hold records processed by an attempt that
 * crashed after its commit and others processed now; a pair both moved has a row from each, and only
 * the later (the level after the whole batch) is appended.
 */
export async function derivedEventsOf(executor: SqlExecutor, batch: readonly BatchRecordRef[]): Promise<CuratedEvent[]> {
  const levels = await rowsMadeBy<StockLevelRow>(
    executor,
    `SELECT level_id, event_id, sequence_number, event_type, store_id, product_id, on_hand, reserved, reorder_point, target_level,
       moves, occurred_at, created_at FROM stock_levels`,
    batch,
  );
  const latest = new Map<string, Positioned<StockLevelRow>>();
  for (const level of levels) {
    const pair = JSON.stringify([level.row.store_id, level.row.product_id]);
    const seen = latest.get(pair);
    if (seen === undefined || seen.position < level.position) latest.set(pair, level);
  }
  const alerts = await rowsMadeBy<LowStockAlertRow>(
    executor,
    "SELECT alert_id, event_id, sequence_number, store_id, product_id, available, reorder_point, occurred_at, created_at FROM low_stock_alerts",
    batch,
  );
  const derived = [
    ...alerts.map(({ row, position }) => ({ position, event: lowStockAlertEvent(row) })),
    ...[...latest.values()].map(({ row, position }) => ({ position, event: stockLevelEvent(row) })),
  ];
  // An event's alert comes before the level it left behind; ids order the rest, so a replay appends the same sequence.
  const rank = (event: CuratedEvent): number => (event.type === "low_stock_alert" ? 0 : 1);
  derived.sort((a, b) => a.position - b.position || rank(a.event) - rank(b.event) || (a.event.event_id < b.event.event_id ? -1 : 1));
  return derived.map(({ event }) => event);
}

/** One put per 500 events; the checkpoint rides on the last, so a batch's output and its progress commit together. */
export async function appendDerivedEvents(stream: Stream, output: string, events: readonly CuratedEvent[], checkpoint: CheckpointRef | undefined): Promise<void> {
  for (let start = 0; start < events.length; start += PUT_RECORDS_MAX) {
    const chunk = events.slice(start, start + PUT_RECORDS_MAX);
    const last = start + PUT_RECORDS_MAX >= events.length;
    const records = chunk.map((event) => ({ partitionKey: event.store_id ?? event.event_id, data: Buffer.from(JSON.stringify(event)) }));
    const results = await stream.putRecords(output, records, last && checkpoint ? { checkpoint } : undefined);
    for (const [index, result] of results.entries()) {
      if ("errorCode" in result) componentLogger(SOURCE).error({ event_id: chunk[index]?.event_id, error: result.errorMessage }, "derived event refused by the stream");
    }
  }
}
