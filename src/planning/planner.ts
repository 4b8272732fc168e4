// Store planning (the StorePlanningApp), invoked by hand: one SQL statement over the lake finds each store
// and product below its reorder point, and one alert per need goes to the replenishment queue, unless
// one went out within the deduplication window. The report says what was found and what was sent.
import { randomUUID } from "node:crypto";
import type { AnalyticsEngine, JsonValue } from "../analytics/index.js";
import { countDiscarded, countError, countReceived, countSent, observeDuration } from "../monitor/index.js";
import type { Queue, SendMessageInput } from "../queue/index.js";
import type { ServingStore } from "../store/index.js";
import { priorityOf, type AlertPriority, type ReplenishmentAlert } from "./replenishment-alert.js";
import { DEFAULT_PLANNING_CONFIG } from "./config.js";
import { DEFAULT_REORDER_POLICY, type ReorderPolicy } from "./reorder-policy.js";
import { NEED_COLUMNS, replenishmentNeedSql, type NeedColumn } from "./replenishment-need-sql.js";
import { SentAlerts } from "./sent-alerts.js";

export interface PlanningOptions {
  analytics: AnalyticsEngine;
  queue: Queue;
  /** the serving store that keeps what was sent (planningMigrations applied) */
  store: ServingStore;
  /** default "replenishment" */
  queueName?: string;
  /** plan for this store only */
  storeId?: string;
  /** shop time of the run (ms since the epoch); default now */
  nowMs?: number;
  /** recent demand is what sold in this many days; default 7 */
  demandWindowDays?: number;
  /** a need alerted within this long is not sent again; default 6 hours */
  dedupWindowMs?: number;
  /** how reorder points and target levels are set; default derived, with the `inventory` section's defaults */
  policy?: ReorderPolicy;
}

export interface ReplenishmentNeed {
  store_id: string;
  product_id: string;
  snapshot_on_hand: number;
  delivered_since_snapshot: number;
  sold_since_snapshot: number;
  current_level: number;
  reorder_point: number;
  target_level: number;
  quantity: number;
  priority: AlertPriority;
  recent_demand_units: number;
  snapshot_at: string;
  /** derived: the levels come from the sales in the policy's demand window; configured: the snapshot's */
  reorder_source: "derived" | "configured";
  /** units a day over the policy's demand window (0 when nothing sold) */
  avg_daily_demand: number;
  /** the store's lead time, in days */
  lead_time_days: number;
  /** sent: an alert went out in this run; duplicate: one went out within the window; failed: the send failed */
  outcome: "sent" | "duplicate" | "failed";
  /** why the send failed */
  error?: string;
}

export interface PlanningReport {
  runId: string;
  /** ISO 8601, wall clock */
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** of which the SQL over the lake */
  queryMs: number;
  storesChecked: number;
  productsChecked: number;
  belowReorderPoint: ReplenishmentNeed[];
  sent: number;
  duplicates: number;
  failed: number;
}

// The defaults are the `planning` config section's: one place says them.
export const DEFAULT_QUEUE_NAME = DEFAULT_PLANNING_CONFIG.queue;
export const DEFAULT_DEMAND_WINDOW_DAYS = DEFAULT_PLANNING_CONFIG.demandWindowDays;
export const DEFAULT_DEDUP_WINDOW_MS = DEFAULT_PLANNING_CONFIG.dedupWindowMs;
/** SQS's SendMessageBatch limit */
const SEND_BATCH = 10;

