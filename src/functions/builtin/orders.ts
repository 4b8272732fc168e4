// orders: writes orders and their items into the serving store and keeps store inventory in step with
// them. A valid order reserves stock, its payment commits it, a failed payment or a cancellation releases
// it (or restocks what was sold), returns and deliveries restock; a payment that arrives before its order
// is applied when the order is placed. Every effect is idempotent by event_id: the processed_events row is
// written in the same transaction as the effect it guards.
// Each batch then derives events for the lake: one `stock_level` per store and product it changed (the
// level after the batch) and one `low_stock_alert` per alert it raised. They commit in the store with the
// effects, and are appended to the output stream with the function's checkpoint, as fraud alerts are.
import type { CuratedEvent } from "../../events/index.js";
import { storeEffects } from "../../monitor/index.js";
import type { ServingStore, SqlExecutor } from "../../store/index.js";
import type { Stream } from "../../stream/index.js";
import type { TypeFilteredBuiltin } from "../builtin-invoker.js";
import type { BatchContext, DecodedRecord } from "../types.js";
import { appendDerivedEvents, derivedEventsOf } from "./derived-events.js";
import { outcomeOf, rememberEarlyPayment, takeEarlyPayments, type PaymentOutcome } from "./early-payments.js";
import { commitReserved, releaseReserved, reserveStock, restock, type MoveCause } from "./inventory.js";
import { DEFAULT_PRICE_TOLERANCE, describeProblems, validateOrderLines, type PriceTolerance } from "./order-validation.js";
import { StockLedger } from "./stock-levels.js";

const CONSUMER = "orders";
const DEFAULT_OUTPUT = "curated";
const HANDLED = new Set(["order_placed", "payment_authorized", "payment_failed", "order_cancelled", "order_returned", "replenishment_delivered"]);

/**
 * An order's status. placed: all units reserved. short: the store could not cover some lines and reserved
 * nothing for them (flagged). backordered: the store allows backorders and reserved what it had. rejected:
 * failed validation, inventory untouched. paid, payment_failed, cancelled, returned follow later events.
 */
export type OrderStatus = "placed" | "short" | "backordered" | "rejected" | "paid" | "payment_failed" | "cancelled" | "returned";

/** Statuses whose lines may still hold reservations, i.e. a payment outcome is still to come. */
const AWAITING_PAYMENT = ["placed", "short", "backordered"] as const;

export interface OrdersFunctionOptions {
  /** how far a line's unit price may be from the catalog's; default 1% + 0.01 */
  priceTolerance?: PriceTolerance;
  /** where `stock_level` and `low_stock_alert` events go (the lake reads them there); without one, they stay in the store */
  stream?: Stream;
  /** the stream they are appended to; default "curated" */
  output?: string;
  /** wall clock in ms, for when effects and derived events are made; tests pin it */
  clock?: () => number;
}

interface PlacedLine {
  product_id: string;
  quantity: number;
  unit_price?: number;
}

interface StoredLine {
  line_no: number;
  product_id: string;
  quantity: number;
  reserved: number;
  committed: number;
  restocked: number;
}


async function catalogPrices(tx: SqlExecutor, items: unknown): Promise<Map<string, number>> {
  const prices = new Map<string, number>();
  if (!Array.isArray(items)) return prices;
  for (const item of items as Array<{ product_id?: unknown }>) {
    const productId = item?.product_id;
    if (typeof productId !== "string" || prices.has(productId)) continue;
    const row = await tx.get<{ price: number }>("SELECT price FROM products WHERE product_id = ?", [productId]);
    if (row) prices.set(productId, Number(row.price));
  }
  return prices;
}

async function allowsBackorder(tx: SqlExecutor, storeId: string): Promise<boolean> {
  const row = await tx.get<{ allow_backorder: number | boolean }>("SELECT allow_backorder FROM stores WHERE store_id = ?", [storeId]);
  return Boolean(Number(row?.allow_backorder ?? 0));
}

