// The orders as customer analytics sees them: what each customer paid, and what came back. A return
// refunds its lines' share of the order total (tax and shipping pro rata, so returning everything refunds
// the total); a cancellation refunds whatever was not refunded yet. The first order_placed of an order_id
// wins, as in the orders function. A cancellation or return that arrives before its order (another shard,
// a replay) is parked and applied when the order comes.
import type { SqlExecutor } from "../store/index.js";
import type { CustomerEvent, OrderCancelled, OrderPlaced, OrderReturned, ReturnedItem } from "./customer-events.js";
import { monthOf } from "./event-time.js";
import type { ProfileChanges } from "./profile-changes.js";
import { insertRows, runIn, selectIn } from "./sql-batches.js";

interface StoredLine {
  lineNo: number;
  productId: string;
  category: string | null;
  quantity: number;
  unitPrice: number;
  returnedQuantity: number;
}

interface StoredOrder {
  orderId: string;
  customerId: string;
  placedAtMs: number;
  currency: string;
  total: number;
  linesValue: number;
  refunded: number;
  status: "placed" | "cancelled";
  lines: StoredLine[];
}

type Adjustment = OrderCancelled | OrderReturned;

interface OrderRow {
  order_id: string;
  customer_id: string;
  placed_at_ms: number;
  currency: string;
  total: number;
  lines_value: number;
  refunded: number;
  status: "placed" | "cancelled";
}

interface LineRow {
  order_id: string;
  line_no: number;
  product_id: string;
  category: string | null;
  quantity: number;
  unit_price: number;
  returned_quantity: number;
}

interface AdjustmentRow {
  event_id: string;
  order_id: string;
  kind: "cancel" | "return";
  occurred_at_ms: number;
  items: string | null;
}

const UPSERT_ORDERS = {
  into: "INSERT INTO customer_orders (order_id, customer_id, placed_at_ms, placed_month, currency, total, lines_value, refunded, status, updated_at_ms)",
  columnCount: 10,
  onConflict: "ON CONFLICT (order_id) DO UPDATE SET refunded = excluded.refunded, status = excluded.status, updated_at_ms = excluded.updated_at_ms",
};
const UPSERT_LINES = {
  into: "INSERT INTO customer_order_lines (order_id, line_no, product_id, category, quantity, unit_price, returned_quantity)",
  columnCount: 7,
  onConflict: "ON CONFLICT (order_id, line_no) DO UPDATE SET returned_quantity = excluded.returned_quantity",
};
const PARK_ADJUSTMENTS = {
  into: "INSERT INTO customer_order_adjustments (event_id, order_id, kind, occurred_at_ms, items)",
  columnCount: 5,
  onConflict: "ON CONFLICT (event_id) DO NOTHING",
};

const lineValue = (line: { quantity: number; unitPrice: number }) => line.quantity * line.unitPrice;

export class OrderBook {
  private readonly orders = new Map<string, StoredOrder>();
  private readonly changed = new Set<StoredOrder>();
  private readonly parked: Adjustment[] = [];
  /** parked adjustments of earlier batches, by order id, until their order is placed */
  private readonly waiting = new Map<string, Adjustment[]>();
  private readonly unparkedOrderIds = new Set<string>();

  private constructor() {}

  /** Loads the stored orders (with lines) and parked adjustments the batch's order events refer to. */
  static async load(tx: SqlExecutor, events: readonly CustomerEvent[]): Promise<OrderBook> {
    const book = new OrderBook();
    const placedIds = events.flatMap((event) => (event.type === "order_placed" ? [event.orderId] : []));
    const adjustedIds = events.flatMap((event) => (event.type === "order_cancelled" || event.type === "order_returned" ? [event.orderId] : []));
    if (placedIds.length + adjustedIds.length === 0) return book;
    const orderRows = await selectIn<OrderRow>(
      tx,
      (list) => `SELECT order_id, customer_id, placed_at_ms, currency, total, lines_value, refunded, status FROM customer_orders WHERE order_id IN ${list}`,
      [...placedIds, ...adjustedIds],
    );
    for (const row of orderRows) {
      book.orders.set(row.order_id, {
        orderId: row.order_id,
        customerId: row.customer_id,
        placedAtMs: Number(row.placed_at_ms),
        currency: row.currency,
        total: row.total,
        linesValue: row.lines_value,
        refunded: row.refunded,
        status: row.status,
        lines: [],
      });
    }
    // Only adjustments need stored lines; a placement of a known order_id is ignored anyway.
    const lineRows = await selectIn<LineRow>(
      tx,
      (list) => `SELECT order_id, line_no, product_id, category, quantity, unit_price, returned_quantity FROM customer_order_lines WHERE order_id IN ${list} ORDER BY order_id, line_no`,
      adjustedIds.filter((id) => book.orders.has(id)),
    );
    for (const row of lineRows) {
      book.orders.get(row.order_id)?.lines.push({
        lineNo: row.line_no,
        productId: row.product_id,
        category: row.category,
        quantity: row.quantity,
        unitPrice: row.unit_price,
        returnedQuantity: row.returned_quantity,
      });
    }
    const waitingRows = await selectIn<AdjustmentRow>(
      tx,
      (list) => `SELECT event_id, order_id, kind, occurred_at_ms, items FROM customer_order_adjustments WHERE order_id IN ${list} ORDER BY occurred_at_ms, event_id`,
      placedIds.filter((id) => !book.orders.has(id)),
    );
    for (const row of waitingRows) {
      const common = { eventId: row.event_id, atMs: Number(row.occurred_at_ms), customerId: null, sessionId: null, orderId: row.order_id };
      const adjustment: Adjustment =
        row.kind === "cancel" ? { ...common, type: "order_cancelled" } : { ...common, type: "order_returned", items: JSON.parse(row.items ?? "[]") as ReturnedItem[] };
      const list = book.waiting.get(row.order_id);
      if (list) list.push(adjustment);
      else book.waiting.set(row.order_id, [adjustment]);
    }
    return book;
  }

