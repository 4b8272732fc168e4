// Keeps the serving store's inventory levels in step with the reorder policy: one DuckDB query over the
// lake's order_items derives each selling store and product's reorder point and target level, and one
// transaction writes them into `inventory`, where the orders function's real-time low-stock alerts read
// them. A pair that sold nothing in the window goes back to its configured levels.
import type { AnalyticsEngine } from "../analytics/index.js";
import type { ServingStore } from "../store/index.js";
import { DERIVED_LEVEL_COLUMNS, derivedLevelsStatement, type ReorderPolicy } from "./reorder-policy.js";

export interface LevelsRefresh {
  /** shop time the demand window ended at, ISO 8601 */
  asOf: string;
  /** store products that sold in the window (their average demand and lead time were written) */
  selling: number;
  /** of which the serving store now holds derived levels (0 in configured mode) */
  derived: number;
  /** store products that went back to their configured levels */
  reverted: number;
  durationMs: number;
}

const column = (name: (typeof DERIVED_LEVEL_COLUMNS)[number]) => DERIVED_LEVEL_COLUMNS.indexOf(name);

export class ReorderLevelRefresher {
  /** Refreshes run one at a time: the timer's and a planning run's never interleave their writes. */
  private tail: Promise<unknown> = Promise.resolve();
  private lastStampMs = 0;

  constructor(
    private readonly options: {
      analytics: AnalyticsEngine;
      /** the serving store, with coreMigrations, planningMigrations and reorderPolicyMigrations applied */
      store: ServingStore;
      policy: ReorderPolicy;
    },
  ) {}

  /** Derives the levels as of `nowMs` (shop time; default now) and writes them. */
  refresh(nowMs: number = Date.now()): Promise<LevelsRefresh> {
    const run = this.tail.then(
      () => this.refreshNow(nowMs),
      () => this.refreshNow(nowMs),
    );
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves once no refresh is in flight. */
  async idle(): Promise<void> {
    await this.tail;
  }

  private async refreshNow(nowMs: number): Promise<LevelsRefresh> {
    const startedMs = Date.now();
    const { policy, store } = this.options;
    const { rows } = await this.options.analytics.query(derivedLevelsStatement(policy, nowMs));
    // Rows this refresh wrote carry its stamp; a derived row with another stamp did not sell this time.
    const stampMs = Math.max(Date.now(), this.lastStampMs + 1);
    this.lastStampMs = stampMs;
    const derivedMode = policy.mode === "derived";
    let derived = 0;
    const reverted = await store.transaction(async (tx) => {
      derived = 0; // a retried transaction (PostgreSQL, after a deadlock) counts from scratch
      for (const row of rows) {
        const values = {
          storeId: String(row[column("store_id")]),
          productId: String(row[column("product_id")]),
          avg: Number(row[column("avg_daily_demand")]),
          lead: Number(row[column("lead_time_days")]),
          reorderPoint: Number(row[column("reorder_point")]),
          targetLevel: Number(row[column("target_level")]),
        };
        if (derivedMode) {
          const { changes } = await tx.run(
            `UPDATE inventory SET
               configured_reorder_point = CASE WHEN reorder_source = 'derived' THEN configured_reorder_point ELSE reorder_point END,
               configured_target_level = CASE WHEN reorder_source = 'derived' THEN configured_target_level ELSE target_level END,
               reorder_point = ?, target_level = ?, reorder_source = 'derived', avg_daily_demand = ?, lead_time_days = ?, policy_updated_at = ?
             WHERE store_id = ? AND product_id = ?`,
            [values.reorderPoint, values.targetLevel, values.avg, values.lead, stampMs, values.storeId, values.productId],
          );
          derived += changes;
        } else {
          await tx.run("UPDATE inventory SET avg_daily_demand = ?, lead_time_days = ?, policy_updated_at = ? WHERE store_id = ? AND product_id = ?", [
            values.avg,
            values.lead,
            stampMs,
            values.storeId,
            values.productId,
          ]);
        }
      }
      // Whatever this refresh did not touch: derived levels give way to the configured ones, demand is 0.
      const { changes } = await tx.run(
        `UPDATE inventory SET
           reorder_point = CASE WHEN reorder_source = 'derived' THEN coalesce(configured_reorder_point, reorder_point) ELSE reorder_point END,
           target_level = CASE WHEN reorder_source = 'derived' THEN coalesce(configured_target_level, target_level) ELSE target_level END,
           reorder_source = 'configured', avg_daily_demand = 0, policy_updated_at = ?
         WHERE policy_updated_at IS NOT NULL AND policy_updated_at <> ? AND (reorder_source = 'derived' OR avg_daily_demand <> 0)`,
        [stampMs, stampMs],
      );
      return changes;
    });
    return { asOf: new Date(nowMs).toISOString(), selling: rows.length, derived, reverted, durationMs: Date.now() - startedMs };
  }
}
