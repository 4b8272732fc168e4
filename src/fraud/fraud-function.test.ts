import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { ValidationError } from "../errors/index.js";
import type { CuratedEvent } from "../events/index.js";
import { deployFunctions, FunctionRuntime } from "../functions/index.js";
import type { ServingStore } from "../store/index.js";
import { compareSequenceNumbers, SqliteStream, type Stream } from "../stream/index.js";
import { failingOnce } from "../functions/test-support/harness.js";
import { makeTempDir, removeDir } from "../test-support/temp-dir.js";
import type { FraudAlertEvent } from "./alerts.js";
import { fraudAlertSummary, recentFraudAlerts } from "./alert-queries.js";
import { createFraudFunction, type FraudFunctionOptions } from "./fraud-function.js";
import { asRecords, at, batchContext, openFraudStore, orderPlaced, payment } from "./test-events.js";

const CREATED_AT_MS = Date.UTC(2026, 0, 6);
const SHARD = "shardId-000000000000";

/** A store and stream in a fresh temp dir, closed before the dir is removed. */
async function backends(t: TestContext, dir = makeTempDir("shopstream-fraud-")): Promise<{ dir: string; store: ServingStore; stream: SqliteStream }> {
  const store = await openFraudStore(dir);
  const stream = new SqliteStream({ path: join(dir, "stream.db") });
  await stream.ensureStream("curated", { shardCount: 1 });
  t.after(async () => {
    await store.close();
    await stream.close();
    removeDir(dir);
  });
  return { dir, store, stream };
}

function fraudFunction(options: Omit<FraudFunctionOptions, "clock">) {
  return createFraudFunction({ ...options, clock: () => CREATED_AT_MS });
}

/** A throwaway account buys one cheap item and tries `failures` cards, 30 s apart. */
function cardTestingBurst(failures: number, options: { spacingMinutes?: number; prefix?: string } = {}): CuratedEvent[] {
  const prefix = options.prefix ?? "ct";
  const events = [orderPlaced({ id: `${prefix}-order`, order: `${prefix}-o1`, customer: `${prefix}-c1`, minutes: 0, total: 9.5 })];
  for (let attempt = 1; attempt <= failures; attempt++) {
    const minutes = attempt * (options.spacingMinutes ?? 0.5);
    events.push(payment({ id: `${prefix}-pay-${attempt}`, order: `${prefix}-o1`, customer: `${prefix}-c1`, minutes, amount: 9.5, card: `card-${prefix}-${attempt}`, failure: "card_declined" }));
  }
  return events;
}

async function curatedAlerts(stream: Stream): Promise<FraudAlertEvent[]> {
  const { records } = await stream.read("curated", SHARD, { type: "TRIM_HORIZON" }, 1_000);
  return records.map((record) => JSON.parse(Buffer.from(record.data).toString("utf8")) as FraudAlertEvent);
}

async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function countRows(store: ServingStore, table: string): Promise<number> {
  return Number((await store.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))?.n ?? 0);
}

