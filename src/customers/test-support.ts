// Shared by the customers tests and the throughput bench: a migrated serving store in a temp dir, curated
// events built by hand or drawn from the simulator, and a way to feed them to the function as the
// runtime would. Not part of the public surface.
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { CuratedEvent, IngestedEvent } from "../events/index.js";
import { curate, type BatchContext, type BuiltinFunction, type DecodedRecord, type ReferenceData } from "../functions/index.js";
import { generateCatalog, generateEvents } from "../simulator/index.js";
import { coreMigrations, migrate, SqliteStore } from "../store/index.js";
import { tempDir } from "../test-support/temp-dir.js";
import { customerMigrations } from "./schema.js";

export const T0_MS = Date.parse("2026-01-05T10:00:00.000Z");

/** T0 plus `minutes` (fractions allowed), as RFC 3339. */
export function at(minutes: number): string {
  return new Date(T0_MS + Math.round(minutes * 60_000)).toISOString();
}

export async function openMigratedStore(path: string): Promise<SqliteStore> {
  const store = new SqliteStore({ path });
  await migrate(store, [...coreMigrations, ...customerMigrations]);
  return store;
}

export async function openTestStore(t: TestContext): Promise<SqliteStore> {
  const store = await openMigratedStore(join(tempDir(t, "shopstream-customers-"), "store.db"));
  t.after(() => store.close());
  return store;
}

/** Hands `events` to the function as one batch from `shardId`, as the runtime does; stream "" is a direct invocation. */
export async function feed(fn: BuiltinFunction<unknown>, events: readonly unknown[], shardId = "shardId-000000000000", stream = "curated"): Promise<void> {
  const records: DecodedRecord<unknown>[] = events.map((value, index) => ({
    sequenceNumber: String(index + 1),
    partitionKey: "test",
    approximateArrivalTimestamp: 0,
    value,
  }));
  const context: BatchContext = { functionName: fn.name, stream, shardId, signal: new AbortController().signal };
  await fn.handleBatch(records, context);
}

/** Feeds `events` in batches of `batchSize`, like a mapping with that batch size. */
export async function feedInBatches(fn: BuiltinFunction<unknown>, events: readonly unknown[], batchSize = 500): Promise<void> {
  for (let i = 0; i < events.length; i += batchSize) await feed(fn, events.slice(i, i + batchSize));
}

interface Common {
  id: string;
  at: string;
  customer?: string;
}

function curated(type: CuratedEvent["type"], common: Common, payload: Record<string, unknown>): CuratedEvent {
  const withCustomer = common.customer === undefined ? payload : { ...payload, customer_id: common.customer };
  const event: CuratedEvent = { event_id: common.id, type, occurred_at: common.at, ingested_at: common.at, source: "test", payload: withCustomer };
  for (const key of ["customer_id", "session_id", "order_id", "product_id", "store_id"] as const) {
    const value = withCustomer[key];
    if (typeof value === "string") event[key] = value;
  }
  return event;
}

export const pageView = (c: Common & { session: string; page?: string }) => curated("page_view", c, { session_id: c.session, page: c.page ?? "/" });
export const productView = (c: Common & { session: string; product?: string }) => curated("product_view", c, { session_id: c.session, product_id: c.product ?? "P1" });
export const addToCart = (c: Common & { session: string; product?: string }) =>
  curated("add_to_cart", c, { session_id: c.session, product_id: c.product ?? "P1", quantity: 1, unit_price: 10 });
export const checkoutStarted = (c: Common & { session: string }) => curated("checkout_started", c, { session_id: c.session, cart_value: 10, item_count: 1 });

export interface TestLine {
  product: string;
  category?: string;
  quantity: number;
  unitPrice: number;
}

export const orderPlaced = (c: Common & { customer: string; order: string; session?: string; lines: TestLine[]; total: number }) =>
  curated("order_placed", c, {
    order_id: c.order,
    ...(c.session === undefined ? {} : { session_id: c.session }),
    store_id: "S1",
    currency: "USD",
    items: c.lines.map((line) => ({
      product_id: line.product,
      quantity: line.quantity,
      unit_price: line.unitPrice,
      ...(line.category === undefined ? {} : { name: line.product, category: line.category }),
    })),
    total: c.total,
  });
export const paymentAuthorized = (c: Common & { order: string; amount?: number }) =>
  curated("payment_authorized", c, { order_id: c.order, payment_id: `pay-${c.id}`, amount: c.amount ?? 0, method: "card" });
export const orderCancelled = (c: Common & { order: string }) => curated("order_cancelled", c, { order_id: c.order });
export const orderReturned = (c: Common & { order: string; items: Array<{ product: string; quantity: number }> }) =>
  curated("order_returned", c, { order_id: c.order, store_id: "S1", items: c.items.map((item) => ({ product_id: item.product, quantity: item.quantity })) });

/** The first `count` events of a seeded simulator run, curated as enrich writes them. */
export function simulatedCuratedEvents(seed: number, count: number): CuratedEvent[] {
  const catalog = generateCatalog();
  const reference: ReferenceData = {
    stores: new Map(catalog.stores.map((s) => [s.store_id, { name: s.name, city: s.city, region: s.region, country: s.country }])),
    products: new Map(catalog.products.map((p) => [p.product_id, { name: p.name, category: p.category, list_price: p.price }])),
  };
  return generateEvents({ seed, catalog }, count).map((event) => curate({ ...event, ingested_at: event.occurred_at } as IngestedEvent, reference));
}
