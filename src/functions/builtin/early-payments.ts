// Payments that arrive before their order: across shards, a payment_authorized or payment_failed can be
// delivered before the order_placed it pays for. Its outcome is remembered (the payment's processed_events
// row guards it like any effect) and applied, in event-time order, when the order is placed, so the
// order ends as it would have had the events come in order. One whose order never comes is dropped by the
// housekeeping after store.housekeeping.earlyPaymentMaxAgeHours, and counted (housekeeping.ts).
import type { CuratedEvent } from "../../events/index.js";
import type { SqlExecutor } from "../../store/index.js";

export type PaymentOutcome = "authorized" | "failed";

export function outcomeOf(event: CuratedEvent): PaymentOutcome {
  return event.type === "payment_authorized" ? "authorized" : "failed";
}

export async function rememberEarlyPayment(tx: SqlExecutor, event: CuratedEvent, orderId: string, nowMs: number): Promise<void> {
  await tx.run("INSERT INTO early_payments (event_id, order_id, outcome, occurred_at, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING", [
    event.event_id,
    orderId,
    outcomeOf(event),
    event.occurred_at,
    nowMs,
  ]);
}

interface EarlyPaymentRow {
  event_id: string;
  outcome: PaymentOutcome;
  occurred_at: string;
}

const byEventTime = (a: EarlyPaymentRow, b: EarlyPaymentRow): number =>
  a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;

/**
 * The outcomes waiting for the order, oldest first by event time, removed: each applies once. Taken with
 * one DELETE … RETURNING, so a payment the housekeeping drops at the same moment (housekeeping.ts) is
 * either applied here or counted as dropped there, never both.
 */
export async function takeEarlyPayments(tx: SqlExecutor, orderId: string): Promise<PaymentOutcome[]> {
  const rows = await tx.all<EarlyPaymentRow>("DELETE FROM early_payments WHERE order_id = ? RETURNING event_id, outcome, occurred_at", [orderId]);
  return rows.sort(byEventTime).map((row) => row.outcome);
}
