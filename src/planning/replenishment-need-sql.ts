// The one DuckDB statement behind store planning: each store and product's current level, from the latest
// inventory snapshot plus the deliveries and minus the sales the lake holds after it, next to its reorder
// point, target level and recent demand. The reorder policy picks the levels: the snapshot's (configured),
// or ones derived from the same scan's daily sales (see reorder-policy.ts). Only rows below the reorder
// point come back.
import { quoteSqlString } from "../lake/index.js";
import { DEFAULT_REORDER_POLICY, demandWindow, dayIndexSql, derivedLevelsSql, storeLeadTimesSql, type ReorderPolicy } from "./reorder-policy.js";

export interface NeedQuery {
  /** shop time the demand windows end at (ms since the epoch) */
  nowMs: number;
  /** recent demand (the report's recent_demand_units) is the units sold in this many days before nowMs */
  demandWindowDays: number;
  /** only this store; all stores when absent */
  storeId?: string;
  /** how the levels are set; default the `inventory` section's defaults (derived) */
  policy?: ReorderPolicy;
}

/** The columns, in order: a need's fields (NULL on the totals row), then the totals (NULL on a need's row). */
export const NEED_COLUMNS = [
  "store_id",
  "product_id",
  "snapshot_on_hand",
  "delivered_since_snapshot",
  "sold_since_snapshot",
  "current_level",
  "reorder_point",
  "target_level",
  "recent_demand_units",
  "snapshot_at",
  "reorder_source",
  "avg_daily_demand",
  "lead_time_days",
  "stores_checked",
  "products_checked",
] as const;

export type NeedColumn = (typeof NEED_COLUMNS)[number];

const DAY_MS = 86_400_000;

/**
 * Snapshots without a target level (older producers) fill up to twice the reorder point: the convention
 * of a min/max policy whose max is unknown, so the order is never zero.
 */
const DEFAULT_TARGET_FACTOR = 2;

/**
 * One statement so that the lake is listed and scanned once per table and DuckDB plans the joins; the
 * latest snapshots are materialized once and read by every later step, including the totals row (first,
 * with NULL keys) that counts what was checked. Deliveries come from `events` (its `type` partition prunes every other
 * type's files); sales from `order_items`, read back to the oldest of the snapshot, the recent-demand window
 * and the policy's demand window, and summed per day first so that the policy gets its daily spread.
 */
