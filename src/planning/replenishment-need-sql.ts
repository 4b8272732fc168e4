// The one DuckDB statement behind store planning: each store and product's current level, from the latest
// inventory snapshot plus the deliveries and minus the sales the lake holds after it, next to its reorder
// point, target level and recent demand. Only rows below the reorder point come back.
import { quoteSqlString } from "../lake/index.js";

export interface NeedQuery {
  /** shop time the demand window ends at (ms since the epoch) */
  nowMs: number;
  /** recent demand is the units sold in this many days before nowMs */
  demandWindowDays: number;
  /** only this store; all stores when absent */
  storeId?: string;
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
  "stores_checked",
  "products_checked",
] as const;

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
 * type's files); sales from `order_items`, read back to the older of the snapshot and the demand window.
 */
export function replenishmentNeedSql(query: NeedQuery): string {
  const windowStart = `to_timestamp(${(query.nowMs - query.demandWindowDays * DAY_MS) / 1000})`;
  const now = `to_timestamp(${query.nowMs / 1000})`;
  const storeFilter = query.storeId === undefined ? "" : `WHERE store_id = ${quoteSqlString(query.storeId)}`;
  const deliveryStoreFilter = query.storeId === undefined ? "" : `AND payload->>'store_id' = ${quoteSqlString(query.storeId)}`;
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
sold AS (
  SELECT i.store_id, i.product_id,
         sum(i.quantity) FILTER (WHERE i.occurred_at > s.snapshot_at) AS since_snapshot,
         sum(i.quantity) FILTER (WHERE i.occurred_at >= ${windowStart}) AS recent
  FROM order_items AS i
  JOIN snapshots AS s ON s.store_id = i.store_id AND s.product_id = i.product_id
  WHERE i.occurred_at <= ${now} AND (i.occurred_at > s.snapshot_at OR i.occurred_at >= ${windowStart})
  GROUP BY i.store_id, i.product_id
),
levels AS (
  SELECT s.*, coalesce(d.units, 0) AS delivered_since_snapshot, coalesce(o.since_snapshot, 0) AS sold_since_snapshot,
         coalesce(o.recent, 0) AS recent_demand_units,
         greatest(0, s.on_hand + coalesce(d.units, 0) - coalesce(o.since_snapshot, 0)) AS current_level
  FROM snapshots AS s
  LEFT JOIN delivered AS d USING (store_id, product_id)
  LEFT JOIN sold AS o USING (store_id, product_id)
)
SELECT store_id, product_id,
       CAST(on_hand AS BIGINT), CAST(delivered_since_snapshot AS BIGINT), CAST(sold_since_snapshot AS BIGINT),
       CAST(current_level AS BIGINT), CAST(reorder_point AS BIGINT), CAST(target_level AS BIGINT),
       CAST(recent_demand_units AS BIGINT), snapshot_at, NULL, NULL
FROM levels
WHERE reorder_point IS NOT NULL AND current_level < reorder_point
UNION ALL
-- the totals row: it comes back even when nothing is below, so a run always knows what it checked
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       count(DISTINCT store_id), count(*)
FROM snapshots
ORDER BY store_id NULLS FIRST, product_id`;
}
