// The fraud function's state in the serving store, read and written inside the batch's transaction:
// activity for the windows, each customer's history, the evidence on each open order, and pruning by
// event time. Kept in the store (not in memory) so a restart, or another worker, carries on from it.
import type { SqlExecutor } from "../store/index.js";
import type { EventFacts } from "./event-facts.js";
import { EMPTY_HISTORY, type AmountHistory } from "./history-rules.js";
import type { FraudReason } from "./reasons.js";
import type { Activity } from "./velocity-rules.js";

interface ActivityRow {
  kind: Activity["kind"];
  order_id: string;
  customer_id: string | null;
  card_fingerprint: string | null;
  amount: number;
  occurred_ms: number;
}

function toActivity(row: ActivityRow): Activity {
  const activity: Activity = { kind: row.kind, orderId: row.order_id, amount: Number(row.amount), atMs: Number(row.occurred_ms) };
  if (row.customer_id !== null) activity.customerId = row.customer_id;
  if (row.card_fingerprint !== null) activity.cardFingerprint = row.card_fingerprint;
  return activity;
}

export async function recordActivity(tx: SqlExecutor, facts: EventFacts, customerId: string | undefined): Promise<void> {
  await tx.run(
    `INSERT INTO fraud_activity (event_id, kind, order_id, customer_id, card_fingerprint, amount, occurred_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
    [facts.eventId, facts.kind, facts.orderId, customerId ?? null, facts.cardFingerprint ?? null, facts.amount, facts.occurredMs],
  );
}

const ACTIVITY_COLUMNS = "kind, order_id, customer_id, card_fingerprint, amount, occurred_ms";

/** A customer's activity from `fromMs` to `toMs` (event time, inclusive). */
export async function customerActivity(tx: SqlExecutor, customerId: string, fromMs: number, toMs: number): Promise<Activity[]> {
  const rows = await tx.all<ActivityRow>(
    `SELECT ${ACTIVITY_COLUMNS} FROM fraud_activity WHERE customer_id = ? AND occurred_ms BETWEEN ? AND ?`,
    [customerId, fromMs, toMs],
  );
  return rows.map(toActivity);
}

/** A card's activity from `fromMs` to `toMs` (event time, inclusive). */
export async function cardActivity(tx: SqlExecutor, cardFingerprint: string, fromMs: number, toMs: number): Promise<Activity[]> {
  const rows = await tx.all<ActivityRow>(
    `SELECT ${ACTIVITY_COLUMNS} FROM fraud_activity WHERE card_fingerprint = ? AND occurred_ms BETWEEN ? AND ?`,
    [cardFingerprint, fromMs, toMs],
  );
  return rows.map(toActivity);
}

export interface CustomerRecord extends AmountHistory {
  cardCount: number;
}

export async function customerRecord(tx: SqlExecutor, customerId: string): Promise<CustomerRecord> {
  const row = await tx.get<{ order_count: number; mean_log_total: number; m2_log_total: number; card_count: number }>(
    "SELECT order_count, mean_log_total, m2_log_total, card_count FROM fraud_customers WHERE customer_id = ?",
    [customerId],
  );
  if (!row) return { ...EMPTY_HISTORY, cardCount: 0 };
  return { orders: Number(row.order_count), meanLogTotal: Number(row.mean_log_total), m2LogTotal: Number(row.m2_log_total), cardCount: Number(row.card_count) };
}

export async function saveCustomerRecord(tx: SqlExecutor, customerId: string, record: CustomerRecord, nowMs: number): Promise<void> {
  await tx.run(
    `INSERT INTO fraud_customers (customer_id, order_count, mean_log_total, m2_log_total, card_count, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (customer_id) DO UPDATE SET order_count = excluded.order_count, mean_log_total = excluded.mean_log_total,
       m2_log_total = excluded.m2_log_total, card_count = excluded.card_count, updated_at = excluded.updated_at`,
    [customerId, record.orders, record.meanLogTotal, record.m2LogTotal, record.cardCount, nowMs],
  );
}

/** Remembers the card on the account; true when it was new there. */
export async function rememberCard(tx: SqlExecutor, customerId: string, cardFingerprint: string, occurredMs: number): Promise<boolean> {
  const { changes } = await tx.run(
    "INSERT INTO fraud_customer_cards (customer_id, card_fingerprint, first_seen_ms) VALUES (?, ?, ?) ON CONFLICT (customer_id, card_fingerprint) DO NOTHING",
    [customerId, cardFingerprint, occurredMs],
  );
  return changes === 1;
}

export interface OrderEvidence {
  customerId?: string;
  /** its order_placed was assessed (payments may come first) */
  placed: boolean;
  /** the strongest reason per rule seen so far */
  reasons: FraudReason[];
  alertId?: string;
}

export async function orderEvidence(tx: SqlExecutor, orderId: string): Promise<OrderEvidence | undefined> {
  const row = await tx.get<{ customer_id: string | null; placed: number | boolean; reasons: string; alert_id: string | null }>(
    "SELECT customer_id, placed, reasons, alert_id FROM fraud_orders WHERE order_id = ?",
    [orderId],
  );
  if (!row) return undefined;
  const evidence: OrderEvidence = { placed: Boolean(row.placed), reasons: JSON.parse(row.reasons) as FraudReason[] };
  if (row.customer_id !== null) evidence.customerId = row.customer_id;
  if (row.alert_id !== null) evidence.alertId = row.alert_id;
  return evidence;
}

export async function saveOrderEvidence(tx: SqlExecutor, orderId: string, evidence: OrderEvidence, lastSeenMs: number): Promise<void> {
  await tx.run(
    `INSERT INTO fraud_orders (order_id, customer_id, placed, reasons, alert_id, last_seen_ms) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (order_id) DO UPDATE SET customer_id = excluded.customer_id, placed = excluded.placed, reasons = excluded.reasons,
       alert_id = excluded.alert_id, last_seen_ms = CASE WHEN excluded.last_seen_ms > fraud_orders.last_seen_ms
         THEN excluded.last_seen_ms ELSE fraud_orders.last_seen_ms END`,
    [orderId, evidence.customerId ?? null, evidence.placed, JSON.stringify(evidence.reasons), evidence.alertId ?? null, lastSeenMs],
  );
}

/** Forgets window activity and order evidence older than `beforeMs` (event time); histories stay. */
export async function pruneBefore(tx: SqlExecutor, beforeMs: number): Promise<void> {
  await tx.run("DELETE FROM fraud_activity WHERE occurred_ms < ?", [beforeMs]);
  await tx.run("DELETE FROM fraud_orders WHERE last_seen_ms < ?", [beforeMs]);
}
