import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateEvent, type Payloads, type ShopEvent } from "../events/index.js";
import { generateCatalog } from "./catalog.js";
import { benignLookalikes, fraudPatterns, simulationLabelOf, type SimulationLabel } from "./simulation-label.js";
import { DEFAULT_FRAUD_RATE, createTrafficGenerator } from "./traffic.js";

const FRAUD_RATE = 0.01;
const generator = createTrafficGenerator({ seed: 17, fraudRate: FRAUD_RATE });
const sample = generator.take(120_000);
const catalog = generateCatalog();
const MINUTE_MS = 60_000;

type Payload = Record<string, unknown>;
const payloadOf = (event: ShopEvent): Payload => event.payload as Payload;
const timeOf = (event: ShopEvent): number => Date.parse(event.occurred_at);

/** The events of each injected case, by case id, in stream order. */
function eventsByCase(events: readonly ShopEvent[]): Map<string, { label: SimulationLabel; events: ShopEvent[] }> {
  const cases = new Map<string, { label: SimulationLabel; events: ShopEvent[] }>();
  for (const event of events) {
    const label = simulationLabelOf(payloadOf(event));
    if (!label) continue;
    const entry = cases.get(label.case_id) ?? { label, events: [] };
    entry.events.push(event);
    cases.set(label.case_id, entry);
  }
  return cases;
}

const cases = eventsByCase(sample);
const casesOf = (kind: string) => [...cases.values()].filter(({ label }) => ("fraud_pattern" in label ? label.fraud_pattern : label.benign_lookalike) === kind);
const ofType = <K extends ShopEvent["type"]>(events: readonly ShopEvent[], type: K) => events.filter((event): event is ShopEvent<K> => event.type === type);

describe("injected cases: labels and rate", () => {
  it("injects every fraud pattern and every look-alike, each case with one label on all its events", () => {
    for (const kind of [...fraudPatterns, ...benignLookalikes]) assert.ok(casesOf(kind).length > 0, `no ${kind} case`);
    const sampleEndMs = timeOf(sample[sample.length - 1] as ShopEvent);
    for (const { label, events } of cases.values()) {
      for (const event of events) assert.deepEqual(simulationLabelOf(payloadOf(event)), label);
      // A case that began in the last minutes of the sample may not have reached checkout yet.
      if (sampleEndMs - timeOf(events[0] as ShopEvent) > 10 * MINUTE_MS) assert.ok(events.some((event) => event.type === "order_placed"), `${label.case_id} placed no order`);
    }
  });

  it("starts fraud cases at the configured share of shopper sessions, and as many look-alikes", () => {
    const caseSessions = new Set(sample.flatMap((event) => (simulationLabelOf(payloadOf(event)) ? [String(payloadOf(event)["session_id"] ?? "")] : [])));
    const stats = generator.stats();
    const shopperSessions = stats.sessionsStarted - caseSessions.size;
    const fraudShare = stats.fraudCasesStarted / shopperSessions;
    assert.ok(Math.abs(fraudShare / FRAUD_RATE - 1) < 0.25, `fraud cases are ${(fraudShare * 100).toFixed(2)} % of sessions`);
    assert.ok(Math.abs(stats.lookalikeCasesStarted / stats.fraudCasesStarted - 1) < 0.3, `${stats.lookalikeCasesStarted} look-alikes, ${stats.fraudCasesStarted} fraud cases`);
  });

  it("produces only events that ingest accepts, in time order", () => {
    let previous = "";
    for (const event of sample) {
      const result = validateEvent(JSON.parse(JSON.stringify(event)));
      assert.ok(result.ok, result.ok ? "" : `${event.event_id} (${event.type}): ${result.message}`);
      assert.ok(event.occurred_at >= previous);
      previous = event.occurred_at;
    }
  });

  it("injects nothing with fraudRate 0, and a small share by default", () => {
    const off = createTrafficGenerator({ seed: 17, fraudRate: 0 });
    const events = off.take(30_000);
    assert.equal(events.filter((event) => simulationLabelOf(payloadOf(event))).length, 0);
    assert.ok(events.every((event) => !String(payloadOf(event)["customer_id"] ?? "").startsWith("cu-")), "no accounts opened");
    assert.deepEqual([off.stats().fraudCasesStarted, off.stats().lookalikeCasesStarted], [0, 0]);
    assert.equal(createTrafficGenerator({ seed: 17 }).fraudRate, DEFAULT_FRAUD_RATE);
    assert.throws(() => createTrafficGenerator({ seed: 17, fraudRate: 0.9 }), /fraudRate/);
  });
});

