// The event envelope and each event type's payload schema. Ingest validates against these, the simulator
// produces them, and the functions and lake rely on them. See docs/specs/event-envelope.md.
import { Type, type Static, type TSchema } from "@sinclair/typebox";

const Id = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });
const Money = (description: string) => Type.Number({ minimum: 0, maximum: 1e9, description });
const Quantity = Type.Integer({ minimum: 1, maximum: 100_000, description: "units, a positive integer" });

const CardFingerprint = Type.String({
  minLength: 1,
  maxLength: 128,
  description: "the processor's stable card fingerprint, never the card number",
});

const LineItem = Type.Object(
  {
    product_id: Id("catalog product id"),
    quantity: Quantity,
    unit_price: Money("price of one unit, in the order currency"),
  },
  { additionalProperties: true },
);

/** One schema per event type. Payloads may carry extra fields; the lake keeps them in `extra`. */
export const payloadSchemas = {
  page_view: Type.Object(
    {
      session_id: Id("browsing session id"),
      customer_id: Type.Optional(Id("customer id, absent for anonymous visitors")),
      page: Type.String({ minLength: 1, maxLength: 2048, description: "page path, e.g. /category/shoes" }),
      referrer: Type.Optional(Type.String({ maxLength: 2048 })),
      device: Type.Optional(Type.String({ maxLength: 64 })),
    },
    { additionalProperties: true },
  ),
  product_view: Type.Object(
    {
      session_id: Id("browsing session id"),
      customer_id: Type.Optional(Id("customer id")),
      product_id: Id("catalog product id"),
    },
    { additionalProperties: true },
  ),
  add_to_cart: Type.Object(
    {
      session_id: Id("browsing session id"),
      customer_id: Type.Optional(Id("customer id")),
      product_id: Id("catalog product id"),
      quantity: Quantity,
      unit_price: Money("price of one unit"),
    },
    { additionalProperties: true },
  ),
  checkout_started: Type.Object(
    {
      session_id: Id("browsing session id"),
      customer_id: Type.Optional(Id("customer id")),
      cart_value: Money("cart total"),
      item_count: Type.Integer({ minimum: 0, maximum: 100_000 }),
    },
    { additionalProperties: true },
  ),
  order_placed: Type.Object(
    {
      order_id: Id("order id, unique per order"),
      customer_id: Id("customer id"),
      session_id: Type.Optional(Id("browsing session id")),
      store_id: Id("fulfilling store id"),
      currency: Type.String({ pattern: "^[A-Z]{3}$", description: "ISO 4217 code" }),
      items: Type.Array(LineItem, { minItems: 1, maxItems: 1000 }),
      subtotal: Type.Optional(Money("sum of the line items")),
      shipping: Type.Optional(Money("shipping charged")),
      tax: Type.Optional(Money("tax charged")),
      total: Money("order total including shipping and tax"),
      payment_method: Type.Optional(Type.String({ maxLength: 32 })),
      shipping_country: Type.Optional(Type.String({ pattern: "^[A-Z]{2}$" })),
      billing_country: Type.Optional(Type.String({ pattern: "^[A-Z]{2}$" })),
      account_created_at: Type.Optional(Type.String({ format: "date-time", description: "when the customer's account was opened" })),
    },
    { additionalProperties: true },
  ),
  payment_authorized: Type.Object(
    {
      order_id: Id("order id"),
      payment_id: Id("payment id"),
      customer_id: Type.Optional(Id("customer id")),
      amount: Money("amount authorized"),
      method: Type.String({ minLength: 1, maxLength: 32 }),
      card_fingerprint: Type.Optional(CardFingerprint),
    },
    { additionalProperties: true },
  ),
  payment_failed: Type.Object(
    {
      order_id: Id("order id"),
      payment_id: Id("payment id"),
      customer_id: Type.Optional(Id("customer id")),
      amount: Money("amount attempted"),
      method: Type.String({ minLength: 1, maxLength: 32 }),
      card_fingerprint: Type.Optional(CardFingerprint),
      reason: Type.String({ minLength: 1, maxLength: 256 }),
    },
    { additionalProperties: true },
  ),
  order_cancelled: Type.Object(
    {
      order_id: Id("order id"),
      customer_id: Type.Optional(Id("customer id")),
      reason: Type.Optional(Type.String({ maxLength: 256 })),
    },
    { additionalProperties: true },
  ),
  order_returned: Type.Object(
    {
      order_id: Id("order id"),
      customer_id: Type.Optional(Id("customer id")),
      store_id: Id("store that takes the stock back"),
      items: Type.Array(
        Type.Object({ product_id: Id("catalog product id"), quantity: Quantity }, { additionalProperties: true }),
        { minItems: 1, maxItems: 1000 },
      ),
      reason: Type.Optional(Type.String({ maxLength: 256 })),
    },
    { additionalProperties: true },
  ),
  review_submitted: Type.Object(
    {
      review_id: Id("review id"),
      product_id: Id("catalog product id"),
      customer_id: Id("customer id"),
      rating: Type.Integer({ minimum: 1, maximum: 5 }),
      title: Type.Optional(Type.String({ maxLength: 256 })),
      body: Type.Optional(Type.String({ maxLength: 10_000 })),
    },
    { additionalProperties: true },
  ),
  inventory_snapshot: Type.Object(
    {
      store_id: Id("store id"),
      product_id: Id("catalog product id"),
      on_hand: Type.Integer({ minimum: 0, maximum: 1e9, description: "units on the shelf" }),
      reorder_point: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e9, description: "below this, the store needs stock" })),
      target_level: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e9, description: "a replenishment fills the shelf up to this" })),
    },
    { additionalProperties: true },
  ),
  replenishment_delivered: Type.Object(
    {
      store_id: Id("store id"),
      product_id: Id("catalog product id"),
      quantity: Quantity,
      truck_id: Type.Optional(Id("truck id")),
      dispatch_id: Type.Optional(Id("the dispatch that delivered it")),
    },
    { additionalProperties: true },
  ),
  truck_dispatched: Type.Object(
    {
      dispatch_id: Id("dispatch id, one per truck trip"),
      truck_id: Id("truck id"),
      depot_id: Id("depot the truck leaves from"),
      store_id: Id("store the truck drives to"),
      items: Type.Array(
        Type.Object({ product_id: Id("catalog product id"), quantity: Quantity }, { additionalProperties: true }),
        { minItems: 1, maxItems: 10_000 },
      ),
      eta: Type.Optional(Type.String({ format: "date-time", description: "expected arrival, shop time" })),
    },
    { additionalProperties: true },
  ),
  truck_arrived: Type.Object(
    {
      dispatch_id: Id("dispatch id"),
      truck_id: Id("truck id"),
      store_id: Id("store the truck arrived at"),
    },
    { additionalProperties: true },
  ),
} satisfies Record<string, TSchema>;

