// The lake's tables: one schema per table, with DuckDB column types, where each value comes from in a
// curated event, and its Hive partition columns. Delivery (validation and Parquet conversion), analytics
// (views) and the docs all read these definitions, so a column is declared once.
import { derivedPayloadSchemas, type DerivedEventType, type EventType } from "../events/index.js";

export type LakeColumnType =
  | "VARCHAR"
  | "INTEGER"
  | "BIGINT"
  | "DOUBLE"
  | "DECIMAL(18,4)"
  | "BOOLEAN"
  | "TIMESTAMPTZ"
  | "DATE"
  | "JSON";

/** Top-level fields of a curated event that a column can take as they are. */
export type EnvelopeField =
  | "event_id"
  | "occurred_at"
  | "ingested_at"
  | "source"
  | "customer_id"
  | "session_id"
  | "store_id"
  | "order_id"
  | "product_id"
  | "payload";

/** Where a column's value comes from. */
export type ColumnValue =
  | { from: "envelope"; field: EnvelopeField }
  | { from: "payload"; field: string }
  | { from: "store"; field: "name" | "city" | "region" | "country" }
  | { from: "product"; field: "name" | "category" | "list_price" }
  /** a field of one line item (tables with the line_item grain) */
  | { from: "line"; field: string }
  /** the 1-based position of the line item in its order */
  | { from: "line_number" }
  /** the payload's (or, per line, the line item's) fields that no column takes, as a JSON object; NULL when none */
  | { from: "extra" }
  /**
   * A DuckDB expression over values that were validated first: `type`, `p.<payload field>` and
   * `line.<line field>`, e.g. the quantity times unit price of a line.
   */
  | { from: "sql"; expression: string };

export interface LakeColumn {
  name: string;
  type: LakeColumnType;
  description: string;
  value: ColumnValue;
  /** a record without this value is refused (error prefix) rather than stored with a NULL */
  required?: boolean;
}

export interface PartitionColumn {
  name: "type" | "dt" | "hour";
  type: LakeColumnType;
  description: string;
}

/** The line items a table reads: a payload array of objects, with the fields and types it relies on. */
export interface LineItemsSpec {
  field: string;
  fields: Readonly<Record<string, { type: LakeColumnType; required?: boolean }>>;
}

export interface LakeTable {
  name: string;
  description: string;
  /** the curated event types that feed the table; every type when absent */
  eventTypes?: readonly (EventType | DerivedEventType)[];
  /** with no eventTypes: the types this table does not take, because they have tables of their own */
  excludedEventTypes?: readonly string[];
  /** one row per event, or one row per line item of the event */
  grain: "event" | "line_item";
  lineItems?: LineItemsSpec;
  /** the columns stored in each Parquet file, in file order */
  columns: readonly LakeColumn[];
  /** the Hive partition columns: in object keys (`dt=2026-01-05/hour=08`), not in the files */
  partitionColumns: readonly PartitionColumn[];
}

const MONEY = "DECIMAL(18,4)" satisfies LakeColumnType;

const TYPE: PartitionColumn = { name: "type", type: "VARCHAR", description: "event type" };
const DT: PartitionColumn = { name: "dt", type: "DATE", description: "UTC date of occurred_at" };
const HOUR: PartitionColumn = { name: "hour", type: "INTEGER", description: "UTC hour of occurred_at, 0 to 23" };

const envelope = (field: EnvelopeField): ColumnValue => ({ from: "envelope", field });
const payload = (field: string): ColumnValue => ({ from: "payload", field });
const line = (field: string): ColumnValue => ({ from: "line", field });
const sql = (expression: string): ColumnValue => ({ from: "sql", expression });
const EXTRA: ColumnValue = { from: "extra" };

const eventId: LakeColumn = { name: "event_id", type: "VARCHAR", description: "id of the source event", value: envelope("event_id") };
const occurredAt: LakeColumn = { name: "occurred_at", type: "TIMESTAMPTZ", description: "event time (UTC)", value: envelope("occurred_at") };
const extra = (what: string): LakeColumn => ({
  name: "extra",
  type: "JSON",
  description: `fields of the ${what} that no column takes, as a JSON object; NULL when there are none`,
  value: EXTRA,
});

/** What an order's line items must hold: shared by `orders` (its totals) and `order_items` (its rows). */
const ORDER_LINES: LineItemsSpec = {
  field: "items",
  fields: {
    product_id: { type: "VARCHAR", required: true },
    quantity: { type: "INTEGER", required: true },
    unit_price: { type: MONEY, required: true },
    name: { type: "VARCHAR" },
    category: { type: "VARCHAR" },
  },
};