describe("fraud function: alerts", () => {
  it("raises one alert per order, with its reasons and score, in the store and on the curated stream", async (t) => {
    const { store, stream } = await backends(t);
    const fraud = fraudFunction({ store, stream });
    const checkpoint = { consumer: "fraud", stream: "curated", shardId: SHARD, sequenceNumber: "49000000000000000000000000000000000000000000000000000042" };
    await fraud.handleBatch(asRecords(cardTestingBurst(6)), batchContext(checkpoint));

    const [alert, ...others] = await recentFraudAlerts(store);
    assert.ok(alert);
    assert.equal(others.length, 0, "one alert for the order, not one per failed payment");
    assert.equal(alert.eventId, "ct-pay-4", "raised by the fourth small failure on a fourth card");
    assert.equal(alert.orderId, "ct-o1");
    assert.equal(alert.customerId, "ct-c1");
    assert.equal(alert.occurredAt, at(2));
    assert.deepEqual(alert.reasons.map((reason) => reason.rule), ["failed_payment_velocity", "card_testing"]);
    assert.ok(alert.score >= 0.9 && alert.score <= 1);
    assert.match(alert.reasons[1]?.detail ?? "", /4 failed payments of at most 50 on 4 cards/);

    const [event, ...moreEvents] = await curatedAlerts(stream);
    assert.equal(moreEvents.length, 0);
    assert.deepEqual(event, {
      event_id: alert.alertId,
      type: "fraud_alert",
      occurred_at: at(2),
      ingested_at: new Date(CREATED_AT_MS).toISOString(),
      source: "fraud",
      order_id: "ct-o1",
      customer_id: "ct-c1",
      payload: {
        alert_id: alert.alertId,
        trigger_event_id: "ct-pay-4",
        trigger_event_type: "payment_failed",
        order_id: "ct-o1",
        customer_id: "ct-c1",
        card_fingerprint: "card-ct-4",
        score: alert.score,
        threshold: 0.7,
        reasons: alert.reasons,
      },
    });
    assert.equal(await stream.getCheckpoint("fraud", "curated", SHARD), checkpoint.sequenceNumber, "the checkpoint committed with the alert");
    const summary = await fraudAlertSummary(store);
    assert.equal(summary.alerts, 1);
    assert.equal(summary.byRule.card_testing, 1);
    assert.equal(summary.byRule.order_velocity, 0);
    assert.equal((await fraudAlertSummary(store, { sinceOccurredAt: at(2) })).alerts, 1);
    assert.equal((await fraudAlertSummary(store, { sinceOccurredAt: "2026-01-05T07:03:00-05:00" })).alerts, 0, "12:03 UTC, after the alert");
    await assert.rejects(fraudAlertSummary(store, { sinceOccurredAt: "yesterday" }), ValidationError);
  });

  it("raises nothing for a shopper who mistypes one card twice", async (t) => {
    const { store } = await backends(t);
    const fraud = fraudFunction({ store });
    await fraud.handleBatch(
      asRecords([
        orderPlaced({ id: "e1", order: "o1", customer: "c1", minutes: 0, total: 80 }),
        payment({ id: "e2", order: "o1", customer: "c1", minutes: 1, amount: 80, card: "card-a", failure: "incorrect_cvc" }),
        payment({ id: "e3", order: "o1", customer: "c1", minutes: 2, amount: 80, card: "card-a", failure: "incorrect_cvc" }),
        payment({ id: "e4", order: "o1", customer: "c1", minutes: 3, amount: 80, card: "card-a" }),
      ]),
      batchContext(),
    );
    assert.equal(await countRows(store, "fraud_alerts"), 0);
  });

  it("combines weak reasons: a country mismatch alone is not an alert, on a new account's big order it is", async (t) => {
    const { store } = await backends(t);
    const fraud = fraudFunction({ store });
    await fraud.handleBatch(
      asRecords([
        orderPlaced({ id: "gift", order: "o-gift", customer: "c1", minutes: 0, total: 60, shippingCountry: "US", billingCountry: "GB" }),
        orderPlaced({ id: "big", order: "o-big", customer: "c2", minutes: 0, total: 700, billingCountry: "US", accountCreatedMinutes: -30 }),
        orderPlaced({ id: "both", order: "o-both", customer: "c3", minutes: 0, total: 700, shippingCountry: "US", billingCountry: "RO", accountCreatedMinutes: -30 }),
      ]),
      batchContext(),
    );
    const alerts = await recentFraudAlerts(store);
    assert.deepEqual(alerts.map((alert) => alert.orderId), ["o-both"]);
    assert.deepEqual(alerts[0]?.reasons.map((reason) => reason.rule), ["new_account_high_value", "country_mismatch"]);
  });
});