export function replenishmentNeedSql(query: NeedQuery): string {
  const policy = query.policy ?? DEFAULT_REORDER_POLICY;
  const recentStart = `to_timestamp(${(query.nowMs - query.demandWindowDays * DAY_MS) / 1000})`;
  const window = demandWindow(policy, query.nowMs);
  const storeFilter = query.storeId === undefined ? "" : `WHERE store_id = ${quoteSqlString(query.storeId)}`;
  const deliveryStoreFilter = query.storeId === undefined ? "" : `AND payload->>'store_id' = ${quoteSqlString(query.storeId)}`;
  const derived = derivedLevelsSql(policy, { units: "o.window_units", squares: "o.window_squares", storeLeadTime: "lt.lead_time_days" });
  const useDerived = policy.mode === "derived" ? "coalesce(o.window_units, 0) > 0" : "false";
  const leadTime = derivedLevelsSql(policy, { units: "0", squares: "0", storeLeadTime: "lt.lead_time_days" }).leadTimeDays;
  return `WITH latest AS (
  SELECT store_id, product_id,
         arg_max({'on_hand': on_hand, 'reorder_point': reorder_point,
                  'target_level': TRY_CAST(extra->>'target_level' AS BIGINT), 'snapshot_at': occurred_at},
                 (occurred_at, event_id)) AS s
  FROM inventory_snapshots
  ${storeFilter}
  GROUP BY store_id, product_id
),
snapshots AS MATERIALIZED (
  SELECT store_id, product_id, s.on_hand AS on_hand, s.reorder_point AS reorder_point,
         coalesce(s.target_level, s.reorder_point * ${DEFAULT_TARGET_FACTOR}) AS target_level, s.snapshot_at AS snapshot_at
  FROM latest
),
delivered AS (
  SELECT d.store_id, d.product_id, sum(d.quantity) AS units
  FROM (
    -- A redelivered alert yields the same event_id again (its time may differ): count each delivery once.
    SELECT any_value(payload->>'store_id') AS store_id, any_value(payload->>'product_id') AS product_id,
           any_value(CAST(payload->>'quantity' AS BIGINT)) AS quantity, min(occurred_at) AS occurred_at
    FROM events
    WHERE type = 'replenishment_delivered' ${deliveryStoreFilter}
    GROUP BY event_id
  ) AS d
  JOIN snapshots AS s ON s.store_id = d.store_id AND s.product_id = d.product_id AND d.occurred_at > s.snapshot_at
  GROUP BY d.store_id, d.product_id
),
sold_by_day AS (
  -- A day holds lines of the policy window only, or none of them: the window is whole days back from now.
  SELECT i.store_id, i.product_id, ${dayIndexSql("i.occurred_at", query.nowMs)} AS day,
         sum(i.quantity) FILTER (WHERE i.occurred_at > s.snapshot_at) AS since_snapshot,
         sum(i.quantity) FILTER (WHERE i.occurred_at >= ${recentStart}) AS recent,
         sum(i.quantity) FILTER (WHERE i.occurred_at > ${window.start}) AS window_units
  FROM order_items AS i
  JOIN snapshots AS s ON s.store_id = i.store_id AND s.product_id = i.product_id
  WHERE i.occurred_at <= ${window.end}
    AND (i.occurred_at > s.snapshot_at OR i.occurred_at >= ${recentStart} OR i.occurred_at > ${window.start})
  GROUP BY i.store_id, i.product_id, day
),
sold_totals AS (
  SELECT store_id, product_id, sum(since_snapshot) AS since_snapshot, sum(recent) AS recent,
         sum(window_units) AS window_units, sum(CAST(window_units AS DOUBLE) * window_units) AS window_squares
  FROM sold_by_day
  GROUP BY store_id, product_id
),
lead_times AS (${storeLeadTimesSql(policy)}),
-- the derived levels of the pairs that sold (a fraction of all), so the join below only picks them up
sold AS (
  SELECT o.store_id, o.product_id, o.since_snapshot, o.recent, o.window_units,
         ${derived.reorderPoint} AS derived_reorder_point, ${derived.targetLevel} AS derived_target_level,
         ${derived.avgDailyDemand} AS avg_daily_demand
  FROM sold_totals AS o
  LEFT JOIN lead_times AS lt USING (store_id)
),
levels AS (
  SELECT s.store_id, s.product_id, s.on_hand, s.snapshot_at,
         coalesce(d.units, 0) AS delivered_since_snapshot, coalesce(o.since_snapshot, 0) AS sold_since_snapshot,
         coalesce(o.recent, 0) AS recent_demand_units,
         greatest(0, s.on_hand + coalesce(d.units, 0) - coalesce(o.since_snapshot, 0)) AS current_level,
         CASE WHEN ${useDerived} THEN o.derived_reorder_point ELSE s.reorder_point END AS reorder_point,
         CASE WHEN ${useDerived} THEN o.derived_target_level ELSE s.target_level END AS target_level,
         ${useDerived} AS derived,
         coalesce(o.avg_daily_demand, 0) AS avg_daily_demand
  FROM snapshots AS s
  LEFT JOIN delivered AS d USING (store_id, product_id)
  LEFT JOIN sold AS o USING (store_id, product_id)
)
SELECT l.store_id, l.product_id,
       CAST(l.on_hand AS BIGINT), CAST(l.delivered_since_snapshot AS BIGINT), CAST(l.sold_since_snapshot AS BIGINT),
       CAST(l.current_level AS BIGINT), CAST(l.reorder_point AS BIGINT), CAST(l.target_level AS BIGINT),
       CAST(l.recent_demand_units AS BIGINT), l.snapshot_at, CASE WHEN l.derived THEN 'derived' ELSE 'configured' END,
       l.avg_daily_demand, ${leadTime}, NULL, NULL
FROM levels AS l
LEFT JOIN lead_times AS lt USING (store_id)
WHERE l.reorder_point IS NOT NULL AND l.current_level < l.reorder_point
UNION ALL
-- the totals row: it comes back even when nothing is below, so a run always knows what it checked
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       count(DISTINCT store_id), count(*)
FROM snapshots
ORDER BY store_id NULLS FIRST, product_id`;
}