export const LAKE_TABLES = [
  {
    name: "events",
    description: "every accepted event, its payload as JSON (events the pipeline derives, such as fraud alerts, have tables of their own)",
    excludedEventTypes: Object.keys(derivedPayloadSchemas),
    grain: "event",
    columns: [
      eventId,
      occurredAt,
      { name: "ingested_at", type: "TIMESTAMPTZ", description: "when ingest accepted the event (UTC)", value: envelope("ingested_at") },
      { name: "source", type: "VARCHAR", description: "producer name", value: envelope("source") },
      { name: "customer_id", type: "VARCHAR", description: "customer, when the event has one", value: envelope("customer_id") },
      { name: "session_id", type: "VARCHAR", description: "browsing session, when the event has one", value: envelope("session_id") },
      { name: "store_id", type: "VARCHAR", description: "store, when the event has one", value: envelope("store_id") },
      { name: "order_id", type: "VARCHAR", description: "order, when the event has one", value: envelope("order_id") },
      { name: "product_id", type: "VARCHAR", description: "product, when the event has one", value: envelope("product_id") },
      { name: "payload", type: "JSON", description: "the payload as sent, with catalog data on line items", value: envelope("payload") },
    ],
    partitionColumns: [TYPE, DT, HOUR],
  },
  {
    name: "orders",
    description: "one row per order_placed",
    eventTypes: ["order_placed"],
    grain: "event",
    lineItems: ORDER_LINES,
    columns: [
      { name: "order_id", type: "VARCHAR", description: "order id", value: payload("order_id"), required: true },
      eventId,
      occurredAt,
      { name: "customer_id", type: "VARCHAR", description: "customer who ordered", value: payload("customer_id") },
      { name: "session_id", type: "VARCHAR", description: "browsing session of the order", value: payload("session_id") },
      { name: "store_id", type: "VARCHAR", description: "fulfilling store", value: payload("store_id") },
      { name: "store_region", type: "VARCHAR", description: "region of the fulfilling store, from the catalog", value: { from: "store", field: "region" } },
      { name: "currency", type: "VARCHAR", description: "ISO 4217 code", value: payload("currency") },
      { name: "item_count", type: "INTEGER", description: "number of order lines", value: sql("len(p.items)") },
      { name: "units", type: "BIGINT", description: "units over all lines", value: sql("list_sum(list_transform(p.items, lambda l: l.quantity))") },
      { name: "total", type: MONEY, description: "order total including shipping and tax", value: payload("total") },
      { name: "payment_method", type: "VARCHAR", description: "payment method", value: payload("payment_method") },
      { name: "shipping_country", type: "VARCHAR", description: "ISO 3166 code", value: payload("shipping_country") },
      { name: "billing_country", type: "VARCHAR", description: "ISO 3166 code", value: payload("billing_country") },
      extra("payload (line items are in order_items)"),
    ],
    partitionColumns: [DT, HOUR],
  },
  {
    name: "order_items",
    description: "one row per line of an order_placed",
    eventTypes: ["order_placed"],
    grain: "line_item",
    lineItems: ORDER_LINES,
    columns: [
      { name: "order_id", type: "VARCHAR", description: "order id", value: payload("order_id"), required: true },
      { name: "line_no", type: "INTEGER", description: "position of the line in the order, from 1", value: { from: "line_number" } },
      { name: "product_id", type: "VARCHAR", description: "product ordered", value: line("product_id") },
      { name: "product_name", type: "VARCHAR", description: "product name, from the catalog", value: line("name") },
      { name: "category", type: "VARCHAR", description: "product category, from the catalog", value: line("category") },
      { name: "quantity", type: "INTEGER", description: "units ordered", value: line("quantity") },
      { name: "unit_price", type: MONEY, description: "price of one unit, in the order currency", value: line("unit_price") },
      { name: "line_total", type: MONEY, description: "quantity × unit_price", value: sql("line.quantity * line.unit_price") },
      { name: "store_id", type: "VARCHAR", description: "fulfilling store", value: payload("store_id") },
      { name: "customer_id", type: "VARCHAR", description: "customer who ordered", value: payload("customer_id") },
      occurredAt,
      eventId,
      extra("line item"),
    ],
    partitionColumns: [DT, HOUR],
  },
  {
    name: "page_views",
    description: "one row per page_view",
    eventTypes: ["page_view"],
    grain: "event",
    columns: [
      eventId,
      occurredAt,
      { name: "session_id", type: "VARCHAR", description: "browsing session", value: payload("session_id") },
      { name: "customer_id", type: "VARCHAR", description: "customer, NULL for anonymous visitors", value: payload("customer_id") },
      { name: "page", type: "VARCHAR", description: "page path", value: payload("page") },
      { name: "referrer", type: "VARCHAR", description: "referring URL", value: payload("referrer") },
      { name: "device", type: "VARCHAR", description: "device class", value: payload("device") },
      extra("payload"),
    ],
    partitionColumns: [DT, HOUR],
  },
  {
    name: "inventory_snapshots",
    description: "one row per inventory_snapshot a store reports",
    eventTypes: ["inventory_snapshot"],
    grain: "event",
    columns: [
      eventId,
      occurredAt,
      { name: "store_id", type: "VARCHAR", description: "reporting store", value: payload("store_id"), required: true },
      { name: "product_id", type: "VARCHAR", description: "product counted", value: payload("product_id"), required: true },
      { name: "on_hand", type: "INTEGER", description: "units on the shelf", value: payload("on_hand"), required: true },
      { name: "reorder_point", type: "INTEGER", description: "replenish below this many units", value: payload("reorder_point") },
      { name: "region", type: "VARCHAR", description: "store region, from the catalog", value: { from: "store", field: "region" } },
      { name: "product_name", type: "VARCHAR", description: "product name, from the catalog", value: { from: "product", field: "name" } },
      { name: "category", type: "VARCHAR", description: "product category, from the catalog", value: { from: "product", field: "category" } },
      extra("payload"),
    ],
    partitionColumns: [DT, HOUR],
  },
  {
    name: "reviews",
    description: "one row per review_submitted",
    eventTypes: ["review_submitted"],
    grain: "event",
    columns: [
      eventId,
      occurredAt,
      { name: "review_id", type: "VARCHAR", description: "review id", value: payload("review_id"), required: true },
      { name: "product_id", type: "VARCHAR", description: "product reviewed", value: payload("product_id") },
      { name: "customer_id", type: "VARCHAR", description: "reviewer", value: payload("customer_id") },
      { name: "rating", type: "INTEGER", description: "stars, 1 to 5", value: payload("rating"), required: true },
      { name: "title", type: "VARCHAR", description: "review title", value: payload("title") },
      { name: "body", type: "VARCHAR", description: "review text", value: payload("body") },
      { name: "product_name", type: "VARCHAR", description: "product name, from the catalog", value: { from: "product", field: "name" } },
      { name: "category", type: "VARCHAR", description: "product category, from the catalog", value: { from: "product", field: "category" } },
      extra("payload"),
    ],
    partitionColumns: [DT, HOUR],
  },
  {
    name: "payments",
    description: "one row per payment_authorized or payment_failed",
    eventTypes: ["payment_authorized", "payment_failed"],
    grain: "event",
    columns: [
      eventId,
      occurredAt,
      { name: "order_id", type: "VARCHAR", description: "order paid for", value: payload("order_id"), required: true },
      { name: "payment_id", type: "VARCHAR", description: "payment id", value: payload("payment_id") },
      { name: "customer_id", type: "VARCHAR", description: "paying customer", value: payload("customer_id") },
      { name: "amount", type: MONEY, description: "amount authorized or attempted", value: payload("amount") },
      { name: "method", type: "VARCHAR", description: "payment method", value: payload("method") },
      {
        name: "status",
        type: "VARCHAR",
        description: "authorized or failed",
        value: sql("CASE type WHEN 'payment_authorized' THEN 'authorized' ELSE 'failed' END"),
      },
      { name: "reason", type: "VARCHAR", description: "why the payment failed; NULL when authorized", value: payload("reason") },
      extra("payload"),
    ],
    partitionColumns: [DT, HOUR],
  },
  {
    name: "fraud_alerts",
    description: "one row per fraud alert the fraud function raised (derived fraud_alert events)",
    eventTypes: ["fraud_alert"],
    grain: "event",
    columns: [
      { name: "alert_id", type: "VARCHAR", description: "alert id, derived from the triggering event id", value: payload("alert_id"), required: true },
      eventId,
      { name: "occurred_at", type: "TIMESTAMPTZ", description: "event time of the triggering event (UTC)", value: envelope("occurred_at") },
      { name: "created_at", type: "TIMESTAMPTZ", description: "when the alert was raised (UTC)", value: envelope("ingested_at") },
      { name: "order_id", type: "VARCHAR", description: "the order the alert is about", value: payload("order_id"), required: true },
      { name: "customer_id", type: "VARCHAR", description: "the order's customer", value: payload("customer_id") },
      { name: "trigger_event_id", type: "VARCHAR", description: "the order_placed or payment event that raised it", value: payload("trigger_event_id") },
      { name: "trigger_event_type", type: "VARCHAR", description: "its type", value: payload("trigger_event_type") },
      { name: "card_fingerprint", type: "VARCHAR", description: "the card involved, when known", value: payload("card_fingerprint") },
      { name: "score", type: "DOUBLE", description: "0 to 1: 1 − Π(1 − weight) over the reasons", value: payload("score"), required: true },
      { name: "threshold", type: "DOUBLE", description: "the score at which an alert is raised", value: payload("threshold") },
      { name: "reasons", type: "JSON", description: "the rules that fired, with weights, values and thresholds", value: payload("reasons") },
      extra("payload"),
    ],
    partitionColumns: [DT, HOUR],
  },
  {
    name: "stock_levels",
    description:
      "stock-level history: one row per store and product an orders batch changed, with the level after the batch (derived stock_level events)",
    eventTypes: ["stock_level"],
    grain: "event",
    columns: [
      eventId,
      { name: "occurred_at", type: "TIMESTAMPTZ", description: "event time of the last event that moved the level (UTC)", value: envelope("occurred_at") },
      { name: "recorded_at", type: "TIMESTAMPTZ", description: "when the orders function recorded the level (UTC)", value: envelope("ingested_at") },
      { name: "store_id", type: "VARCHAR", description: "store", value: payload("store_id"), required: true },
      { name: "product_id", type: "VARCHAR", description: "product", value: payload("product_id"), required: true },
      { name: "on_hand", type: "INTEGER", description: "units on the shelf", value: payload("on_hand"), required: true },
      { name: "reserved", type: "INTEGER", description: "units promised to open orders", value: payload("reserved"), required: true },
      { name: "available", type: "INTEGER", description: "on_hand − reserved", value: payload("available") },
      { name: "reorder_point", type: "INTEGER", description: "below this, the store needs stock", value: payload("reorder_point") },
      { name: "target_level", type: "INTEGER", description: "a replenishment fills the shelf up to this", value: payload("target_level") },
      { name: "moves", type: "INTEGER", description: "events of the batch that moved the level", value: payload("moves") },
      { name: "last_event_id", type: "VARCHAR", description: "the last of them", value: payload("last_event_id") },
      { name: "last_event_type", type: "VARCHAR", description: "its type", value: payload("last_event_type") },
      extra("payload"),
    ],
    partitionColumns: [DT, HOUR],
  },
  {
    name: "low_stock_alerts",
    description: "one row per low-stock alert: a move took available below the reorder point (derived low_stock_alert events)",
    eventTypes: ["low_stock_alert"],
    grain: "event",
    columns: [
      { name: "alert_id", type: "VARCHAR", description: "alert id, derived from the triggering event id, store and product", value: payload("alert_id"), required: true },
      eventId,
      { name: "occurred_at", type: "TIMESTAMPTZ", description: "event time of the triggering event (UTC)", value: envelope("occurred_at") },
      { name: "created_at", type: "TIMESTAMPTZ", description: "when the alert was raised (UTC)", value: envelope("ingested_at") },
      { name: "trigger_event_id", type: "VARCHAR", description: "the event whose reservation crossed the reorder point", value: payload("trigger_event_id") },
      { name: "store_id", type: "VARCHAR", description: "store", value: payload("store_id"), required: true },
      { name: "product_id", type: "VARCHAR", description: "product", value: payload("product_id"), required: true },
      { name: "available", type: "INTEGER", description: "on_hand − reserved just after the move", value: payload("available") },
      { name: "reorder_point", type: "INTEGER", description: "the store's reorder point for the product", value: payload("reorder_point") },
      extra("payload"),
    ],
    partitionColumns: [DT, HOUR],
  },
] as const satisfies readonly LakeTable[];

export type LakeTableName = (typeof LAKE_TABLES)[number]["name"];

export function lakeTable(name: string): LakeTable | undefined {
  return (LAKE_TABLES as readonly LakeTable[]).find((table) => table.name === name);
}

/** The tables a record of `type` feeds: `events` always, plus the tables that list the type. */
/** Whether records of an event type belong in a table. */
export function tableTakesType(table: LakeTable, type: string): boolean {
  if (table.eventTypes !== undefined) return (table.eventTypes as readonly string[]).includes(type);
  return !(table.excludedEventTypes ?? []).includes(type);
}

export function tablesForEventType(type: string): LakeTable[] {
  return (LAKE_TABLES as readonly LakeTable[]).filter((table) => tableTakesType(table, type));
}