async function placeOrder(tx: SqlExecutor, event: CuratedEvent, cause: MoveCause, tolerance: PriceTolerance): Promise<void> {
  const nowMs = cause.nowMs;
  const p = event.payload as { order_id: string; customer_id: string; store_id: string; currency: string; total: number; items: PlacedLine[] };
  const items = Array.isArray(p.items) ? p.items : [];
  const prices = await catalogPrices(tx, items);
  const problems = validateOrderLines(p.items, (productId) => prices.get(productId), tolerance);
  const valid = problems.length === 0;
  const units = items.reduce((sum, item) => sum + (Number(item.quantity) || 0), 0);
  // Every order_placed keeps its row, valid or not, so counts and revenue match what was posted.
  const inserted = await tx.run(
    `INSERT INTO orders (order_id, event_id, customer_id, store_id, occurred_at, currency, item_count, units, total, status, validation, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING`,
    [p.order_id, event.event_id, p.customer_id, p.store_id, event.occurred_at, p.currency, items.length, units, p.total, valid ? "placed" : "rejected", describeProblems(problems), nowMs],
  );
  if (inserted.changes === 0) return; // the same order_id under another event_id: the first one wins
  const backorder = valid && (await allowsBackorder(tx, p.store_id));
  let shortfallUnits = 0;
  for (const [index, item] of items.entries()) {
    const quantity = Number(item.quantity) || 0;
    const reserved = valid ? await reserveStock(tx, { storeId: p.store_id, productId: item.product_id, quantity }, cause, { partial: backorder }) : 0;
    const shortfall = valid ? quantity - reserved : 0;
    shortfallUnits += shortfall;
    await tx.run("INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, reserved, shortfall) VALUES (?, ?, ?, ?, ?, ?, ?)", [
      p.order_id,
      index + 1,
      item.product_id,
      quantity,
      item.unit_price ?? 0,
      reserved,
      shortfall,
    ]);
  }
  // Stock never goes negative silently: an order the store cannot cover is flagged, or backordered.
  if (shortfallUnits > 0) {
    await tx.run("UPDATE orders SET status = ?, shortfall_units = ? WHERE order_id = ?", [backorder ? "backordered" : "short", shortfallUnits, p.order_id]);
  }
  // Payments that came first now apply, as they would have after the order.
  for (const outcome of await takeEarlyPayments(tx, p.order_id)) await applyPayment(tx, p.order_id, outcome, cause);
}

async function orderAndLines(tx: SqlExecutor, orderId: string): Promise<{ storeId: string; status: OrderStatus; lines: StoredLine[] } | undefined> {
  const order = await tx.get<{ store_id: string; status: OrderStatus }>("SELECT store_id, status FROM orders WHERE order_id = ?", [orderId]);
  if (!order) return undefined;
  const lines = await tx.all<StoredLine>(
    "SELECT line_no, product_id, quantity, reserved, committed, restocked FROM order_items WHERE order_id = ? ORDER BY line_no",
    [orderId],
  );
  return { storeId: order.store_id, status: order.status, lines };
}

async function setStatus(tx: SqlExecutor, orderId: string, status: OrderStatus, nowMs: number): Promise<void> {
  await tx.run("UPDATE orders SET status = ?, updated_at = ? WHERE order_id = ?", [status, nowMs, orderId]);
}

/** Gives back every unit the order still holds in reserve. */
async function releaseOrder(tx: SqlExecutor, orderId: string, storeId: string, lines: readonly StoredLine[], cause: MoveCause): Promise<void> {
  for (const line of lines) {
    if (line.reserved <= 0) continue;
    await releaseReserved(tx, { storeId, productId: line.product_id, quantity: line.reserved }, cause);
    await tx.run("UPDATE order_items SET reserved = 0 WHERE order_id = ? AND line_no = ?", [orderId, line.line_no]);
  }
}

/**
 * Authorized: the order's reserved units are sold. Failed: they go back to available. Either only while
 * the order awaits its payment. Returns false when the order is not known (yet).
 */
async function applyPayment(tx: SqlExecutor, orderId: string, outcome: PaymentOutcome, cause: MoveCause): Promise<boolean> {
  const order = await orderAndLines(tx, orderId);
  if (!order) return false;
  if (!(AWAITING_PAYMENT as readonly string[]).includes(order.status)) return true;
  if (outcome === "failed") {
    await releaseOrder(tx, orderId, order.storeId, order.lines, cause);
    await setStatus(tx, orderId, "payment_failed", cause.nowMs);
    return true;
  }
  for (const line of order.lines) {
    if (line.reserved <= 0) continue;
    if (!(await commitReserved(tx, { storeId: order.storeId, productId: line.product_id, quantity: line.reserved }, cause))) continue;
    await tx.run("UPDATE order_items SET reserved = 0, committed = committed + ? WHERE order_id = ? AND line_no = ?", [line.reserved, orderId, line.line_no]);
  }
  await setStatus(tx, orderId, "paid", cause.nowMs);
  return true;
}

async function payment(tx: SqlExecutor, event: CuratedEvent, cause: MoveCause): Promise<void> {
  const orderId = String(event.payload["order_id"]);
  if (!(await applyPayment(tx, orderId, outcomeOf(event), cause))) await rememberEarlyPayment(tx, event, orderId, cause.nowMs);
}