/**
 * Events the pipeline itself derives and appends to the curated stream. Ingest refuses them, so no
 * producer can forge, say, a fraud alert; the lake and the dashboard read them like any other event.
 */
export const derivedPayloadSchemas = {
  fraud_alert: Type.Object(
    {
      alert_id: Id("alert id, derived from the triggering event id"),
      trigger_event_id: Id("the order_placed or payment event that raised it"),
      trigger_event_type: Type.Union([Type.Literal("order_placed"), Type.Literal("payment_authorized"), Type.Literal("payment_failed")]),
      order_id: Id("the order the alert is about"),
      customer_id: Type.Optional(Id("the order's customer")),
      card_fingerprint: Type.Optional(CardFingerprint),
      score: Type.Number({ minimum: 0, maximum: 1, description: "1 − Π(1 − weight) over the reasons" }),
      threshold: Type.Number({ minimum: 0, maximum: 1 }),
      reasons: Type.Array(
        Type.Object(
          {
            rule: Type.String({ minLength: 1, maxLength: 64 }),
            weight: Type.Number({ minimum: 0, maximum: 1 }),
            value: Type.Number(),
            threshold: Type.Number(),
            detail: Type.String({ maxLength: 1024 }),
          },
          { additionalProperties: true },
        ),
        { minItems: 1, maxItems: 32 },
      ),
    },
    { additionalProperties: true },
  ),
  stock_level: Type.Object(
    {
      store_id: Id("store id"),
      product_id: Id("catalog product id"),
      on_hand: Type.Integer({ minimum: 0, maximum: 1e9, description: "units on the shelf after the batch" }),
      reserved: Type.Integer({ minimum: 0, maximum: 1e9, description: "units promised to open orders after the batch" }),
      available: Type.Integer({ minimum: -1e9, maximum: 1e9, description: "on_hand − reserved" }),
      reorder_point: Type.Integer({ minimum: 0, maximum: 1e9, description: "below this, the store needs stock" }),
      target_level: Type.Integer({ minimum: 0, maximum: 1e9, description: "a replenishment fills the shelf up to this" }),
      moves: Type.Integer({ minimum: 1, maximum: 1e9, description: "events of the batch that moved this level" }),
      last_event_id: Id("the last of them"),
      last_event_type: Type.String({ minLength: 1, maxLength: 64, description: "its type, e.g. order_placed or replenishment_delivered" }),
    },
    { additionalProperties: true },
  ),
  low_stock_alert: Type.Object(
    {
      alert_id: Id("alert id, derived from the triggering event id, store and product"),
      trigger_event_id: Id("the event whose reservation took available below the reorder point"),
      store_id: Id("store id"),
      product_id: Id("catalog product id"),
      available: Type.Integer({ minimum: -1e9, maximum: 1e9, description: "on_hand − reserved just after the move" }),
      reorder_point: Type.Integer({ minimum: 0, maximum: 1e9 }),
    },
    { additionalProperties: true },
  ),
} satisfies Record<string, TSchema>;

export type DerivedEventType = keyof typeof derivedPayloadSchemas;

/** The payload of each derived event type, as the functions that derive them build it. */
export type DerivedPayloads = { [K in DerivedEventType]: Static<(typeof derivedPayloadSchemas)[K]> };

export type EventType = keyof typeof payloadSchemas;
export const eventTypes = Object.keys(payloadSchemas) as EventType[];

export const envelopeSchema = Type.Object(
  {
    event_id: Id("globally unique id; the pipeline's effects are idempotent by it"),
    type: Type.String({ minLength: 1, maxLength: 64, description: `one of: ${eventTypes.join(", ")}` }),
    occurred_at: Type.String({ format: "date-time", description: "event time, RFC 3339 with a zone" }),
    source: Type.Optional(Type.String({ maxLength: 128, description: "producer name" })),
    partition_key: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "stream routing key" })),
    payload: Type.Object({}, { additionalProperties: true, description: "the type's payload" }),
  },
  { additionalProperties: false },
);

export type Payloads = { [K in EventType]: Static<(typeof payloadSchemas)[K]> };

/** An event as accepted by ingest: the envelope with a typed payload. */
export type ShopEvent<K extends EventType = EventType> = K extends EventType
  ? {
      event_id: string;
      type: K;
      occurred_at: string;
      source?: string;
      partition_key?: string;
      payload: Payloads[K];
    }
  : never;

/** What the stream stores: the accepted event plus the time ingest stamped on it. */
export type IngestedEvent = ShopEvent & { ingested_at: string };
