// What the dashboard and the HTTP API read about fraud: the latest alerts with their reasons, and how
// many were raised, in total and per rule, since a point in event time.
import { ValidationError } from "../errors/index.js";
import type { SqlExecutor } from "../store/index.js";
import { ALERT_COLUMNS, alertFromRow, type AlertRow, type FraudAlert } from "./alerts.js";
import { fraudRules, type FraudRule } from "./reasons.js";

/** The newest alerts by event time, newest first. */
export async function recentFraudAlerts(store: SqlExecutor, options: { limit?: number } = {}): Promise<FraudAlert[]> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 20), 1), 1_000);
  const rows = await store.all<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM fraud_alerts ORDER BY occurred_at DESC, alert_id LIMIT ?`, [limit]);
  return rows.map(alertFromRow);
}

export interface FraudAlertSummary {
  alerts: number;
  /** alerts each rule contributed a reason to; an alert usually has several */
  byRule: Record<FraudRule, number>;
}

/** Alerts whose triggering event happened at or after `sinceOccurredAt` (RFC 3339), or all of them. */
export async function fraudAlertSummary(store: SqlExecutor, options: { sinceOccurredAt?: string } = {}): Promise<FraudAlertSummary> {
  let rows: Array<{ reasons: string }>;
  if (options.sinceOccurredAt === undefined) rows = await store.all("SELECT reasons FROM fraud_alerts");
  else {
    const sinceMs = Date.parse(options.sinceOccurredAt);
    if (Number.isNaN(sinceMs)) throw new ValidationError(`since: expected an RFC 3339 date-time, got ${JSON.stringify(options.sinceOccurredAt)}`);
    // occurred_at is stored as curated: RFC 3339 UTC with milliseconds, so text order is time order.
    rows = await store.all("SELECT reasons FROM fraud_alerts WHERE occurred_at >= ?", [new Date(sinceMs).toISOString()]);
  }
  const byRule = Object.fromEntries(fraudRules.map((rule) => [rule, 0])) as Record<FraudRule, number>;
  for (const row of rows) {
    for (const { rule } of JSON.parse(row.reasons) as Array<{ rule: FraudRule }>) if (rule in byRule) byRule[rule]++;
  }
  return { alerts: rows.length, byRule };
}