describe("fraud function: exactly once", () => {
  it("changes nothing when a batch is replayed", async (t) => {
    const { store } = await backends(t);
    const fraud = fraudFunction({ store });
    const batch = asRecords([...cardTestingBurst(5), orderPlaced({ id: "h1", order: "h-o1", customer: "ct-c1", minutes: 30, total: 40 })]);
    await fraud.handleBatch(batch, batchContext());
    const snapshot = async () => ({
      alerts: await countRows(store, "fraud_alerts"),
      activity: await countRows(store, "fraud_activity"),
      history: await store.get("SELECT order_count, mean_log_total, card_count FROM fraud_customers WHERE customer_id = 'ct-c1'"),
      evidence: await store.all("SELECT order_id, reasons, alert_id FROM fraud_orders ORDER BY order_id"),
    });
    const before = await snapshot();
    await fraud.handleBatch(batch, batchContext());
    await fraud.handleBatch(batch.slice(2, 4), batchContext());
    assert.deepEqual(await snapshot(), before);
    assert.deepEqual(before.history, { order_count: 2, mean_log_total: (Math.log(9.5) + Math.log(40)) / 2, card_count: 5 });
    assert.equal(before.alerts, 1);
  });

  it("appends a batch's alerts once when it died between the store commit and the stream append", async (t) => {
    const { store, stream } = await backends(t);
    const flaky = failingOnce(stream);
    const fraud = fraudFunction({ store, stream: flaky });
    const checkpoint = { consumer: "fraud", stream: "curated", shardId: SHARD, sequenceNumber: "49000000000000000000000000000000000000000000000000000007" };
    const batch = asRecords(cardTestingBurst(6));
    await assert.rejects(fraud.handleBatch(batch, batchContext(checkpoint)), /stream unavailable/);
    assert.equal(await countRows(store, "fraud_alerts"), 1, "the store committed");
    assert.equal((await curatedAlerts(stream)).length, 0);
    assert.equal(await stream.getCheckpoint("fraud", "curated", SHARD), undefined);

    await fraud.handleBatch(batch, batchContext(checkpoint));
    assert.equal((await curatedAlerts(stream)).length, 1, "the replay appends the alert the first attempt raised");
    assert.equal(await stream.getCheckpoint("fraud", "curated", SHARD), checkpoint.sequenceNumber);
  });
});

describe("fraud function: under its event source mapping", () => {
  it("reads the curated stream it appends its alerts to, and appends each alert once with its checkpoint", async (t) => {
    const { store, stream } = await backends(t);
    const events = [...cardTestingBurst(6), ...cardTestingBurst(5, { prefix: "second" })];
    const put = await stream.putRecords("curated", events.map((event) => ({ partitionKey: event.customer_id ?? event.event_id, data: Buffer.from(JSON.stringify(event)) })));
    const runtime = await deployFunctions({
      stream,
      functionsConfig: { fraud: { batchSize: 4 } },
      baseDir: process.cwd(),
      builtins: { fraud: { fn: fraudFunction({ store, stream }), defaultStream: "curated" } },
    });
    // Stopped here rather than in an after hook: hooks run in order, and the backends' closes first.
    try {
      await runtime.start();
      const caughtUp = async () => (await runtime.lag())[FunctionRuntime.consumerName("fraud")] === 0 && (await countRows(store, "processed_events")) === events.length;
      await waitFor(caughtUp, "the fraud function to catch up");
    } finally {
      await runtime.stop();
    }
    const alerts = (await curatedAlerts(stream)).filter((record) => record.type === "fraud_alert");
    assert.deepEqual(alerts.map((alert) => alert.payload.trigger_event_id).sort(), ["ct-pay-4", "second-pay-4"]);
    const checkpoint = await stream.getCheckpoint(FunctionRuntime.consumerName("fraud"), "curated", SHARD);
    assert.ok(checkpoint !== undefined && compareSequenceNumbers(checkpoint, (put[put.length - 1] as { sequenceNumber: string }).sequenceNumber) > 0, "past its own alerts");
  });
});