export async function runPlanning(options: PlanningOptions): Promise<PlanningReport> {
  const startedMs = Date.now();
  const runId = randomUUID();
  const nowMs = options.nowMs ?? startedMs;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const dedupWindowMs = options.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS;
  const result = await options.analytics.query(
    replenishmentNeedSql({
      nowMs,
      demandWindowDays: options.demandWindowDays ?? DEFAULT_DEMAND_WINDOW_DAYS,
      ...(options.storeId !== undefined && { storeId: options.storeId }),
      policy: options.policy ?? DEFAULT_REORDER_POLICY,
    }),
  );
  const queryMs = Date.now() - startedMs;
  const [totals, ...rows] = result.rows;
  const needs = rows.map(needOf);

  const sentAlerts = new SentAlerts(options.store);
  const claimed = await sentAlerts.claimAll(
    needs.map((need) => ({ storeId: need.store_id, productId: need.product_id, dedupId: dedupIdOf(need, nowMs, dedupWindowMs) })),
    { runId, nowMs, sentAfterMs: nowMs - dedupWindowMs },
  );
  const toSend: ReplenishmentNeed[] = [];
  for (const [i, need] of needs.entries()) {
    if (claimed[i] === true) toSend.push(need);
    else need.outcome = "duplicate";
  }
  const plannedAt = new Date(nowMs).toISOString();
  // SQS takes deduplication ids on FIFO queues only; a standard queue relies on planning_sent alone.
  const fifo = toSend.length > 0 && (await options.queue.describeQueue(queueName)).attributes.fifo;
  for (let i = 0; i < toSend.length; i += SEND_BATCH) {
    const batch = toSend.slice(i, i + SEND_BATCH);
    const outcomes = await options.queue.send(
      queueName,
      batch.map((need) => messageOf(need, { plannedAt, runId, ...(fifo && { dedupId: dedupIdOf(need, nowMs, dedupWindowMs) }) })),
    );
    for (const [j, need] of batch.entries()) {
      const outcome = outcomes[j];
      if (outcome !== undefined && !("errorCode" in outcome)) continue;
      need.outcome = "failed";
      need.error = outcome ? `${outcome.errorCode}: ${outcome.errorMessage}` : "the queue returned no outcome";
      await sentAlerts.release({ storeId: need.store_id, productId: need.product_id }, runId);
    }
  }

  const finishedMs = Date.now();
  countReceived("planning", needs.length);
  countSent("planning", needs.filter((need) => need.outcome === "sent").length);
  countDiscarded("planning", "duplicate", needs.filter((need) => need.outcome === "duplicate").length);
  countError("planning", "send_failed", "sending", needs.filter((need) => need.outcome === "failed").length);
  observeDuration("planning", "run", (finishedMs - startedMs) / 1000);
  return {
    runId,
    startedAt: new Date(startedMs).toISOString(),
    finishedAt: new Date(finishedMs).toISOString(),
    durationMs: finishedMs - startedMs,
    queryMs,
    storesChecked: Number(totals?.[column("stores_checked")] ?? 0),
    productsChecked: Number(totals?.[column("products_checked")] ?? 0),
    belowReorderPoint: needs,
    sent: needs.filter((need) => need.outcome === "sent").length,
    duplicates: needs.filter((need) => need.outcome === "duplicate").length,
    failed: needs.filter((need) => need.outcome === "failed").length,
  };
}

/**
 * Names a need within a window bucket: a FIFO replenishment queue drops a repeat with the same id (within
 * its own 5 minutes), and a reader can tell which planning window an alert belongs to.
 */
function dedupIdOf(need: ReplenishmentNeed, nowMs: number, dedupWindowMs: number): string {
  return `${need.store_id}:${need.product_id}:${Math.floor(nowMs / Math.max(1, dedupWindowMs))}`;
}

function messageOf(need: ReplenishmentNeed, run: { plannedAt: string; runId: string; dedupId?: string }): SendMessageInput {
  const alert: ReplenishmentAlert = {
    store_id: need.store_id,
    product_id: need.product_id,
    current_level: need.current_level,
    reorder_point: need.reorder_point,
    target_level: need.target_level,
    quantity: need.quantity,
    priority: need.priority,
    planned_at: run.plannedAt,
    run_id: run.runId,
  };
  return {
    body: JSON.stringify(alert),
    // One group per store: a FIFO queue keeps a store's alerts in order, a standard one keeps it as a tag.
    groupId: need.store_id,
    ...(run.dedupId !== undefined && { deduplicationId: run.dedupId }),
    attributes: {
      store_id: { dataType: "String", stringValue: need.store_id },
      priority: { dataType: "String", stringValue: need.priority },
    },
  };
}

function column(name: NeedColumn): number {
  return NEED_COLUMNS.indexOf(name);
}

function needOf(row: JsonValue[]): ReplenishmentNeed {
  const num = (name: NeedColumn) => Number(row[column(name)] ?? 0);
  const currentLevel = num("current_level");
  const reorderPoint = num("reorder_point");
  // A target at or under the level (a misconfigured store) still orders up to the reorder point.
  const targetLevel = Math.max(num("target_level"), reorderPoint);
  return {
    store_id: String(row[column("store_id")]),
    product_id: String(row[column("product_id")]),
    snapshot_on_hand: num("snapshot_on_hand"),
    delivered_since_snapshot: num("delivered_since_snapshot"),
    sold_since_snapshot: num("sold_since_snapshot"),
    current_level: currentLevel,
    reorder_point: reorderPoint,
    target_level: targetLevel,
    quantity: Math.max(1, targetLevel - currentLevel),
    priority: priorityOf(currentLevel, reorderPoint),
    recent_demand_units: num("recent_demand_units"),
    snapshot_at: String(row[column("snapshot_at")]),
    reorder_source: row[column("reorder_source")] === "derived" ? "derived" : "configured",
    avg_daily_demand: Math.round(num("avg_daily_demand") * 1000) / 1000,
    lead_time_days: num("lead_time_days"),
    outcome: "sent",
  };
}
