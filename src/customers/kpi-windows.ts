// Per-minute KPIs by event time, with allowed lateness.
//
// Each event changes only the window of its own occurred_at minute: a booked order adds to orders and
// revenue, the event that opens a session adds a session, and a session's first order adds a converted
// session. Conversion is converted_sessions / sessions and AOV is revenue / orders, so both roll up over
// any range by summing the counts first.
//
// The watermark is how far event time has got: per source shard, the latest occurred_at seen; overall,
// the minimum over the shards (as Flink's watermark over parallel inputs), so a shard that is behind (a
// replay, a slow consumer) does not make its own events late. A window [m, m + 1 min) takes events until
// the watermark passes its end plus the allowed lateness; a later event is dropped from the window, added
// to kpi_minute_late for its minute and counted in shopstream_kpi_late_events_total{outcome="dropped"}.
// Sessions and profiles still take it: only the window is closed.
import type { SqlExecutor } from "../store/index.js";
import { MINUTE_MS, minuteStartMs } from "./event-time.js";
import { insertRows } from "./sql-batches.js";

export interface KpiContribution {
  sessions: number;
  convertedSessions: number;
  orders: number;
  revenue: number;
}

export interface TimedEvent {
  atMs: number;
  /** absent for an event that changes no KPI (it still moves the watermark) */
  kpi?: KpiContribution;
}

export interface KpiWindowOptions {
  /**
   * the source shard, e.g. "curated/shardId-000000000000"; undefined for a direct invocation, whose
   * events are judged against the shards' watermark but do not hold it back
   */
  shardKey: string | undefined;
  allowedLatenessMs: number;
  nowMs: number;
}

export interface KpiWindowOutcome {
  /** events that reached their window after it ended, within the allowed lateness */
  lateApplied: number;
  /** events that reached their window after the allowed lateness: in kpi_minute_late instead */
  dropped: number;
}

interface WindowDelta extends KpiContribution {
  /** events that came after the window ended (every dropped event is one) */
  lateEvents: number;
}

const added = (table: string, column: string) => `${column} = ${table}.${column} + excluded.${column}`;
const sum = (column: string) => `(kpi_minute.${column} + excluded.${column})`;

const UPSERT_WINDOWS = {
  into: "INSERT INTO kpi_minute (minute_start_ms, orders, revenue, aov, sessions, converted_sessions, conversion, late_events, updated_at_ms)",
  columnCount: 9,
  onConflict: `ON CONFLICT (minute_start_ms) DO UPDATE SET
    ${["orders", "revenue", "sessions", "converted_sessions", "late_events"].map((column) => added("kpi_minute", column)).join(", ")},
    aov = CASE WHEN ${sum("orders")} > 0 THEN ${sum("revenue")} / ${sum("orders")} END,
    conversion = CASE WHEN ${sum("sessions")} > 0 THEN 1.0 * ${sum("converted_sessions")} / ${sum("sessions")} END,
    updated_at_ms = excluded.updated_at_ms`,
};

const UPSERT_DROPPED = {
  into: "INSERT INTO kpi_minute_late (minute_start_ms, events, orders, revenue, sessions, converted_sessions, updated_at_ms)",
  columnCount: 7,
  onConflict: `ON CONFLICT (minute_start_ms) DO UPDATE SET
    ${["events", "orders", "revenue", "sessions", "converted_sessions"].map((column) => added("kpi_minute_late", column)).join(", ")},
    updated_at_ms = excluded.updated_at_ms`,
};

const UPSERT_WATERMARK = {
  into: "INSERT INTO kpi_watermarks (shard_key, max_event_at_ms, updated_at_ms)",
  columnCount: 3,
  onConflict: "ON CONFLICT (shard_key) DO UPDATE SET max_event_at_ms = excluded.max_event_at_ms, updated_at_ms = excluded.updated_at_ms",
};

function addTo(deltas: Map<number, WindowDelta>, minute: number, kpi: KpiContribution, late: boolean): void {
  let delta = deltas.get(minute);
  if (!delta) {
    delta = { lateEvents: 0, sessions: 0, convertedSessions: 0, orders: 0, revenue: 0 };
    deltas.set(minute, delta);
  }
  if (late) delta.lateEvents++;
  delta.sessions += kpi.sessions;
  delta.convertedSessions += kpi.convertedSessions;
  delta.orders += kpi.orders;
  delta.revenue += kpi.revenue;
}

/** Folds a batch's events (in stream order) into their windows and advances the shard's watermark. */
export async function applyKpiWindows(tx: SqlExecutor, events: readonly TimedEvent[], options: KpiWindowOptions): Promise<KpiWindowOutcome> {
  const outcome: KpiWindowOutcome = { lateApplied: 0, dropped: 0 };
  if (events.length === 0) return outcome;
  const shards = await tx.all<{ shard_key: string; max_event_at_ms: number }>("SELECT shard_key, max_event_at_ms FROM kpi_watermarks");
  let otherShardsMs = Infinity;
  let shardMaxMs = -Infinity;
  for (const row of shards) {
    if (row.shard_key === options.shardKey) shardMaxMs = Number(row.max_event_at_ms);
    else otherShardsMs = Math.min(otherShardsMs, Number(row.max_event_at_ms));
  }
  const windows = new Map<number, WindowDelta>();
  const dropped = new Map<number, WindowDelta>();
  for (const event of events) {
    // The watermark moves as the shard's events go by: an event is judged against what came before it.
    shardMaxMs = Math.max(shardMaxMs, event.atMs);
    if (!event.kpi) continue;
    // A direct invocation is no shard: the shards' watermark alone judges it, while there is one.
    const watermarkMs = options.shardKey === undefined && otherShardsMs !== Infinity ? otherShardsMs : Math.min(shardMaxMs, otherShardsMs);
    const minute = minuteStartMs(event.atMs);
    const windowEndMs = minute + MINUTE_MS;
    if (windowEndMs + options.allowedLatenessMs <= watermarkMs) {
      outcome.dropped++;
      addTo(dropped, minute, event.kpi, true);
    } else {
      const late = windowEndMs <= watermarkMs;
      if (late) outcome.lateApplied++;
      addTo(windows, minute, event.kpi, late);
    }
  }
  await insertRows(
    tx,
    UPSERT_WINDOWS,
    [...windows].map(([minute, d]) => [
      minute,
      d.orders,
      d.revenue,
      d.orders > 0 ? d.revenue / d.orders : null,
      d.sessions,
      d.convertedSessions,
      d.sessions > 0 ? d.convertedSessions / d.sessions : null,
      d.lateEvents,
      options.nowMs,
    ]),
  );
  await insertRows(
    tx,
    UPSERT_DROPPED,
    [...dropped].map(([minute, d]) => [minute, d.lateEvents, d.orders, d.revenue, d.sessions, d.convertedSessions, options.nowMs]),
  );
  if (options.shardKey !== undefined) await insertRows(tx, UPSERT_WATERMARK, [[options.shardKey, shardMaxMs, options.nowMs]]);
  return outcome;
}