describe("fraud function: state", () => {
  it("keeps its windows and histories across a restart", async (t) => {
    const dir = makeTempDir("shopstream-fraud-");
    t.after(() => removeDir(dir));
    const orders = Array.from({ length: 5 }, (_, index) => orderPlaced({ id: `v${index}`, order: `vo${index}`, customer: "c-v", minutes: index * 4, total: 50 }));
    const first = await openFraudStore(dir);
    await fraudFunction({ store: first }).handleBatch(asRecords(orders.slice(0, 3)), batchContext());
    await first.close();

    const second = await openFraudStore(dir);
    t.after(() => second.close());
    await fraudFunction({ store: second }).handleBatch(asRecords(orders.slice(3)), batchContext());
    const alerts = await recentFraudAlerts(second);
    assert.deepEqual(alerts.map((alert) => alert.eventId), ["v4"], "the fifth order in 16 minutes, three of them before the restart");
    assert.match(alerts[0]?.reasons[0]?.detail ?? "", /5 orders by customer c-v within 30 min/);
  });

  it("judges an amount against the customer's history, and a card against the cards they used", async (t) => {
    const { store } = await backends(t);
    const fraud = fraudFunction({ store });
    const history = [30, 45, 25, 60].flatMap((total, index) => [
      orderPlaced({ id: `h${index}`, order: `ho${index}`, customer: "c-h", minutes: index * 120, total }),
      payment({ id: `hp${index}`, order: `ho${index}`, customer: "c-h", minutes: index * 120 + 1, amount: total, card: "card-own" }),
    ]);
    await fraud.handleBatch(asRecords(history), batchContext());
    await fraud.handleBatch(
      asRecords([
        // z ≈ 4.3 on the log scale: suspicious, not damning on its own.
        orderPlaced({ id: "big", order: "o-big", customer: "c-h", minutes: 600, total: 330 }),
        payment({ id: "big-pay", order: "o-big", minutes: 601, amount: 330, card: "card-stolen" }),
      ]),
      batchContext(),
    );
    const [alert] = await recentFraudAlerts(store);
    assert.equal(alert?.eventId, "big-pay", "the order's anomaly and the unfamiliar card together tip the score");
    assert.equal(alert?.customerId, "c-h", "a payment without a customer belongs to its order's");
    assert.deepEqual(alert?.reasons.map((reason) => reason.rule), ["amount_anomaly", "unfamiliar_card"]);
  });

  it("counts windows in event time, whatever order the events arrive in", async (t) => {
    const { store } = await backends(t);
    const fraud = fraudFunction({ store });
    // A burst delivered backwards, one event per batch: the fourth failure to arrive completes it.
    for (const event of cardTestingBurst(5, { prefix: "rev" }).reverse()) await fraud.handleBatch(asRecords([event]), batchContext());
    // The same failures spread over 50 minutes are no burst, in any order.
    const spread = cardTestingBurst(5, { prefix: "slow", spacingMinutes: 12 });
    await fraud.handleBatch(asRecords([spread[3], spread[0], spread[5], spread[1], spread[4], spread[2]] as CuratedEvent[]), batchContext());
    // Orders at 0, 5, 10 and 15 minutes, and a fifth one that arrives last but happened first.
    const orders = [1, 2, 3, 4, 0].map((index) => orderPlaced({ id: `late${index}`, order: `lo${index}`, customer: "c-late", minutes: 100 + index * 5, total: 35 }));
    await fraud.handleBatch(asRecords(orders), batchContext());

    const alerts = await recentFraudAlerts(store);
    assert.deepEqual(alerts.map((alert) => alert.eventId).sort(), ["late0", "rev-pay-2"]);
    const byOrder = new Map(alerts.map((alert) => [alert.orderId, alert]));
    assert.ok(byOrder.get("rev-o1")?.reasons.some((reason) => reason.rule === "card_testing"));
    assert.equal(byOrder.get("lo0")?.occurredAt, at(100));
  });

  it("prunes window state that is older than the windows and the allowed lateness", async (t) => {
    const { store } = await backends(t);
    const fraud = fraudFunction({ store, config: { allowedLatenessMs: 30 * 60_000 } });
    await fraud.handleBatch(asRecords(cardTestingBurst(2)), batchContext());
    assert.equal(await countRows(store, "fraud_activity"), 3);
    await fraud.handleBatch(asRecords([orderPlaced({ id: "later", order: "o-later", customer: "c9", minutes: 180, total: 20 })]), batchContext());
    assert.deepEqual(await store.all("SELECT event_id FROM fraud_activity"), [{ event_id: "later" }]);
    assert.deepEqual(await store.all("SELECT order_id FROM fraud_orders"), [{ order_id: "o-later" }]);
    assert.equal(await countRows(store, "fraud_customers"), 2, "histories stay");
  });

  it("skips records it cannot assess and leaves other event types alone", async (t) => {
    const { store } = await backends(t);
    const fraud = fraudFunction({ store });
    const noOrderId = orderPlaced({ id: "bad", order: "o-bad", customer: "c1", minutes: 0, total: 10 });
    delete noOrderId.payload["order_id"];
    const pageView: CuratedEvent = { event_id: "pv", type: "page_view", occurred_at: at(0), ingested_at: at(0), payload: { session_id: "s", page: "/" } };
    const records = [...asRecords([noOrderId, pageView]), { sequenceNumber: "x", partitionKey: "k", approximateArrivalTimestamp: 0, value: 42 as unknown as CuratedEvent }];
    await fraud.handleBatch(records, batchContext());
    assert.equal(await countRows(store, "fraud_activity"), 0);
    assert.equal(await countRows(store, "processed_events"), 0);
  });
});