  /** Books an order; false when its order_id is already booked (the first order_placed wins). */
  place(event: OrderPlaced, changes: ProfileChanges): boolean {
    if (this.orders.has(event.orderId)) return false;
    const order: StoredOrder = {
      orderId: event.orderId,
      customerId: event.customerId,
      placedAtMs: event.atMs,
      currency: event.currency,
      total: event.total,
      linesValue: event.lines.reduce((sum, line) => sum + lineValue(line), 0),
      refunded: 0,
      status: "placed",
      lines: event.lines.map((line, index) => ({ ...line, lineNo: index + 1, returnedQuantity: 0 })),
    };
    this.orders.set(order.orderId, order);
    this.changed.add(order);
    changes.orderPlaced(order.customerId, event.atMs, order.total);
    for (const line of order.lines) {
      if (line.category !== null) changes.categorySpend(order.customerId, line.category, lineValue(line), line.quantity);
    }
    const waiting = this.waiting.get(order.orderId);
    if (waiting) {
      this.waiting.delete(order.orderId);
      this.unparkedOrderIds.add(order.orderId);
      for (const adjustment of waiting) this.adjust(adjustment, changes);
    }
    return true;
  }

  /** Applies a cancellation or return, or parks it until its order is booked. */
  adjust(event: Adjustment, changes: ProfileChanges): void {
    const order = this.orders.get(event.orderId);
    if (!order) {
      this.parked.push(event);
      return;
    }
    if (order.status === "cancelled") return;
    if (event.type === "order_cancelled") this.cancel(order, event.atMs, changes);
    else this.takeBack(order, event.items, event.atMs, changes);
  }

  private cancel(order: StoredOrder, atMs: number, changes: ProfileChanges): void {
    for (const line of order.lines) {
      const kept = line.quantity - line.returnedQuantity;
      if (kept > 0 && line.category !== null) changes.categorySpend(order.customerId, line.category, -kept * line.unitPrice, -kept);
    }
    changes.orderCancelled(order.customerId, atMs, order.total - order.refunded);
    order.refunded = order.total;
    order.status = "cancelled";
    this.changed.add(order);
  }

  private takeBack(order: StoredOrder, items: readonly ReturnedItem[], atMs: number, changes: ProfileChanges): void {
    const firstReturn = order.lines.every((line) => line.returnedQuantity === 0);
    let returnedValue = 0;
    for (const item of items) {
      let remaining = item.quantity;
      for (const line of order.lines) {
        if (remaining === 0) break;
        if (line.productId !== item.productId) continue;
        const taken = Math.min(remaining, line.quantity - line.returnedQuantity);
        if (taken <= 0) continue;
        line.returnedQuantity += taken;
        remaining -= taken;
        returnedValue += taken * line.unitPrice;
        if (line.category !== null) changes.categorySpend(order.customerId, line.category, -taken * line.unitPrice, -taken);
      }
    }
    if (returnedValue === 0) return;
    const share = order.linesValue > 0 ? returnedValue / order.linesValue : 0;
    const refund = Math.min(order.total * share, order.total - order.refunded);
    order.refunded += refund;
    changes.orderReturned(order.customerId, atMs, refund, firstReturn);
    this.changed.add(order);
  }

  async save(tx: SqlExecutor, nowMs: number): Promise<void> {
    const orders = [...this.changed];
    await insertRows(
      tx,
      UPSERT_ORDERS,
      orders.map((o) => [o.orderId, o.customerId, o.placedAtMs, monthOf(o.placedAtMs), o.currency, o.total, o.linesValue, o.refunded, o.status, nowMs]),
    );
    await insertRows(
      tx,
      UPSERT_LINES,
      orders.flatMap((o) => o.lines.map((l) => [o.orderId, l.lineNo, l.productId, l.category, l.quantity, l.unitPrice, l.returnedQuantity])),
    );
    await insertRows(
      tx,
      PARK_ADJUSTMENTS,
      this.parked.map((a) => [a.eventId, a.orderId, a.type === "order_cancelled" ? "cancel" : "return", a.atMs, a.type === "order_returned" ? JSON.stringify(a.items) : null]),
    );
    if (this.unparkedOrderIds.size > 0) {
      await runIn(tx, (list) => `DELETE FROM customer_order_adjustments WHERE order_id IN ${list}`, this.unparkedOrderIds);
    }
  }
}
