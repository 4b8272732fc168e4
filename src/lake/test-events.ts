// Curated events built by hand, as enrich writes them, for the lake's tests and its throughput bench.
// Not part of the public surface.
import type { CuratedEvent } from "../events/index.js";
import type { PutRecordInput, Stream } from "../stream/index.js";

const STORES = {
  S001: { name: "Lyon Part-Dieu", city: "Lyon", region: "EU-West", country: "FR" },
  S002: { name: "Oslo Sentrum", city: "Oslo", region: "EU-North", country: "NO" },
} as const;
const PRODUCTS = {
  P001: { name: "Trail Runner", category: "shoes", list_price: 89.9 },
  P002: { name: "Canvas Tote", category: "bags", list_price: 24.5 },
  P003: { name: "Wool Beanie", category: "hats", list_price: 19.99 },
} as const;
type StoreId = keyof typeof STORES;
type ProductId = keyof typeof PRODUCTS;

interface Common {
  id: string;
  at: string;
}

function envelope(type: CuratedEvent["type"], { id, at }: Common): Omit<CuratedEvent, "payload"> {
  return { event_id: id, type, occurred_at: at, ingested_at: at.replace(/\.\d{3}Z$/, ".250Z"), source: "test" };
}

export function orderPlaced(
  common: Common & {
    order: string;
    customer: string;
    store: StoreId;
    lines: Array<{ product: ProductId; quantity: number; unitPrice: number; extra?: Record<string, unknown> }>;
    total: number;
    extra?: Record<string, unknown>;
  },
): CuratedEvent {
  return {
    ...envelope("order_placed", common),
    customer_id: common.customer,
    session_id: `sess-${common.customer}`,
    store_id: common.store,
    order_id: common.order,
    store: STORES[common.store],
    payload: {
      order_id: common.order,
      customer_id: common.customer,
      session_id: `sess-${common.customer}`,
      store_id: common.store,
      currency: "EUR",
      items: common.lines.map((line) => ({
        product_id: line.product,
        quantity: line.quantity,
        unit_price: line.unitPrice,
        name: PRODUCTS[line.product].name,
        category: PRODUCTS[line.product].category,
        ...line.extra,
      })),
      total: common.total,
      payment_method: "card",
      shipping_country: "FR",
      billing_country: "FR",
      ...common.extra,
    },
  };
}

export function pageView(common: Common & { session: string; page: string; customer?: string; extra?: Record<string, unknown> }): CuratedEvent {
  return {
    ...envelope("page_view", common),
    session_id: common.session,
    ...(common.customer ? { customer_id: common.customer } : {}),
    payload: {
      session_id: common.session,
      ...(common.customer ? { customer_id: common.customer } : {}),
      page: common.page,
      referrer: "https://search.example/",
      device: "mobile",
      ...common.extra,
    },
  };
}

export function inventorySnapshot(common: Common & { store: StoreId; product: ProductId; onHand: number; reorderPoint: number }): CuratedEvent {
  return {
    ...envelope("inventory_snapshot", common),
    store_id: common.store,
    product_id: common.product,
    store: STORES[common.store],
    product: PRODUCTS[common.product],
    payload: { store_id: common.store, product_id: common.product, on_hand: common.onHand, reorder_point: common.reorderPoint },
  };
}

export function payment(
  common: Common & { order: string; customer: string; amount: number; failedReason?: string },
): CuratedEvent {
  const type = common.failedReason === undefined ? "payment_authorized" : "payment_failed";
  return {
    ...envelope(type, common),
    customer_id: common.customer,
    order_id: common.order,
    payload: {
      order_id: common.order,
      payment_id: `pay-${common.id}`,
      customer_id: common.customer,
      amount: common.amount,
      method: "card",
      ...(common.failedReason === undefined ? {} : { reason: common.failedReason }),
    },
  };
}

export function reviewSubmitted(common: Common & { product: ProductId; customer: string; rating: number }): CuratedEvent {
  return {
    ...envelope("review_submitted", common),
    customer_id: common.customer,
    product_id: common.product,
    product: PRODUCTS[common.product],
    payload: { review_id: `rev-${common.id}`, product_id: common.product, customer_id: common.customer, rating: common.rating, title: "Solid", body: "Does what it says." },
  };
}

/** A realistic mix of `n` events from `startMs` on, `spacingMs` of shop time apart (by default 100 span 50 min). */
export function eventMix(n: number, startMs = Date.parse("2026-01-05T08:00:00.000Z"), spacingMs = 30_000): CuratedEvent[] {
  const events: CuratedEvent[] = [];
  for (let i = 0; i < n; i++) {
    const common = { id: `ev-${i}`, at: new Date(startMs + i * spacingMs).toISOString() };
    const customer = `C${String(i % 97).padStart(4, "0")}`;
    switch (i % 10) {
      case 0:
        events.push(
          orderPlaced({
            ...common,
            order: `O${i}`,
            customer,
            store: i % 20 === 0 ? "S001" : "S002",
            lines: [
              { product: "P001", quantity: 1, unitPrice: 89.9 },
              { product: "P003", quantity: 2, unitPrice: 19.99 },
            ],
            total: 129.88,
          }),
        );
        break;
      case 1:
        events.push(payment({ ...common, order: `O${i - 1}`, customer, amount: 129.88 }));
        break;
      case 2:
        events.push(inventorySnapshot({ ...common, store: "S002", product: "P002", onHand: i % 30, reorderPoint: 10 }));
        break;
      case 3:
        events.push(reviewSubmitted({ ...common, product: "P001", customer, rating: 1 + (i % 5) }));
        break;
      default:
        events.push(pageView({ ...common, session: `sess-${customer}`, customer, page: `/product/P00${1 + (i % 3)}` }));
    }
  }
  return events;
}

/** Appends records to a stream in puts of at most 500, keyed like ingest keys them. */
export async function appendRecords(stream: Stream, streamName: string, records: ReadonlyArray<CuratedEvent | string | Uint8Array>): Promise<void> {
  const inputs: PutRecordInput[] = records.map((record, i) => {
    if (typeof record === "string" || record instanceof Uint8Array) {
      return { partitionKey: `raw-${i}`, data: typeof record === "string" ? Buffer.from(record) : record };
    }
    return { partitionKey: record.customer_id ?? record.store_id ?? record.event_id, data: Buffer.from(JSON.stringify(record)) };
  });
  for (let i = 0; i < inputs.length; i += 500) {
    const results = await stream.putRecords(streamName, inputs.slice(i, i + 500));
    const failed = results.find((result) => "errorCode" in result);
    if (failed) throw new Error(`append failed: ${JSON.stringify(failed)}`);
  }
}
