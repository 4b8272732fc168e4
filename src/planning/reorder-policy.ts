// The reorder policy as SQL pieces that store planning's statement and the serving-store refresher share:
// daily demand over a window of whole days counted back from the planning instant (days without a sale
// count as 0), and the levels derived from it:
//   reorder point = ⌈avg daily demand × lead time + z × σ(daily demand) × √lead time⌉
//   target level  = reorder point + ⌈avg daily demand × review days⌉
import { quoteSqlString } from "../lake/index.js";
import { DEFAULT_INVENTORY_CONFIG, leadTimeOverrides, type InventoryConfig } from "./config.js";

export interface ReorderPolicy {
  mode: "derived" | "configured";
  /** the default lead time, in days */
  leadTimeDays: number;
  demandWindowDays: number;
  /** z of the safety stock */
  safetyFactor: number;
  reviewDays: number;
  /** stores whose lead time differs from leadTimeDays */
  storeLeadTimeDays: ReadonlyMap<string, number>;
}

export function reorderPolicyOf(config: InventoryConfig = DEFAULT_INVENTORY_CONFIG): ReorderPolicy {
  const { mode, leadTimeDays, demandWindowDays, safetyFactor, reviewDays } = config.reorderPolicy;
  return { mode, leadTimeDays, demandWindowDays, safetyFactor, reviewDays, storeLeadTimeDays: leadTimeOverrides(config) };
}

export const DEFAULT_REORDER_POLICY: ReorderPolicy = reorderPolicyOf();

const DAY_SEC = 86_400;
/** Rounding up forgives float noise: 4.000000000001 units of demand is 4, not 5. */
const ROUNDING_SLACK = 1e-9;

function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return String(value);
}

/** The window's bounds as DuckDB timestamps: a line counts when start < occurred_at ≤ end. */
export function demandWindow(policy: ReorderPolicy, nowMs: number): { start: string; end: string } {
  return {
    start: `to_timestamp(${sqlNumber(nowMs / 1000 - policy.demandWindowDays * DAY_SEC)})`,
    end: `to_timestamp(${sqlNumber(nowMs / 1000)})`,
  };
}

/** Which whole day before nowMs a time falls in: 0 for the last 24 hours, 1 for the 24 before, … */
export function dayIndexSql(column: string, nowMs: number): string {
  return `floor((${sqlNumber(nowMs / 1000)} - epoch(${column})) / ${DAY_SEC})`;
}

/** A relation (store_id, lead_time_days) of the stores with their own lead time; empty when none has. */
export function storeLeadTimesSql(policy: ReorderPolicy): string {
  if (policy.storeLeadTimeDays.size === 0) return "SELECT CAST(NULL AS VARCHAR) AS store_id, CAST(NULL AS DOUBLE) AS lead_time_days WHERE false";
  const rows = [...policy.storeLeadTimeDays].map(([storeId, days]) => `(${quoteSqlString(storeId)}, CAST(${sqlNumber(days)} AS DOUBLE))`);
  return `SELECT * FROM (VALUES ${rows.join(", ")}) AS t(store_id, lead_time_days)`;
}

/**
 * SELECT-list expressions of the derived levels, from the window's total units, the sum of each day's units
 * squared, and the lead time (a column that may be NULL: the default applies).
 */
export function derivedLevelsSql(policy: ReorderPolicy, columns: { units: string; squares: string; storeLeadTime: string }): {
  leadTimeDays: string;
  avgDailyDemand: string;
  reorderPoint: string;
  targetLevel: string;
} {
  const days = sqlNumber(policy.demandWindowDays);
  const lead = `coalesce(${columns.storeLeadTime}, ${sqlNumber(policy.leadTimeDays)})`;
  const avg = `(CAST(coalesce(${columns.units}, 0) AS DOUBLE) / ${days})`;
  const stddev = `sqrt(greatest(0, CAST(coalesce(${columns.squares}, 0) AS DOUBLE) / ${days} - ${avg} * ${avg}))`;
  const reorderPoint = `CAST(ceil(${avg} * ${lead} + ${sqlNumber(policy.safetyFactor)} * ${stddev} * sqrt(${lead}) - ${ROUNDING_SLACK}) AS BIGINT)`;
  const targetLevel = `(${reorderPoint} + CAST(ceil(${avg} * ${sqlNumber(policy.reviewDays)} - ${ROUNDING_SLACK}) AS BIGINT))`;
  return { leadTimeDays: lead, avgDailyDemand: avg, reorderPoint, targetLevel };
}

/** The columns of derivedLevelsStatement, in order. */
export const DERIVED_LEVEL_COLUMNS = ["store_id", "product_id", "window_units", "avg_daily_demand", "lead_time_days", "reorder_point", "target_level"] as const;

/**
 * Every store and product that sold in the window, with its derived levels: what the refresher writes into
 * the serving store. Pairs without a sale are not listed; their configured levels stay.
 */
export function derivedLevelsStatement(policy: ReorderPolicy, nowMs: number): string {
  const window = demandWindow(policy, nowMs);
  const levels = derivedLevelsSql(policy, { units: "d.window_units", squares: "d.window_squares", storeLeadTime: "lt.lead_time_days" });
  return `WITH daily AS (
  SELECT store_id, product_id, ${dayIndexSql("occurred_at", nowMs)} AS day, sum(quantity) AS units
  FROM order_items
  WHERE occurred_at > ${window.start} AND occurred_at <= ${window.end} AND store_id IS NOT NULL AND product_id IS NOT NULL
  GROUP BY ALL
),
demand AS (
  SELECT store_id, product_id, sum(units) AS window_units, sum(CAST(units AS DOUBLE) * units) AS window_squares
  FROM daily
  GROUP BY ALL
),
lead_times AS (${storeLeadTimesSql(policy)})
SELECT d.store_id, d.product_id, CAST(d.window_units AS BIGINT), ${levels.avgDailyDemand}, ${levels.leadTimeDays},
       ${levels.reorderPoint}, ${levels.targetLevel}
FROM demand AS d LEFT JOIN lead_times AS lt USING (store_id)
WHERE d.window_units > 0
ORDER BY d.store_id, d.product_id`;
}
