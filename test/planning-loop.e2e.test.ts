// The replenishment loop end to end over a real pipeline (HTTP ingest, SQLite stream, queue and store,
// DuckDB over the Parquet lake), in simulated time: low stock → plan → queue → dispatch → delivered →
// stock back above the reorder point → a second plan sends nothing for that store. And a message whose
// delivery keeps failing ends in the dead-letter queue.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toRowObjects } from "../src/analytics/index.js";
import { planningMigrations, runPlanning, TruckDispatcher, type ReplenishmentAlert } from "../src/planning/index.js";
import { generateCatalog } from "../src/simulator/index.js";
import { migrate } from "../src/store/index.js";
import { startTestServer, waitFor, type TestServer } from "../src/test-support/server.js";

/** A shop clock that a truck's drive moves forward at once, so a day of driving takes no real time. */
class SimulatedClock {
  constructor(private nowMs: number) {}
  readonly now = (): number => this.nowMs;
  readonly wait = async (shopMs: number): Promise<void> => {
    this.nowMs += shopMs;
  };
}

async function lakeCount(server: TestServer, sql: string): Promise<number> {
  const result = await server.pipeline.analytics.query(sql);
  return Number(result.rows[0]?.[0] ?? 0);
}

async function postEvents(server: TestServer, events: object[]): Promise<void> {
  const response = await fetch(`${server.url}/v1/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(events) });
  assert.equal(response.status, 200, await response.text());
}

async function onHand(server: TestServer, storeId: string, productId: string): Promise<number> {
  const row = await server.pipeline.store.get<{ on_hand: number }>("SELECT on_hand FROM inventory WHERE store_id = ? AND product_id = ?", [storeId, productId]);
  return Number(row?.on_hand);
}

describe("store planning and truck dispatch", () => {
  it("closes the loop: low stock is planned, trucked, delivered, and not planned again", async (t) => {
    const server = await startTestServer(t);
    // The pipeline runs its own dispatcher at the simulator's real-time speed; this test drives one on a
    // simulated clock instead.
    await server.pipeline.dispatcher.stop();
    const { pipeline } = server;
    await migrate(pipeline.store, planningMigrations);
    const catalog = generateCatalog(pipeline.config.simulator.catalogSeed);
    const [store, other] = catalog.stores;
    assert.ok(store && other);
    const [low, healthy] = store.inventory;
    const [otherLow] = other.inventory;
    assert.ok(low && healthy && otherLow);

    const snapshotMs = Date.now() - 60_000;
    const snapshot = (storeId: string, stock: { product_id: string; reorder_point: number; target_level: number }, onHandUnits: number, n: number) => ({
      event_id: `test-snapshot-${n}`,
      type: "inventory_snapshot",
      occurred_at: new Date(snapshotMs).toISOString(),
      payload: { store_id: storeId, product_id: stock.product_id, on_hand: onHandUnits, reorder_point: stock.reorder_point, target_level: stock.target_level },
    });
    await postEvents(server, [
      snapshot(store.store_id, low, 1, 1),
      snapshot(store.store_id, healthy, healthy.reorder_point + 5, 2),
      snapshot(other.store_id, otherLow, 0, 3),
    ]);
    await waitFor(async () => (await lakeCount(server, "SELECT count(*) FROM inventory_snapshots")) === 3, 20_000, "snapshots in the lake");

    const first = await runPlanning({ analytics: pipeline.analytics, queue: pipeline.queue, store: pipeline.store, nowMs: Date.now() });
    assert.equal(first.storesChecked, 2);
    assert.equal(first.productsChecked, 3);
    assert.deepEqual(
      first.belowReorderPoint.map((need) => [need.store_id, need.product_id, need.current_level, need.quantity, need.priority, need.outcome]).sort(),
      [
        [store.store_id, low.product_id, 1, low.target_level - 1, "high", "sent"],
        [other.store_id, otherLow.product_id, 0, otherLow.target_level, "high", "sent"],
      ].sort(),
    );
    assert.equal(first.sent, 2);
    assert.equal((await pipeline.queue.counts("replenishment")).visible, 2, "one message per low store and product");
    const repeat = await runPlanning({ analytics: pipeline.analytics, queue: pipeline.queue, store: pipeline.store, nowMs: Date.now() });
    assert.deepEqual([repeat.sent, repeat.duplicates], [0, 2], "a second run within the window sends nothing new");
    assert.equal((await pipeline.queue.counts("replenishment")).visible, 2);

    const before = await onHand(server, store.store_id, low.product_id);
    const clock = new SimulatedClock(Date.now());
    const delivered: Array<[string, string, number]> = [];
    const errors: unknown[] = [];
    const dispatcher = new TruckDispatcher({
      queue: pipeline.queue,
      sink: pipeline.ingest,
      catalog,
      clock: clock.now,
      waitShopMs: clock.wait,
      receiveWaitSec: 1,
      onDelivered: (storeId, productId, quantity) => delivered.push([storeId, productId, quantity]),
      onError: (error) => errors.push(error),
    });
    await dispatcher.start();
    t.after(() => dispatcher.stop());
    await waitFor(async () => {
      const counts = await pipeline.queue.counts("replenishment");
      return delivered.length === 2 && counts.visible + counts.inFlight === 0;
    }, 10_000, "both alerts delivered and deleted");
    await dispatcher.stop();
    assert.deepEqual(errors, []);
    assert.deepEqual(delivered.sort(), [
      [other.store_id, otherLow.product_id, otherLow.target_level],
      [store.store_id, low.product_id, low.target_level - 1],
    ].sort());

    // The deliveries flow back through the pipeline: into the serving store's inventory and into the lake.
    await waitFor(async () => (await onHand(server, store.store_id, low.product_id)) === before + low.target_level - 1, 10_000, "inventory raised");
    await waitFor(
      async () => (await lakeCount(server, "SELECT count(*) FROM events WHERE type = 'replenishment_delivered'")) === 2,
      20_000,
      "deliveries in the lake",
    );
    const trucks = toRowObjects(await pipeline.analytics.query("SELECT type, count(*) AS n FROM events WHERE type LIKE 'truck_%' GROUP BY type ORDER BY type"));
    assert.deepEqual(trucks, [{ type: "truck_arrived", n: 2 }, { type: "truck_dispatched", n: 2 }]);

    const second = await runPlanning({ analytics: pipeline.analytics, queue: pipeline.queue, store: pipeline.store, nowMs: Date.now() });
    assert.equal(second.sent, 0);
    assert.deepEqual(
      second.belowReorderPoint.filter((need) => need.store_id === store.store_id),
      [],
      "the delivered store is above its reorder point",
    );
    assert.equal((await pipeline.queue.counts("replenishment")).visible, 0);
  });

  it("sends a message whose delivery keeps failing to the dead-letter queue after maxReceiveCount", async (t) => {
    const server = await startTestServer(t);
    const { pipeline } = server;
    await pipeline.queue.createQueue("flaky-dlq", {});
    await pipeline.queue.createQueue("flaky", { visibilityTimeoutSec: 1, redrivePolicy: { deadLetterQueue: "flaky-dlq", maxReceiveCount: 2 } });
    const catalog = generateCatalog(pipeline.config.simulator.catalogSeed);
    const store = catalog.stores[0]!;
    const alert: ReplenishmentAlert = {
      store_id: store.store_id,
      product_id: store.inventory[0]!.product_id,
      current_level: 0,
      reorder_point: 10,
      target_level: 40,
      quantity: 40,
      priority: "high",
      planned_at: new Date().toISOString(),
      run_id: "test-run",
    };
    await pipeline.queue.send("flaky", [{ body: JSON.stringify(alert) }]);
    let attempts = 0;
    const dispatcher = new TruckDispatcher({
      queue: pipeline.queue,
      queueName: "flaky",
      sink: {
        ingest: async () => {
          attempts++;
          throw new Error("ingest is down");
        },
      },
      catalog,
      receiveWaitSec: 1,
      onError: () => undefined,
    });
    await dispatcher.start();
    t.after(() => dispatcher.stop());
    await waitFor(async () => (await pipeline.queue.counts("flaky-dlq")).visible === 1, 10_000, "the message in the dead-letter queue");
    await dispatcher.stop();
    assert.equal(attempts, 2, "one attempt per receive, maxReceiveCount receives");
    const counts = await pipeline.queue.counts("flaky");
    assert.equal(counts.visible + counts.inFlight + counts.delayed, 0);
    const [dead] = await pipeline.queue.receive("flaky-dlq", { maxMessages: 1, waitTimeSec: 0 });
    assert.deepEqual(JSON.parse(dead?.body ?? "null"), alert);
  });
});

describe("POST /v1/planning/run", () => {
  it("runs store planning over HTTP and answers its report; bad input gets a 400 with a JSON error", async (t) => {
    const server = await startTestServer(t);
    await server.pipeline.dispatcher.stop();
    const run = await fetch(`${server.url}/v1/planning/run`, { method: "POST" });
    assert.equal(run.status, 200);
    const report = (await run.json()) as { runId: string; sent: number; belowReorderPoint: unknown[] };
    assert.match(report.runId, /^[0-9a-f-]{36}$/);
    assert.equal(report.sent, report.belowReorderPoint.length, "a first run sends every need it finds");
    const bad = await fetch(`${server.url}/v1/planning/run`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"store_id": 7}' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, "validation_error");
  });
});
