// Fraud alerts: the `fraud_alerts` row and the `fraud_alert` event it becomes on the curated stream (for
// the lake). An alert's id is derived from the event that raised it, so a replayed batch finds the
// same alerts and appends the same events.
import { createHash } from "node:crypto";
import type { SqlExecutor } from "../store/index.js";
import type { AssessedEventType } from "./event-facts.js";
import type { FraudReason } from "./reasons.js";

export interface FraudAlert {
  alertId: string;
  /** the order or payment event that raised it */
  eventId: string;
  eventType: AssessedEventType;
  orderId: string;
  customerId?: string;
  cardFingerprint?: string;
  score: number;
  threshold: number;
  reasons: FraudReason[];
  /** event time of the event that raised it, RFC 3339 UTC */
  occurredAt: string;
  /** when the function raised it, ms since the epoch */
  createdAtMs: number;
}

/** The payload of a `fraud_alert` event. */
export interface FraudAlertPayload {
  alert_id: string;
  trigger_event_id: string;
  trigger_event_type: AssessedEventType;
  order_id: string;
  customer_id?: string;
  card_fingerprint?: string;
  score: number;
  threshold: number;
  reasons: FraudReason[];
}

/** A `fraud_alert` in the curated event shape. */
export interface FraudAlertEvent {
  event_id: string;
  type: "fraud_alert";
  occurred_at: string;
  ingested_at: string;
  source: "fraud";
  order_id: string;
  customer_id?: string;
  payload: FraudAlertPayload;
}

/** "fa-" and 128 bits of the SHA-256 of the event id: fits the 128-character id limit whatever the input. */
export function alertIdFor(eventId: string): string {
  return `fa-${createHash("sha256").update(eventId).digest("hex").slice(0, 32)}`;
}

export async function insertAlert(tx: SqlExecutor, alert: FraudAlert): Promise<void> {
  await tx.run(
    `INSERT INTO fraud_alerts (alert_id, event_id, event_type, order_id, customer_id, card_fingerprint, score, threshold, reasons, occurred_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id) DO NOTHING`,
    [
      alert.alertId,
      alert.eventId,
      alert.eventType,
      alert.orderId,
      alert.customerId ?? null,
      alert.cardFingerprint ?? null,
      alert.score,
      alert.threshold,
      JSON.stringify(alert.reasons),
      alert.occurredAt,
      alert.createdAtMs,
    ],
  );
}

export interface AlertRow {
  alert_id: string;
  event_id: string;
  event_type: AssessedEventType;
  order_id: string;
  customer_id: string | null;
  card_fingerprint: string | null;
  score: number;
  threshold: number;
  reasons: string;
  occurred_at: string;
  created_at: number;
}

export const ALERT_COLUMNS = "alert_id, event_id, event_type, order_id, customer_id, card_fingerprint, score, threshold, reasons, occurred_at, created_at";

export function alertFromRow(row: AlertRow): FraudAlert {
  const alert: FraudAlert = {
    alertId: row.alert_id,
    eventId: row.event_id,
    eventType: row.event_type,
    orderId: row.order_id,
    score: Number(row.score),
    threshold: Number(row.threshold),
    reasons: JSON.parse(row.reasons) as FraudReason[],
    occurredAt: row.occurred_at,
    createdAtMs: Number(row.created_at),
  };
  if (row.customer_id !== null) alert.customerId = row.customer_id;
  if (row.card_fingerprint !== null) alert.cardFingerprint = row.card_fingerprint;
  return alert;
}

/** Bound parameters per statement: well under SQLite's and PostgreSQL's limits. */
const IDS_PER_QUERY = 500;

/** The alerts raised by any of `eventIds`, whether in this run or before a crash. */
export async function alertsRaisedBy(executor: SqlExecutor, eventIds: readonly string[]): Promise<FraudAlert[]> {
  const alerts: FraudAlert[] = [];
  for (let start = 0; start < eventIds.length; start += IDS_PER_QUERY) {
    const ids = eventIds.slice(start, start + IDS_PER_QUERY);
    const rows = await executor.all<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM fraud_alerts WHERE event_id IN (${ids.map(() => "?").join(", ")})`, ids);
    alerts.push(...rows.map(alertFromRow));
  }
  return alerts;
}

export function alertEvent(alert: FraudAlert): FraudAlertEvent {
  const payload: FraudAlertPayload = {
    alert_id: alert.alertId,
    trigger_event_id: alert.eventId,
    trigger_event_type: alert.eventType,
    order_id: alert.orderId,
    score: alert.score,
    threshold: alert.threshold,
    reasons: alert.reasons,
  };
  if (alert.customerId !== undefined) payload.customer_id = alert.customerId;
  if (alert.cardFingerprint !== undefined) payload.card_fingerprint = alert.cardFingerprint;
  const event: FraudAlertEvent = {
    event_id: alert.alertId,
    type: "fraud_alert",
    occurred_at: alert.occurredAt,
    ingested_at: new Date(alert.createdAtMs).toISOString(),
    source: "fraud",
    order_id: alert.orderId,
    payload,
  };
  if (alert.customerId !== undefined) event.customer_id = alert.customerId;
  return event;
}
