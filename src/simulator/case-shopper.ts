// How an injected case uses the storefront: it walks the same funnel as any shopper (landing, product
// views, cart, checkout, order), takes real stock, is priced like any order, and pays with a card. Every
// event carries the case's label. Fraud and benign look-alikes both shop through here; they differ only
// in who shops, what they buy, how fast, and which cards they use.
import type { Customer, Product } from "./catalog.js";
import type { CaseScript } from "./case-script.js";
import type { SimulationContext } from "./context.js";
import type { PayloadOf } from "./event-writer.js";
import { cents, priceOrder, type OrderLine } from "./pricing.js";
import type { Random } from "./random.js";
import { segmentBehaviours } from "./segments.js";
import { SIMULATION_LABEL_FIELD, type SimulationLabel } from "./simulation-label.js";

/** Everything a case's steps share: the world, the case's own random stream and its label. */
export interface CaseContext {
  ctx: SimulationContext;
  random: Random;
  label: SimulationLabel;
  script: CaseScript;
}

export interface BasketLine {
  productIndex: number;
  quantity: number;
}

/** How quickly the shopper moves through the funnel: a script clicks in seconds, a person takes longer. */
export type Pace = "bot" | "person";
const meanStepMs: Record<Pace, number> = { bot: 3_000, person: 20_000 };

export interface OrderPlan {
  customer: Customer;
  storeIndex: number;
  lines: readonly BasketLine[];
  paymentMethod: string;
  /** the card's country */
  billingCountry: string;
  /** where the order ships; default the customer's country */
  shippingCountry?: string;
  pace: Pace;
}

export interface PlacedCaseOrder {
  orderId: string;
  customer: Customer;
  storeIndex: number;
  lines: OrderLine[];
  totalUsd: number;
  paymentMethod: string;
}

const devices = ["mobile", "desktop"] as const;

export function labelled<T extends object>(caseContext: CaseContext, payload: T): T {
  return { ...payload, [SIMULATION_LABEL_FIELD]: caseContext.label };
}

function product(ctx: SimulationContext, index: number): Product {
  return ctx.catalog.products[index] as Product;
}

/**
 * Schedules one session from `startMs` that ends in an order; `onPlaced` runs at the order's time with
 * what was actually sold (the shelf may have emptied meanwhile; with nothing left there is no order).
 * Returns the shop time the order is placed at.
 */
export function shopAndOrder(caseContext: CaseContext, startMs: number, plan: OrderPlan, onPlaced: (order: PlacedCaseOrder, nowMs: number) => void): number {
  const { ctx, random, script } = caseContext;
  const sessionId = ctx.ids.next("ss");
  const customerId = plan.customer.customer_id;
  const device = random.pick(devices);
  const stepMs = () => 1_000 + random.exponential(meanStepMs[plan.pace]);
  const emit = <K extends "page_view" | "product_view" | "add_to_cart" | "checkout_started">(type: K, payload: PayloadOf<K>) => (nowMs: number) =>
    ctx.writer.emit(type, nowMs, labelled(caseContext, payload));

  let atMs = startMs;
  const first = product(ctx, (plan.lines[0] as BasketLine).productIndex);
  script.at(atMs, emit("page_view", { session_id: sessionId, customer_id: customerId, page: `/product/${first.product_id}`, device }));
  const shopper = { session_id: sessionId, customer_id: customerId };
  for (const line of plan.lines) {
    const item = product(ctx, line.productIndex);
    const { product_id, category, price } = item;
    script.at((atMs += stepMs()), emit("product_view", { ...shopper, product_id, category, price, in_stock: true }));
    script.at((atMs += stepMs()), emit("add_to_cart", { ...shopper, product_id, quantity: line.quantity, unit_price: price }));
  }
  const cartValueUsd = plan.lines.reduce((sum, line) => sum + line.quantity * product(ctx, line.productIndex).price, 0);
  const itemCount = plan.lines.reduce((sum, line) => sum + line.quantity, 0);
  script.at((atMs += stepMs()), emit("checkout_started", { ...shopper, cart_value: cents(cartValueUsd), item_count: itemCount }));
  script.at((atMs += stepMs()), (nowMs) => {
    const order = placeOrder(caseContext, nowMs, plan, sessionId, device);
    if (order) onPlaced(order, nowMs);
  });
  return atMs;
}

