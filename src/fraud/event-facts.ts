// What the fraud rules need from a curated order or payment event, read defensively: the curated stream
// may carry records from foreign producers, and one malformed record must not stop the function.
// Nothing here reads the simulator's `simulation` label: detection sees what production would see.
import type { CuratedEvent } from "../events/index.js";

export const assessedEventTypes = ["order_placed", "payment_authorized", "payment_failed"] as const;
export type AssessedEventType = (typeof assessedEventTypes)[number];

/** How an event counts in the windows: an order, or a payment attempt that went through or failed. */
export type ActivityKind = "order" | "authorized" | "failed";

const kindOf: Record<AssessedEventType, ActivityKind> = {
  order_placed: "order",
  payment_authorized: "authorized",
  payment_failed: "failed",
};

export interface EventFacts {
  eventId: string;
  eventType: AssessedEventType;
  kind: ActivityKind;
  /** RFC 3339 UTC, as curated */
  occurredAt: string;
  occurredMs: number;
  orderId: string;
  /** absent on a payment that does not name its customer; the order may */
  customerId?: string;
  /** the order total, or the payment amount */
  amount: number;
  /** payments by card (or a wallet over a card) */
  cardFingerprint?: string;
  /** orders only */
  shippingCountry?: string;
  billingCountry?: string;
  accountCreatedMs?: number;
}

/** The types the function assesses: it reads no other records. */
export const ASSESSED_EVENT_TYPES: ReadonlySet<string> = new Set(assessedEventTypes);

export function isAssessedEventType(type: string): type is AssessedEventType {
  return Object.hasOwn(kindOf, type);
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined);

/** The facts of an order or payment event; undefined for other types, or when a needed field is unusable. */
export function eventFactsOf(event: CuratedEvent): EventFacts | undefined {
  const type: string = event.type;
  if (!isAssessedEventType(type)) return undefined;
  const payload = event.payload;
  const occurredMs = Date.parse(event.occurred_at);
  const orderId = text(payload["order_id"]);
  const amount = payload[type === "order_placed" ? "total" : "amount"];
  if (!Number.isFinite(occurredMs) || orderId === undefined || typeof amount !== "number" || !Number.isFinite(amount)) return undefined;
  const facts: EventFacts = { eventId: event.event_id, eventType: type, kind: kindOf[type], occurredAt: event.occurred_at, occurredMs, orderId, amount };
  const customerId = text(payload["customer_id"]) ?? event.customer_id;
  if (customerId !== undefined) facts.customerId = customerId;
  if (type === "order_placed") {
    const shipping = text(payload["shipping_country"]);
    const billing = text(payload["billing_country"]);
    if (shipping !== undefined) facts.shippingCountry = shipping;
    if (billing !== undefined) facts.billingCountry = billing;
    const createdMs = Date.parse(text(payload["account_created_at"]) ?? "");
    if (Number.isFinite(createdMs)) facts.accountCreatedMs = createdMs;
  } else {
    const card = text(payload["card_fingerprint"]);
    if (card !== undefined) facts.cardFingerprint = card;
  }
  return facts;
}