describe("injected cases: each pattern shows its signal", () => {
  it("card testing: a cheap order, then five or more small failed payments, a new card each, within minutes", () => {
    for (const { events } of casesOf("card_testing")) {
      const failures = ofType(events, "payment_failed");
      if (failures.length === 0) continue; // a case at the end of the sample has not paid yet
      const first = failures[0] as ShopEvent<"payment_failed">;
      const burst = failures.filter((event) => timeOf(event) - timeOf(first) <= 10 * MINUTE_MS);
      const complete = timeOf(sample[sample.length - 1] as ShopEvent) - timeOf(first) > 10 * MINUTE_MS;
      if (complete) assert.ok(burst.length >= 5, `${burst.length} failures in 10 min`);
      assert.equal(new Set(failures.map((event) => payloadOf(event)["card_fingerprint"])).size, failures.length, "a new card each time");
      for (const failure of failures) assert.ok(failure.payload.amount <= 50, `amount ${failure.payload.amount}`);
    }
  });

  it("velocity: orders one after another, all paid with one card", () => {
    const sizes: number[] = [];
    for (const { events } of casesOf("velocity")) {
      const orders = ofType(events, "order_placed");
      const cards = new Set(events.filter((event) => event.type.startsWith("payment_")).map((event) => payloadOf(event)["card_fingerprint"]));
      assert.ok(cards.size <= 1, `${cards.size} cards`);
      if (orders.length > 1) assert.ok(timeOf(orders[orders.length - 1] as ShopEvent) - timeOf(orders[0] as ShopEvent) <= 30 * MINUTE_MS);
      sizes.push(orders.length);
    }
    assert.ok(Math.max(...sizes) >= 5, `case sizes ${sizes.join(", ")}`);
  });

  it("new account + high value: a four-figure order from an account opened less than an hour before", () => {
    for (const { events } of casesOf("new_account_high_value")) {
      for (const order of ofType(events, "order_placed")) {
        const ageMs = timeOf(order) - Date.parse(String(payloadOf(order)["account_created_at"]));
        assert.ok(ageMs >= 0 && ageMs < 60 * MINUTE_MS, `account ${ageMs} ms old`);
        assert.ok(order.payload.total >= 1_000, `total ${order.payload.total}`);
      }
    }
  });

  it("country mismatch: billed abroad on an order of 500 or more; amount outlier: an established customer buys big", () => {
    for (const { events } of casesOf("country_mismatch")) {
      for (const order of ofType(events, "order_placed")) {
        assert.notEqual(order.payload.billing_country, order.payload.shipping_country);
        assert.ok(order.payload.total >= 500);
      }
    }
    const ordersBefore = new Map<string, number>();
    for (const event of sample) {
      if (event.type !== "order_placed") continue;
      const label = simulationLabelOf(payloadOf(event));
      if (label && "fraud_pattern" in label && label.fraud_pattern === "amount_outlier") {
        assert.ok((ordersBefore.get(event.payload.customer_id) ?? 0) >= 3, "an established customer");
        assert.ok(event.payload.total >= 400);
      }
      ordersBefore.set(event.payload.customer_id, (ordersBefore.get(event.payload.customer_id) ?? 0) + 1);
    }
  });

  it("look-alikes pay with the customer's own card, the one their ordinary orders use", () => {
    const cardsOf = new Map<string, Set<unknown>>();
    for (const event of sample) {
      if (event.type !== "payment_authorized" && event.type !== "payment_failed") continue;
      const label = simulationLabelOf(payloadOf(event));
      if (label && "fraud_pattern" in label) continue;
      const card = payloadOf(event)["card_fingerprint"];
      if (card === undefined) continue;
      const cards = cardsOf.get(event.payload.customer_id ?? "") ?? new Set();
      cardsOf.set(event.payload.customer_id ?? "", cards.add(card));
    }
    for (const [customerId, cards] of cardsOf) assert.ok(cards.size <= 2, `${customerId} pays with ${cards.size} cards`);
  });
});

describe("payments and orders carry what fraud detection reads", () => {
  it("fingerprints payments by card or wallet, and only those", () => {
    const payments = sample.filter((event) => event.type === "payment_authorized" || event.type === "payment_failed") as Array<ShopEvent<"payment_authorized">>;
    for (const payment of payments) {
      const byCard = payment.payload.method === "card" || payment.payload.method === "apple_pay";
      assert.equal(typeof payloadOf(payment)["card_fingerprint"] === "string", byCard, `${payment.event_id} (${payment.payload.method})`);
    }
  });

  it("stamps every order with when the customer's account was opened", () => {
    const signedUp = new Map(catalog.customers.map((customer) => [customer.customer_id, customer.signed_up_at]));
    for (const order of ofType(sample, "order_placed")) {
      const createdAt = String(payloadOf(order)["account_created_at"]);
      assert.ok(Date.parse(createdAt) <= timeOf(order));
      const payload = order.payload as Payloads["order_placed"];
      if (signedUp.has(payload.customer_id)) assert.equal(createdAt, signedUp.get(payload.customer_id));
    }
  });
});
