// The per-minute KPI series for the dashboard: one point per minute of the range (minutes without events
// are zeros, so a chart has no holes), range totals computed from the summed counts, and what was dropped
// as too late in the same range, so the numbers on screen reconcile with the orders.
import { ValidationError } from "../errors/index.js";
import type { ServingStore } from "../store/index.js";
import { isoOf, MINUTE_MS, minuteStartMs } from "./event-time.js";
import { roundMoney } from "./money.js";
import type { TimeRange } from "./time-range.js";

/** A day of minutes; longer ranges belong to SQL over the lake. */
export const MAX_SERIES_MINUTES = 1_440;
const DEFAULT_SERIES_MINUTES = 60;

export interface KpiTotals {
  orders: number;
  revenue: number;
  /** average order value; null without orders */
  aov: number | null;
  sessions: number;
  convertedSessions: number;
  /** converted sessions over sessions; null without sessions */
  conversion: number | null;
}

export interface KpiMinute extends KpiTotals {
  minute: string;
  /** events that arrived after the minute ended, within the allowed lateness */
  lateEvents: number;
}

export interface KpiSeries {
  from: string;
  to: string;
  /** how far event time has got over every shard; null before any event */
  watermark: string | null;
  minutes: KpiMinute[];
  totals: KpiTotals;
  /** what arrived beyond the allowed lateness for minutes in the range, not in `minutes` */
  droppedLate: { events: number; orders: number; revenue: number; sessions: number };
}

interface MinuteRow {
  minute_start_ms: number;
  orders: number;
  revenue: number;
  sessions: number;
  converted_sessions: number;
  late_events: number;
}

function totalsOf(orders: number, revenue: number, sessions: number, convertedSessions: number): KpiTotals {
  return {
    orders,
    revenue: roundMoney(revenue),
    aov: orders === 0 ? null : roundMoney(revenue / orders),
    sessions,
    convertedSessions,
    conversion: sessions === 0 ? null : convertedSessions / sessions,
  };
}

/** Without a range: the hour up to the latest minute with data. Bounds snap to whole minutes. */
export async function kpiSeries(store: ServingStore, range: TimeRange = {}): Promise<KpiSeries> {
  const latest = await store.get<{ latest: number | null }>("SELECT MAX(minute_start_ms) AS latest FROM kpi_minute");
  const toMs = minuteStartMs(range.toMs !== undefined ? range.toMs + MINUTE_MS - 1 : latest?.latest != null ? Number(latest.latest) + MINUTE_MS : Date.now());
  const fromMs = minuteStartMs(range.fromMs ?? toMs - DEFAULT_SERIES_MINUTES * MINUTE_MS);
  if ((toMs - fromMs) / MINUTE_MS > MAX_SERIES_MINUTES) {
    throw new ValidationError(`a KPI series spans at most ${MAX_SERIES_MINUTES} minutes; query the lake for longer ranges`);
  }
  const rows = await store.all<MinuteRow>(
    "SELECT minute_start_ms, orders, revenue, sessions, converted_sessions, late_events FROM kpi_minute WHERE minute_start_ms >= ? AND minute_start_ms < ?",
    [fromMs, toMs],
  );
  const byMinute = new Map(rows.map((row) => [Number(row.minute_start_ms), row]));
  const minutes: KpiMinute[] = [];
  let orders = 0;
  let revenue = 0;
  let sessions = 0;
  let converted = 0;
  for (let minute = fromMs; minute < toMs; minute += MINUTE_MS) {
    const row = byMinute.get(minute);
    const point = totalsOf(row?.orders ?? 0, row?.revenue ?? 0, row?.sessions ?? 0, row?.converted_sessions ?? 0);
    minutes.push({ minute: isoOf(minute), ...point, lateEvents: row?.late_events ?? 0 });
    orders += point.orders;
    revenue += row?.revenue ?? 0;
    sessions += point.sessions;
    converted += point.convertedSessions;
  }
  const dropped = await store.get<{ events: number | null; orders: number | null; revenue: number | null; sessions: number | null }>(
    "SELECT SUM(events) AS events, SUM(orders) AS orders, SUM(revenue) AS revenue, SUM(sessions) AS sessions FROM kpi_minute_late WHERE minute_start_ms >= ? AND minute_start_ms < ?",
    [fromMs, toMs],
  );
  const watermark = await store.get<{ watermark: number | null }>("SELECT MIN(max_event_at_ms) AS watermark FROM kpi_watermarks");
  return {
    from: isoOf(fromMs),
    to: isoOf(toMs),
    watermark: watermark?.watermark == null ? null : isoOf(Number(watermark.watermark)),
    minutes,
    totals: totalsOf(orders, revenue, sessions, converted),
    droppedLate: {
      events: Number(dropped?.events ?? 0),
      orders: Number(dropped?.orders ?? 0),
      revenue: roundMoney(Number(dropped?.revenue ?? 0)),
      sessions: Number(dropped?.sessions ?? 0),
    },
  };
}
