// RFM over the serving store: recomputed as a whole (periodically by the pipeline, or on demand) from the
// booked orders that were not cancelled, within the lookback before the as-of instant. Frequency counts
// those orders, monetary value is what they kept after refunds. customer_rfm is replaced in one
// transaction, so readers see one run or the next.
import type { ServingStore } from "../store/index.js";
import { DEFAULT_CUSTOMERS_CONFIG } from "./config.js";
import { DAY_MS, isoOf } from "./event-time.js";
import { roundMoney } from "./money.js";
import { quintileScoreSql, RFM_SEGMENTS, segmentSql, type RfmSegment } from "./rfm-scores.js";

export interface ComputeRfmOptions {
  /**
   * the instant recency is measured from, in ms; default the latest event time the customers function
   * has seen (shop time can run far from the wall clock), else now
   */
  asOfMs?: number;
  lookbackDays?: number;
}

export interface SegmentCount {
  segment: RfmSegment;
  customers: number;
  /** share of the scored customers, 0 to 1 */
  share: number;
  /** their net spend in the lookback */
  monetary: number;
}

export interface RfmSummary {
  /** null when RFM has not been computed yet */
  asOf: string | null;
  customers: number;
  segments: SegmentCount[];
}

/** Scores every customer with orders in (lower, upper]; parameters: as-of (twice), lower, upper. */
const SCORE_CUSTOMERS = `INSERT INTO customer_rfm (customer_id, as_of_ms, last_order_at_ms, recency_days, frequency, monetary, r_score, f_score, m_score, segment)
  SELECT customer_id, CAST(? AS BIGINT), last_order_at_ms, (CAST(? AS BIGINT) - last_order_at_ms) / ${DAY_MS}.0, frequency, monetary, r, f, m, ${segmentSql({ r: "r", f: "f", m: "m" })}
  FROM (
    SELECT customer_id, last_order_at_ms, frequency, monetary,
      ${quintileScoreSql("last_order_at_ms")} AS r, ${quintileScoreSql("frequency")} AS f, ${quintileScoreSql("monetary")} AS m
    FROM (
      SELECT customer_id, COUNT(*) AS frequency, MAX(placed_at_ms) AS last_order_at_ms, SUM(total - refunded) AS monetary
      FROM customer_orders WHERE status <> 'cancelled' AND placed_at_ms > ? AND placed_at_ms <= ?
      GROUP BY customer_id
    ) totals
  ) scored`;

/** The latest event time the customers function has seen, over every shard; undefined before any. */
export async function latestEventTimeMs(store: ServingStore): Promise<number | undefined> {
  const row = await store.get<{ latest: number | null }>("SELECT MAX(max_event_at_ms) AS latest FROM kpi_watermarks");
  return row?.latest == null ? undefined : Number(row.latest);
}

export async function computeRfm(store: ServingStore, options: ComputeRfmOptions = {}): Promise<RfmSummary> {
  const asOfMs = options.asOfMs ?? (await latestEventTimeMs(store)) ?? Date.now();
  const lookbackMs = (options.lookbackDays ?? DEFAULT_CUSTOMERS_CONFIG.rfm.lookbackDays) * DAY_MS;
  await store.transaction(async (tx) => {
    await tx.run("DELETE FROM customer_rfm");
    await tx.run(SCORE_CUSTOMERS, [asOfMs, asOfMs, asOfMs - lookbackMs, asOfMs]);
  });
  return segmentCounts(store);
}

/** How many customers each segment holds, in the last RFM run; every segment is listed, empty ones too. */
export async function segmentCounts(store: ServingStore): Promise<RfmSummary> {
  const rows = await store.all<{ segment: RfmSegment; customers: number; monetary: number; as_of_ms: number }>(
    "SELECT segment, COUNT(*) AS customers, SUM(monetary) AS monetary, MAX(as_of_ms) AS as_of_ms FROM customer_rfm GROUP BY segment",
  );
  const bySegment = new Map(rows.map((row) => [row.segment, row]));
  const total = rows.reduce((sum, row) => sum + Number(row.customers), 0);
  const asOfMs = rows.reduce((latest, row) => Math.max(latest, Number(row.as_of_ms)), -Infinity);
  return {
    asOf: total === 0 ? null : isoOf(asOfMs),
    customers: total,
    segments: RFM_SEGMENTS.map((segment) => {
      const row = bySegment.get(segment);
      const customers = Number(row?.customers ?? 0);
      return { segment, customers, share: total === 0 ? 0 : customers / total, monetary: roundMoney(row?.monetary ?? 0) };
    }),
  };
}