async function cancelOrder(tx: SqlExecutor, event: CuratedEvent, cause: MoveCause): Promise<void> {
  const orderId = String(event.payload["order_id"]);
  const order = await orderAndLines(tx, orderId);
  if (!order || order.status === "cancelled") return;
  await releaseOrder(tx, orderId, order.storeId, order.lines, cause);
  // Units already sold (and not yet returned) go back on the shelf.
  for (const line of order.lines) {
    const units = line.committed - line.restocked;
    if (units <= 0) continue;
    await restock(tx, { storeId: order.storeId, productId: line.product_id, quantity: units }, cause);
    await tx.run("UPDATE order_items SET restocked = committed WHERE order_id = ? AND line_no = ?", [orderId, line.line_no]);
  }
  await setStatus(tx, orderId, "cancelled", cause.nowMs);
}

async function returnItems(tx: SqlExecutor, event: CuratedEvent, cause: MoveCause): Promise<void> {
  const nowMs = cause.nowMs;
  const p = event.payload as { order_id: string; store_id: string; items: Array<{ product_id: string; quantity: number }> };
  const order = await orderAndLines(tx, p.order_id);
  for (const item of p.items) {
    if (!order) {
      // An order this store never saw (placed before the pipeline ran): the goods still come back.
      await restock(tx, { storeId: p.store_id, productId: item.product_id, quantity: item.quantity }, cause);
      continue;
    }
    // Only units that were sold and not yet put back can come back, so a return never invents stock.
    let left = item.quantity;
    for (const line of order.lines) {
      if (left <= 0 || line.product_id !== item.product_id) continue;
      const units = Math.min(left, line.committed - line.restocked);
      if (units <= 0) continue;
      await restock(tx, { storeId: p.store_id, productId: item.product_id, quantity: units }, cause);
      await tx.run("UPDATE order_items SET restocked = restocked + ? WHERE order_id = ? AND line_no = ?", [units, p.order_id, line.line_no]);
      line.restocked += units;
      left -= units;
    }
  }
  await tx.run("UPDATE orders SET status = 'returned', updated_at = ? WHERE order_id = ? AND status NOT IN ('cancelled', 'rejected')", [nowMs, p.order_id]);
}

export function createOrdersFunction(store: ServingStore, options: OrdersFunctionOptions = {}): TypeFilteredBuiltin<CuratedEvent> {
  const tolerance = options.priceTolerance ?? DEFAULT_PRICE_TOLERANCE;
  const output = options.output ?? DEFAULT_OUTPUT;
  const clock = options.clock ?? Date.now;

  async function apply(tx: SqlExecutor, event: CuratedEvent, cause: MoveCause): Promise<void> {
    if (event.type === "order_placed") await placeOrder(tx, event, cause, tolerance);
    else if (event.type === "payment_authorized" || event.type === "payment_failed") await payment(tx, event, cause);
    else if (event.type === "order_cancelled") await cancelOrder(tx, event, cause);
    else if (event.type === "order_returned") await returnItems(tx, event, cause);
    else {
      const p = event.payload as { store_id: string; product_id: string; quantity: number };
      await restock(tx, { storeId: p.store_id, productId: p.product_id, quantity: p.quantity }, cause);
    }
  }

  return {
    name: "orders",
    handlesTypes: HANDLED,
    async handleBatch(records: DecodedRecord<CuratedEvent>[], context: BatchContext): Promise<void> {
      const relevant = records.filter((r) => HANDLED.has(r.value.type));
      if (relevant.length === 0) return;
      const nowMs = clock();
      const tally = new Map<string, number>();
      const levels = await store.transaction(async (tx) => {
        // PostgreSQL runs the transaction again after a deadlock: each attempt counts from scratch.
        tally.clear();
        const ledger = new StockLedger();
        for (const { value: event, sequenceNumber } of relevant) {
          const fresh = await tx.run("INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [
            CONSUMER,
            event.event_id,
            nowMs,
          ]);
          const key = `${event.type}:${fresh.changes === 1 ? "applied" : "duplicate"}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
          if (fresh.changes === 0) continue;
          await apply(tx, event, { eventId: event.event_id, eventType: event.type, occurredAt: event.occurred_at, sequenceNumber, nowMs, ledger });
        }
        return ledger.record(tx, nowMs);
      });
      for (const [key, count] of tally) {
        const [kind, result] = key.split(":") as [string, string];
        storeEffects.inc({ kind, result }, count);
      }
      if (levels > 0) storeEffects.inc({ kind: "stock_level", result: "applied" }, levels);
      if (!options.stream) return;
      // What this batch's records derived, including what an attempt that crashed after its commit
      // derived: had its events been appended, the checkpoint would have moved past this batch.
      const derived = await derivedEventsOf(
        store,
        relevant.map((r) => ({ eventId: r.value.event_id, sequenceNumber: r.sequenceNumber })),
      );
      if (derived.length > 0) await appendDerivedEvents(options.stream, output, derived, context.checkpoint);
    },
  };
}