function placeOrder(caseContext: CaseContext, nowMs: number, plan: OrderPlan, sessionId: string, device: string): PlacedCaseOrder | undefined {
  const { ctx } = caseContext;
  const lines: OrderLine[] = [];
  for (const line of plan.lines) {
    const taken = ctx.stock.take(plan.storeIndex, line.productIndex, line.quantity);
    if (taken > 0) lines.push({ productIndex: line.productIndex, quantity: taken, unitPriceUsd: product(ctx, line.productIndex).price });
  }
  if (lines.length === 0) return undefined;
  const shippingCountry = plan.shippingCountry ?? plan.customer.country;
  // Shipping and tax follow the destination, as for any order.
  const destination = shippingCountry === plan.customer.country ? plan.customer : { ...plan.customer, country: shippingCountry };
  const price = priceOrder(lines, destination, segmentBehaviours[plan.customer.segment]);
  const orderId = ctx.ids.next("or");
  const store = ctx.catalog.stores[plan.storeIndex] as (typeof ctx.catalog.stores)[number];
  ctx.writer.emit(
    "order_placed",
    nowMs,
    labelled(caseContext, {
      order_id: orderId,
      customer_id: plan.customer.customer_id,
      session_id: sessionId,
      store_id: store.store_id,
      currency: "USD",
      items: lines.map((line) => ({ product_id: product(ctx, line.productIndex).product_id, quantity: line.quantity, unit_price: line.unitPriceUsd })),
      subtotal: price.subtotalUsd,
      shipping: price.shippingUsd,
      tax: price.taxUsd,
      total: price.totalUsd,
      payment_method: plan.paymentMethod,
      shipping_country: shippingCountry,
      billing_country: plan.billingCountry,
      device,
      account_created_at: plan.customer.signed_up_at,
    }),
  );
  // A customer's history is what they did; a fraudster's orders on their account are not their habit.
  if ("benign_lookalike" in caseContext.label) ctx.customerHistory.recordOrder(plan.customer, price.totalUsd);
  else ctx.customerHistory.recordAbuse(plan.customer.customer_id);
  return { orderId, customer: plan.customer, storeIndex: plan.storeIndex, lines, totalUsd: price.totalUsd, paymentMethod: plan.paymentMethod };
}

/** One payment attempt for the order's total with `cardFingerprint`: authorized, or failed for `failureReason`. */
export function pay(caseContext: CaseContext, nowMs: number, order: PlacedCaseOrder, cardFingerprint: string, failureReason?: string): void {
  const { ctx } = caseContext;
  const payment = labelled(caseContext, {
    order_id: order.orderId,
    payment_id: ctx.ids.next("pa"),
    customer_id: order.customer.customer_id,
    amount: order.totalUsd,
    method: order.paymentMethod,
    card_fingerprint: cardFingerprint,
  });
  if (failureReason === undefined) ctx.writer.emit("payment_authorized", nowMs, payment);
  else ctx.writer.emit("payment_failed", nowMs, { ...payment, reason: failureReason });
}

/** The shop gives up on an order nobody paid for, and its stock goes back on the shelf. */
export function cancelUnpaid(caseContext: CaseContext, nowMs: number, order: PlacedCaseOrder): void {
  const { ctx } = caseContext;
  for (const line of order.lines) ctx.stock.put(order.storeIndex, line.productIndex, line.quantity);
  ctx.writer.emit("order_cancelled", nowMs, labelled(caseContext, { order_id: order.orderId, customer_id: order.customer.customer_id, reason: "payment_failed" }));
}
