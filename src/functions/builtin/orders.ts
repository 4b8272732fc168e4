// orders: writes orders and their items into the serving store and keeps store inventory in step with
// orders, cancellations, returns and deliveries. Every effect is idempotent by event_id: the
// processed_events row is written in the same transaction as the effect it guards.
import type { CuratedEvent } from "../../events/index.js";
import { storeEffects } from "../../monitor/index.js";
import type { ServingStore, SqlExecutor } from "../../store/index.js";
import type { BuiltinFunction, DecodedRecord } from "../types.js";

const CONSUMER = "orders";
const HANDLED = new Set(["order_placed", "order_cancelled", "order_returned", "replenishment_delivered"]);

interface Line {
  product_id: string;
  quantity: number;
  unit_price?: number;
}

/** Takes stock if there is enough; returns false (and changes nothing) when there is not. */
async function takeStock(tx: SqlExecutor, storeId: string, line: Line, nowMs: number): Promise<boolean> {
  const { changes } = await tx.run(
    "UPDATE inventory SET on_hand = on_hand - ?, updated_at = ? WHERE store_id = ? AND product_id = ? AND on_hand >= ?",
    [line.quantity, nowMs, storeId, line.product_id, line.quantity],
  );
  return changes === 1;
}

async function addStock(tx: SqlExecutor, storeId: string, productId: string, quantity: number, nowMs: number): Promise<void> {
  await tx.run("UPDATE inventory SET on_hand = on_hand + ?, updated_at = ? WHERE store_id = ? AND product_id = ?", [
    quantity,
    nowMs,
    storeId,
    productId,
  ]);
}

async function placeOrder(tx: SqlExecutor, event: CuratedEvent, nowMs: number): Promise<void> {
  const p = event.payload as { order_id: string; customer_id: string; store_id: string; currency: string; total: number; items: Line[] };
  const units = p.items.reduce((sum, item) => sum + item.quantity, 0);
  const inserted = await tx.run(
    `INSERT INTO orders (order_id, event_id, customer_id, store_id, occurred_at, currency, item_count, units, total, status, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'placed', ?) ON CONFLICT (order_id) DO NOTHING`,
    [p.order_id, event.event_id, p.customer_id, p.store_id, event.occurred_at, p.currency, p.items.length, units, p.total, nowMs],
  );
  if (inserted.changes === 0) return; // the same order_id under another event_id: the first one wins
  let short = false;
  for (const [lineNo, item] of p.items.entries()) {
    await tx.run("INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES (?, ?, ?, ?, ?)", [
      p.order_id,
      lineNo + 1,
      item.product_id,
      item.quantity,
      item.unit_price ?? 0,
    ]);
    if (!(await takeStock(tx, p.store_id, item, nowMs))) short = true;
  }
  // Stock never goes negative silently: an order the store cannot cover is flagged for follow-up.
  if (short) await tx.run("UPDATE orders SET status = 'short' WHERE order_id = ?", [p.order_id]);
}

async function cancelOrder(tx: SqlExecutor, event: CuratedEvent, nowMs: number): Promise<void> {
  const orderId = String(event.payload["order_id"]);
  const order = await tx.get<{ store_id: string; status: string }>("SELECT store_id, status FROM orders WHERE order_id = ?", [orderId]);
  if (!order || order.status === "cancelled") return;
  if (order.status === "placed") {
    const lines = await tx.all<Line>("SELECT product_id, quantity FROM order_items WHERE order_id = ?", [orderId]);
    for (const line of lines) await addStock(tx, order.store_id, line.product_id, line.quantity, nowMs);
  }
  await tx.run("UPDATE orders SET status = 'cancelled', updated_at = ? WHERE order_id = ?", [nowMs, orderId]);
}

async function returnItems(tx: SqlExecutor, event: CuratedEvent, nowMs: number): Promise<void> {
  const p = event.payload as { order_id: string; store_id: string; items: Line[] };
  for (const item of p.items) await addStock(tx, p.store_id, item.product_id, item.quantity, nowMs);
  await tx.run("UPDATE orders SET status = 'returned', updated_at = ? WHERE order_id = ? AND status <> 'cancelled'", [nowMs, p.order_id]);
}

export function createOrdersFunction(store: ServingStore): BuiltinFunction<CuratedEvent> {
  return {
    name: "orders",
    async handleBatch(records: DecodedRecord<CuratedEvent>[]): Promise<void> {
      const relevant = records.filter((r) => HANDLED.has(r.value.type));
      if (relevant.length === 0) return;
      const nowMs = Date.now();
      const tally = new Map<string, number>();
      await store.transaction(async (tx) => {
        for (const { value: event } of relevant) {
          const fresh = await tx.run("INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [
            CONSUMER,
            event.event_id,
            nowMs,
          ]);
          const key = `${event.type}:${fresh.changes === 1 ? "applied" : "duplicate"}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
          if (fresh.changes === 0) continue;
          if (event.type === "order_placed") await placeOrder(tx, event, nowMs);
          else if (event.type === "order_cancelled") await cancelOrder(tx, event, nowMs);
          else if (event.type === "order_returned") await returnItems(tx, event, nowMs);
          else {
            const p = event.payload as { store_id: string; product_id: string; quantity: number };
            await addStock(tx, p.store_id, p.product_id, p.quantity, nowMs);
          }
        }
      });
      for (const [key, count] of tally) {
        const [kind, result] = key.split(":") as [string, string];
        storeEffects.inc({ kind, result }, count);
      }
    },
  };
}
