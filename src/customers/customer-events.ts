// The curated events customer analytics reads, narrowed to the typed fields it uses. Enrich only writes
// validated events, but `curated` is an open stream: a record whose shape cannot be trusted is reported
// as invalid (and skipped by the function) rather than folded into the numbers.
import type { EventType } from "../events/index.js";

/** Events a visitor's browser or checkout sends: each is activity in a session. */
export const SESSION_ACTIVITY_TYPES: ReadonlySet<EventType> = new Set(["page_view", "product_view", "add_to_cart", "checkout_started", "order_placed"]);

/** Every type the function reads; it is handed no others. */
export const CUSTOMER_EVENT_TYPES: ReadonlySet<string> = new Set<EventType>([
  ...SESSION_ACTIVITY_TYPES,
  "payment_authorized",
  "payment_failed",
  "order_cancelled",
  "order_returned",
  "review_submitted",
]);

export interface OrderLine {
  productId: string;
  /** from the catalog, via enrich; null for a product the catalog does not know */
  category: string | null;
  quantity: number;
  unitPrice: number;
}

export interface ReturnedItem {
  productId: string;
  quantity: number;
}

interface Common {
  eventId: string;
  /** occurred_at in ms since the epoch */
  atMs: number;
  customerId: string | null;
  sessionId: string | null;
}

export type OrderPlaced = Common & { type: "order_placed"; orderId: string; customerId: string; currency: string; total: number; lines: OrderLine[] };
export type OrderCancelled = Common & { type: "order_cancelled"; orderId: string };
export type OrderReturned = Common & { type: "order_returned"; orderId: string; items: ReturnedItem[] };
export type PaymentAuthorized = Common & { type: "payment_authorized"; orderId: string };
export type OtherCustomerEvent = Common & {
  type: "page_view" | "product_view" | "add_to_cart" | "checkout_started" | "payment_failed" | "review_submitted";
};

export type CustomerEvent = OrderPlaced | OrderCancelled | OrderReturned | PaymentAuthorized | OtherCustomerEvent;

export type DecodedCustomerEvent = { kind: "event"; event: CustomerEvent } | { kind: "ignored" } | { kind: "invalid"; reason: string };

const isText = (value: unknown): value is string => typeof value === "string" && value.length > 0;
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;
const isMoney = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value >= 0;

function orderLines(items: unknown): OrderLine[] | undefined {
  if (!Array.isArray(items) || items.length === 0) return undefined;
  const lines: OrderLine[] = [];
  for (const item of items as Array<Record<string, unknown>>) {
    if (item === null || typeof item !== "object") return undefined;
    const { product_id, quantity, unit_price, category } = item;
    if (!isText(product_id) || !isCount(quantity) || !isMoney(unit_price)) return undefined;
    lines.push({ productId: product_id, category: isText(category) ? category : null, quantity, unitPrice: unit_price });
  }
  return lines;
}

function returnedItems(items: unknown): ReturnedItem[] | undefined {
  if (!Array.isArray(items) || items.length === 0) return undefined;
  const returned: ReturnedItem[] = [];
  for (const item of items as Array<Record<string, unknown>>) {
    if (item === null || typeof item !== "object" || !isText(item["product_id"]) || !isCount(item["quantity"])) return undefined;
    returned.push({ productId: item["product_id"], quantity: item["quantity"] });
  }
  return returned;
}

/** Narrows one decoded `curated` record; types customer analytics does not use are `ignored`. */
export function decodeCustomerEvent(value: unknown): DecodedCustomerEvent {
  if (value === null || typeof value !== "object") return { kind: "invalid", reason: "not an object" };
  const record = value as Record<string, unknown>;
  const type = record["type"];
  if (typeof type !== "string" || !CUSTOMER_EVENT_TYPES.has(type)) return { kind: "ignored" };
  const payload = record["payload"];
  if (payload === null || typeof payload !== "object") return { kind: "invalid", reason: "payload is not an object" };
  const p = payload as Record<string, unknown>;
  if (!isText(record["event_id"])) return { kind: "invalid", reason: "event_id is missing" };
  const atMs = typeof record["occurred_at"] === "string" ? Date.parse(record["occurred_at"]) : Number.NaN;
  if (!Number.isFinite(atMs)) return { kind: "invalid", reason: "occurred_at is not a date-time" };
  const common: Common = {
    eventId: record["event_id"],
    atMs,
    customerId: isText(p["customer_id"]) ? p["customer_id"] : null,
    sessionId: isText(p["session_id"]) ? p["session_id"] : null,
  };
  const orderId = p["order_id"];
  switch (type) {
    case "order_placed": {
      const lines = orderLines(p["items"]);
      if (!isText(orderId) || common.customerId === null || !isMoney(p["total"]) || !isText(p["currency"]) || !lines) {
        return { kind: "invalid", reason: "order_placed needs order_id, customer_id, currency, total and items" };
      }
      return { kind: "event", event: { ...common, type, orderId, customerId: common.customerId, currency: p["currency"], total: p["total"], lines } };
    }
    case "order_returned": {
      const items = returnedItems(p["items"]);
      if (!isText(orderId) || !items) return { kind: "invalid", reason: "order_returned needs order_id and items" };
      return { kind: "event", event: { ...common, type, orderId, items } };
    }
    case "order_cancelled":
    case "payment_authorized":
      if (!isText(orderId)) return { kind: "invalid", reason: `${type} needs order_id` };
      return { kind: "event", event: { ...common, type, orderId } };
    default:
      return { kind: "event", event: { ...common, type: type as OtherCustomerEvent["type"] } };
  }
}
