// Curated orders and payments built by hand, at minutes from a fixed instant, and the serving store and
// batch context the fraud function's tests and bench run with. Not part of the public surface.
import { join } from "node:path";
import type { CuratedEvent, IngestedEvent, ShopEvent } from "../events/index.js";
import { curate, type BatchContext, type CheckpointRef, type DecodedRecord } from "../functions/index.js";
import { coreMigrations, migrate, SqliteStore } from "../store/index.js";
import { fraudMigrations } from "./migrations.js";

export const T0_MS = Date.UTC(2026, 0, 5, 12);
const MINUTE_MS = 60_000;

export const at = (minutes: number): string => new Date(T0_MS + minutes * MINUTE_MS).toISOString();

function curated(type: CuratedEvent["type"], id: string, minutes: number, payload: Record<string, unknown>): CuratedEvent {
  const event: CuratedEvent = { event_id: id, type, occurred_at: at(minutes), ingested_at: at(minutes), source: "test", payload };
  for (const key of ["customer_id", "order_id", "store_id"] as const) {
    if (typeof payload[key] === "string") event[key] = payload[key];
  }
  return event;
}

export interface OrderSpec {
  id: string;
  order: string;
  customer: string;
  minutes: number;
  total: number;
  shippingCountry?: string;
  billingCountry?: string;
  /** minutes (from T0) the account was opened at; default a year before */
  accountCreatedMinutes?: number;
}

export function orderPlaced(spec: OrderSpec): CuratedEvent {
  return curated("order_placed", spec.id, spec.minutes, {
    order_id: spec.order,
    customer_id: spec.customer,
    store_id: "S001",
    currency: "USD",
    items: [{ product_id: "P0001", quantity: 1, unit_price: spec.total }],
    total: spec.total,
    shipping_country: spec.shippingCountry ?? "US",
    billing_country: spec.billingCountry ?? spec.shippingCountry ?? "US",
    account_created_at: at(spec.accountCreatedMinutes ?? -365 * 24 * 60),
  });
}

export interface PaymentSpec {
  id: string;
  order: string;
  customer?: string;
  minutes: number;
  amount: number;
  card?: string;
  /** a failure reason makes it a payment_failed */
  failure?: string;
}

export function payment(spec: PaymentSpec): CuratedEvent {
  const payload: Record<string, unknown> = { order_id: spec.order, payment_id: `pay-${spec.id}`, amount: spec.amount, method: spec.card ? "card" : "paypal" };
  if (spec.customer !== undefined) payload["customer_id"] = spec.customer;
  if (spec.card !== undefined) payload["card_fingerprint"] = spec.card;
  if (spec.failure !== undefined) payload["reason"] = spec.failure;
  return curated(spec.failure === undefined ? "payment_authorized" : "payment_failed", spec.id, spec.minutes, payload);
}

let sequence = 0;

/** Records as the runtime hands them to a built-in: decoded, in the given order. */
export function asRecords(events: readonly CuratedEvent[]): DecodedRecord<CuratedEvent>[] {
  return events.map((value) => ({ sequenceNumber: String(++sequence), partitionKey: value.customer_id ?? value.event_id, approximateArrivalTimestamp: T0_MS, value }));
}

/** Simulator events as enrich curates them (catalog data left out: fraud does not read it). */
export function curatedRecords(events: readonly ShopEvent[], ingestedAt = new Date(T0_MS).toISOString()): DecodedRecord<CuratedEvent>[] {
  const reference = { stores: new Map(), products: new Map() };
  return asRecords(events.map((event) => curate({ ...event, ingested_at: ingestedAt } as IngestedEvent, reference)));
}

export function batchContext(checkpoint?: CheckpointRef): BatchContext {
  const context: BatchContext = { functionName: "fraud", stream: "curated", shardId: "shardId-000000000000", signal: new AbortController().signal };
  if (checkpoint) context.checkpoint = checkpoint;
  return context;
}

/** A serving store in `dir` with the core and fraud tables. */
export async function openFraudStore(dir: string): Promise<SqliteStore> {
  const store = new SqliteStore({ path: join(dir, "store.db") });
  await migrate(store, [...coreMigrations, ...fraudMigrations]);
  return store;
}
