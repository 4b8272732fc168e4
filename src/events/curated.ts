// The curated event: what the enrich function writes to the `curated` stream, and what the lake, the
// orders function and analytics read. Ids that joins and partitions need are hoisted to the top level.
import type { DerivedEventType, EventType } from "./schemas.js";

export interface StoreInfo {
  name: string;
  city: string;
  region: string;
  country: string;
}

export interface ProductInfo {
  name: string;
  category: string;
  list_price: number;
}

export interface CuratedEvent {
  event_id: string;
  type: EventType | DerivedEventType;
  /** event time, normalised to RFC 3339 UTC with milliseconds */
  occurred_at: string;
  /** when ingest accepted the event, RFC 3339 UTC with milliseconds */
  ingested_at: string;
  source?: string;
  customer_id?: string;
  session_id?: string;
  store_id?: string;
  order_id?: string;
  product_id?: string;
  /** catalog data for store_id, when the store is known */
  store?: StoreInfo;
  /** catalog data for product_id, when the product is known */
  product?: ProductInfo;
  /** the payload as sent; line items of orders and returns gain `name` and `category` when known */
  payload: Record<string, unknown>;
}
