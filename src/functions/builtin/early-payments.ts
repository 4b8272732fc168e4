// Payments that arrive before their order: across shards, a payment_authorized or payment_failed can be
// delivered before the order_placed it pays for. Its outcome is remembered (the payment's processed_events
// row guards it like any effect) and applied, in event-time order, when the order is placed, so the
// order ends as it would have had the events come in order.
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

/** The outcomes waiting for the order, oldest first by event time, removed: each applies once. */
export async function takeEarlyPayments(tx: SqlExecutor, orderId: string): Promise<PaymentOutcome[]> {
  const rows = await tx.all<{ outcome: PaymentOutcome }>("SELECT outcome FROM early_payments WHERE order_id = ? ORDER BY occurred_at, event_id", [orderId]);
  if (rows.length > 0) await tx.run("DELETE FROM early_payments WHERE order_id = ?", [orderId]);
  return rows.map((row) => row.outcome);
}
