import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateEvent, type Payloads, type ShopEvent } from "../events/index.js";
import { generateCatalog } from "./catalog.js";
import { simulationLabelOf } from "./simulation-label.js";
import {
  DEFAULT_TRAFFIC_START_MS,
  MEAN_EVENTS_PER_SESSION,
  createTrafficGenerator,
  generateEvents,
} from "./traffic.js";

const SAMPLE_SIZE = 60_000;
const sample = generateEvents({ seed: 7 }, SAMPLE_SIZE);
const catalog = generateCatalog();

function ofType<K extends ShopEvent["type"]>(events: readonly ShopEvent[], type: K): Array<ShopEvent<K>> {
  return events.filter((event): event is ShopEvent<K> => event.type === type);
}

describe("traffic generator: the stream", () => {
  it("is byte-identical for the same seed and different for another seed", () => {
    assert.equal(JSON.stringify(generateEvents({ seed: 7 }, 5_000)), JSON.stringify(sample.slice(0, 5_000)));
    const other = generateEvents({ seed: 8 }, 5_000);
    assert.notEqual(JSON.stringify(other), JSON.stringify(sample.slice(0, 5_000)));
  });

  it("produces only events that ingest accepts", () => {
    for (const event of sample) {
      // Through JSON, as ingest sees them.
      const result = validateEvent(JSON.parse(JSON.stringify(event)));
      assert.ok(result.ok, result.ok ? "" : `${event.event_id} (${event.type}): ${result.message}`);
    }
  });

  it("keeps occurred_at non-decreasing, RFC 3339 UTC with milliseconds, from the fixed start", () => {
    assert.equal(sample[0]?.occurred_at, new Date(DEFAULT_TRAFFIC_START_MS).toISOString());
    let previous = "";
    for (const event of sample) {
      assert.match(event.occurred_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.ok(event.occurred_at >= previous, `${event.event_id} goes back in time`);
      previous = event.occurred_at;
    }
  });

  it("gives every event a unique id that names the seed", () => {
    const ids = new Set(sample.map((event) => event.event_id));
    assert.equal(ids.size, sample.length);
    assert.match(sample[0]?.event_id ?? "", /^ev-7-[0-9a-z]{4}-0$/);
  });

  it("tags runs with different options differently, so their ids never collide", () => {
    const tagOf = (options: Parameters<typeof createTrafficGenerator>[0]) => createTrafficGenerator(options).runTag;
    assert.equal(tagOf({ seed: 7 }), tagOf({ seed: 7 }));
    assert.notEqual(tagOf({ seed: 7 }), tagOf({ seed: 7, startMs: DEFAULT_TRAFFIC_START_MS + 1 }));
    assert.notEqual(tagOf({ seed: 7 }), tagOf({ seed: 7, catalog: generateCatalog(1) }));
  });

  it("mixes every event type the storefront produces, with many sessions in flight at once", () => {
    const types = new Set(sample.map((event) => event.type));
    for (const type of ["page_view", "product_view", "add_to_cart", "checkout_started", "order_placed", "payment_authorized", "inventory_snapshot"]) {
      assert.ok(types.has(type as ShopEvent["type"]), `no ${type}`);
    }
    // Interleaving: within a short window, events of many different sessions appear.
    const window = ofType(sample.slice(20_000, 20_500), "product_view").map((event) => event.payload.session_id);
    assert.ok(new Set(window).size > 50);
  });

  it("names only catalog products, stores and customers, or accounts opened during the run", () => {
    const productIds = new Set(catalog.products.map((p) => p.product_id));
    const storeIds = new Set(catalog.stores.map((s) => s.store_id));
    const customerIds = new Set(catalog.customers.map((c) => c.customer_id));
    const runTag = createTrafficGenerator({ seed: 7 }).runTag;
    for (const event of sample) {
      const payload = event.payload as Record<string, unknown>;
      if (typeof payload["product_id"] === "string") assert.ok(productIds.has(payload["product_id"]));
      if (typeof payload["store_id"] === "string") assert.ok(storeIds.has(payload["store_id"]));
      if (typeof payload["customer_id"] === "string") {
        const customerId = payload["customer_id"];
        assert.ok(customerIds.has(customerId) || customerId.startsWith(`cu-${runTag}-`), `${event.event_id}: unknown customer ${customerId}`);
      }
    }
  });
});

describe("traffic generator: sessions and orders", () => {
  it("walks the funnel in order within each session", () => {
    const viewed = new Map<string, Set<string>>();
    const carted = new Map<string, Set<string>>();
    const checkedOut = new Set<string>();
    for (const event of sample) {
      const payload = event.payload as Partial<Payloads["add_to_cart"]>;
      const session = payload.session_id ?? "";
      switch (event.type) {
        case "product_view":
          viewed.set(session, (viewed.get(session) ?? new Set()).add(event.payload.product_id));
          break;
        case "add_to_cart":
          assert.ok(viewed.get(session)?.has(event.payload.product_id), `${event.event_id}: added a product the session never viewed`);
          carted.set(session, (carted.get(session) ?? new Set()).add(event.payload.product_id));
          break;
        case "checkout_started":
          assert.ok(carted.has(session), `${event.event_id}: checkout with an empty cart`);
          assert.ok(event.payload.customer_id, "checkout identifies the customer");
          checkedOut.add(session);
          break;
        case "order_placed":
          assert.ok(checkedOut.has(session), `${event.event_id}: order without a checkout in its session`);
          for (const item of event.payload.items) assert.ok(carted.get(session)?.has(item.product_id), "ordered an item never added to the cart");
          break;
        default:
          break;
      }
    }
  });

  it("prices orders as items plus shipping plus tax, mostly 1–3 units a line", () => {
    const orders = ofType(sample, "order_placed");
    let lines = 0;
    let smallLines = 0;
    for (const order of orders) {
      const payload = order.payload as Payloads["order_placed"] & { subtotal: number; shipping: number; tax: number };
      const subtotal = payload.items.reduce((sum, item) => sum + item.quantity * item.unit_price, 0);
      assert.ok(Math.abs(subtotal - payload.subtotal) < 0.005);
      assert.ok(Math.abs(payload.subtotal + payload.shipping + payload.tax - payload.total) < 0.005);
      assert.equal(payload.currency, "USD");
      for (const item of payload.items) {
        assert.equal(item.unit_price, catalog.products.find((p) => p.product_id === item.product_id)?.price);
        lines++;
        if (item.quantity <= 3) smallLines++;
      }
    }
    assert.ok(smallLines / lines > 0.9, `${smallLines} of ${lines} lines have 1–3 units`);
  });

  it("converts a realistic 2–5 % of sessions, and most carts are abandoned", () => {
    const sessions = new Set(ofType(sample, "page_view").map((event) => event.payload.session_id));
    const orders = ofType(sample, "order_placed").length;
    const conversion = orders / sessions.size;
    assert.ok(conversion >= 0.02 && conversion <= 0.05, `conversion ${(conversion * 100).toFixed(2)} %`);
    const cartSessions = new Set(ofType(sample, "add_to_cart").map((event) => event.payload.session_id));
    assert.ok(orders / cartSessions.size < 0.5);
  });

  it("pays, cancels and returns only orders that were placed, for the right amounts and stores", () => {
    const placed = new Map<string, Payloads["order_placed"]>();
    for (const event of sample) {
      if (event.type === "order_placed") placed.set(event.payload.order_id, event.payload);
      if (event.type === "payment_authorized" || event.type === "payment_failed") {
        const order = placed.get(event.payload.order_id);
        assert.ok(order, `${event.event_id}: payment for an order not placed`);
        assert.equal(event.payload.amount, order.total);
      }
      if (event.type === "order_cancelled") assert.ok(placed.has(event.payload.order_id));
      if (event.type === "order_returned") {
        const order = placed.get(event.payload.order_id);
        assert.ok(order);
        assert.equal(event.payload.store_id, order.store_id);
        for (const item of event.payload.items) {
          const line = order.items.find((candidate) => candidate.product_id === item.product_id);
          assert.ok(line && item.quantity <= line.quantity, "returned more than was bought");
        }
      }
    }
  });
});

describe("traffic generator: stock", () => {
  it("reports stock that orders, cancellations and returns move, never below zero", () => {
    const onHand = new Map<string, number>();
    for (const store of catalog.stores) {
      for (const stock of store.inventory) onHand.set(`${store.store_id}/${stock.product_id}`, stock.on_hand);
    }
    const orders = new Map<string, Payloads["order_placed"]>();
    const move = (storeId: string, productId: string, units: number) => {
      const key = `${storeId}/${productId}`;
      onHand.set(key, (onHand.get(key) ?? 0) + units);
    };
    let snapshots = 0;
    for (const event of sample) {
      if (event.type === "order_placed") {
        orders.set(event.payload.order_id, event.payload);
        for (const item of event.payload.items) move(event.payload.store_id, item.product_id, -item.quantity);
      } else if (event.type === "order_cancelled") {
        const order = orders.get(event.payload.order_id);
        for (const item of order?.items ?? []) move(order?.store_id ?? "", item.product_id, item.quantity);
      } else if (event.type === "order_returned") {
        for (const item of event.payload.items) move(event.payload.store_id, item.product_id, item.quantity);
      } else if (event.type === "inventory_snapshot") {
        snapshots++;
        assert.ok(event.payload.on_hand >= 0);
        assert.equal(event.payload.on_hand, onHand.get(`${event.payload.store_id}/${event.payload.product_id}`), event.event_id);
      }
    }
    for (const units of onHand.values()) assert.ok(units >= 0);
    assert.ok(snapshots >= catalog.stores.length * catalog.products.length);
  });

  it("reports each store × product once per snapshot interval", () => {
    const generator = createTrafficGenerator({ seed: 3, catalog: generateCatalog(42, { products: 10, stores: 4, customers: 200 }), snapshotIntervalMs: 900_000 });
    const events: ShopEvent[] = [];
    while (generator.shopTimeMs < DEFAULT_TRAFFIC_START_MS + 3_600_000) events.push(generator.next());
    const snapshots = ofType(events, "inventory_snapshot").filter((event) => Date.parse(event.occurred_at) < DEFAULT_TRAFFIC_START_MS + 3_600_000);
    assert.equal(snapshots.length, 4 * 10 * 4);
    const perStore = new Map<string, number>();
    for (const event of snapshots) perStore.set(event.payload.store_id, (perStore.get(event.payload.store_id) ?? 0) + 1);
    assert.deepEqual([...perStore.values()], [40, 40, 40, 40]);
  });

  it("puts delivered replenishments on the shelf, where the next snapshot sees them", () => {
    const generator = createTrafficGenerator({ seed: 5, catalog: generateCatalog(42, { products: 5, stores: 2, customers: 100 }), eventsPerShopHour: 500 });
    const before = generator.onHand("S002", "P0003");
    assert.equal(generator.applyReplenishment("S002", "P0003", 40), before + 40);
    let expected = before + 40;
    const unitsByOrder = new Map<string, number>();
    let snapshot: ShopEvent<"inventory_snapshot"> | undefined;
    while (!snapshot) {
      const event = generator.next();
      // Shoppers keep buying (and cancelling, and returning) meanwhile; the tiny catalog is all there is.
      if (event.type === "order_placed" && event.payload.store_id === "S002") {
        const units = event.payload.items.find((item) => item.product_id === "P0003")?.quantity ?? 0;
        unitsByOrder.set(event.payload.order_id, units);
        expected -= units;
      }
      if (event.type === "order_cancelled") expected += unitsByOrder.get(event.payload.order_id) ?? 0;
      if (event.type === "order_returned" && event.payload.store_id === "S002") {
        expected += event.payload.items.find((item) => item.product_id === "P0003")?.quantity ?? 0;
      }
      if (event.type === "inventory_snapshot" && event.payload.store_id === "S002" && event.payload.product_id === "P0003") snapshot = event;
    }
    assert.equal(snapshot.payload.on_hand, expected);
    assert.throws(() => generator.applyReplenishment("S999", "P0003", 1), /unknown store/);
    assert.throws(() => generator.applyReplenishment("S001", "P0003", 0), /positive integer/);
  });
});

describe("traffic generator: volume", () => {
  it("sizes live traffic from rate and speed", () => {
    const generator = createTrafficGenerator({ seed: 1, ratePerSec: 500, speed: 60 });
    assert.equal(generator.eventsPerShopHour, 30_000);
    assert.equal(createTrafficGenerator({ seed: 1 }).eventsPerShopHour, 20_000);
  });

  it("reports stock less often when hourly reports would crowd out shoppers at a low live rate", () => {
    assert.equal(createTrafficGenerator({ seed: 1 }).snapshotIntervalMs, 3_600_000);
    assert.equal(createTrafficGenerator({ seed: 1, snapshotIntervalMs: 600_000 }).snapshotIntervalMs, 600_000);
    const generator = createTrafficGenerator({ seed: 1, ratePerSec: 50, speed: 60 });
    assert.ok(generator.snapshotIntervalMs > 3_600_000);
    const events = generator.take(50_000);
    const share = ofType(events, "inventory_snapshot").length / events.length;
    assert.ok(share < 0.3, `snapshots are ${(share * 100).toFixed(1)} % of events`);
  });

  it("holds the requested events per shop hour over a day, as MEAN_EVENTS_PER_SESSION promises", () => {
    const generator = createTrafficGenerator({ seed: 9, eventsPerShopHour: 8_000 });
    let events = 0;
    let snapshots = 0;
    // Injected cases come out of the same budget; the constant is about the shoppers' own sessions.
    let caseEvents = 0;
    const caseSessions = new Set<string>();
    const endMs = DEFAULT_TRAFFIC_START_MS + 24 * 3_600_000;
    while (generator.shopTimeMs < endMs) {
      const event = generator.next();
      if (event.type === "inventory_snapshot") snapshots++;
      if (simulationLabelOf(event.payload)) {
        caseEvents++;
        const sessionId = (event.payload as { session_id?: string }).session_id;
        if (sessionId !== undefined) caseSessions.add(sessionId);
      }
      events++;
    }
    assert.ok(Math.abs(events / 24 / 8_000 - 1) < 0.1, `${Math.round(events / 24)} events per shop hour`);
    const measured = (events - snapshots - caseEvents) / (generator.stats().sessionsStarted - caseSessions.size);
    assert.ok(Math.abs(measured / MEAN_EVENTS_PER_SESSION - 1) < 0.05, `measured ${measured.toFixed(3)} events per session`);
  });

  it("emits cancellations, returns and positively skewed reviews over a longer run", () => {
    const events = generateEvents({ seed: 11 }, 300_000);
    const reviews = ofType(events, "review_submitted");
    assert.ok(ofType(events, "order_cancelled").length > 10);
    assert.ok(ofType(events, "order_returned").length > 10);
    assert.ok(ofType(events, "payment_failed").length > 10);
    assert.ok(reviews.length > 30);
    const meanRating = reviews.reduce((sum, event) => sum + event.payload.rating, 0) / reviews.length;
    assert.ok(meanRating > 3.5 && meanRating < 4.6, `mean rating ${meanRating}`);
  });
});
