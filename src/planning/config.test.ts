// The inventory, planning and dispatch config sections: their defaults, overrides and errors, and what the
// pipeline does with them (backorders per store, the dispatcher's fleet, planning's queue).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePipelineConfig } from "../config/index.js";
import { ConfigError } from "../errors/index.js";
import { generateCatalog } from "../simulator/index.js";
import { startTestServer, waitFor } from "../test-support/server.js";

const BASE = "simulator:\n  ratePerSec: 0\nserver:\n  port: 0\n";

describe("inventory, planning and dispatch config", () => {
  it("has documented defaults", () => {
    const config = parsePipelineConfig("");
    assert.deepEqual(config.inventory, {
      reorderPolicy: { mode: "derived", leadTimeDays: 2, demandWindowDays: 14, safetyFactor: 1.65, reviewDays: 7, refreshIntervalSec: 300 },
      allowBackorder: false,
      stores: {},
    });
    assert.deepEqual(config.planning, { queue: "replenishment", dedupWindowMs: 21_600_000, demandWindowDays: 7 });
    assert.deepEqual(config.dispatch, { enabled: true, trucksPerDepot: 4, truckCapacityUnits: 2000, driveSpeedKmh: 50, receiveWaitSec: 20, maxInflightMessages: 100 });
  });

  it("takes overrides, per store too, and rejects what it does not know with the file, line and path", () => {
    const config = parsePipelineConfig(
      [
        "inventory:",
        "  reorderPolicy: { mode: configured, leadTimeDays: 3.5 }",
        "  stores:",
        "    S002: { allowBackorder: true, leadTimeDays: 5 }",
        "dispatch: { enabled: false, trucksPerDepot: 9 }",
        "planning: { queue: restock }",
      ].join("\n"),
    );
    assert.equal(config.inventory.reorderPolicy.mode, "configured");
    assert.equal(config.inventory.reorderPolicy.leadTimeDays, 3.5);
    assert.equal(config.inventory.reorderPolicy.demandWindowDays, 14, "the other fields keep their defaults");
    assert.deepEqual(config.inventory.stores, { S002: { allowBackorder: true, leadTimeDays: 5 } });
    assert.deepEqual([config.dispatch.enabled, config.dispatch.trucksPerDepot, config.dispatch.driveSpeedKmh], [false, 9, 50]);
    assert.equal(config.planning.queue, "restock");

    assert.throws(() => parsePipelineConfig("inventory:\n  reorderPolicy:\n    mode: psychic\n"), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /pipeline\.yaml:3:\d+ inventory\.reorderPolicy\.mode/);
      return true;
    });
    assert.throws(() => parsePipelineConfig("inventory:\n  stores:\n    S001: { backorders: yes }\n"), /inventory\.stores\.S001/);
    assert.throws(() => parsePipelineConfig("dispatch:\n  trucksPerDepot: 0\n"), /dispatch\.trucksPerDepot: expected an integer from 1 to 10000/);
  });

  it("applies allowBackorder per store: a configured store backorders an order it cannot cover, another flags it short", async (t) => {
    const catalog = generateCatalog(42);
    const [backordering, strict] = catalog.stores;
    assert.ok(backordering && strict);
    const server = await startTestServer(t, {
      yaml: `${BASE}inventory:\n  allowBackorder: false\n  stores:\n    ${backordering.store_id}: { allowBackorder: true }\n`,
    });
    const { store } = server.pipeline;
    const flags = await store.all<{ store_id: string; allow_backorder: number }>("SELECT store_id, allow_backorder FROM stores WHERE store_id IN (?, ?) ORDER BY store_id", [
      backordering.store_id,
      strict.store_id,
    ]);
    assert.deepEqual(
      flags.map((row) => [row.store_id, Number(row.allow_backorder)]),
      [
        [backordering.store_id, 1],
        [strict.store_id, 0],
      ],
    );

    const product = catalog.products[0]!;
    const order = async (orderId: string, storeId: string) => {
      const level = await store.get<{ available: number }>("SELECT on_hand - reserved AS available FROM inventory WHERE store_id = ? AND product_id = ?", [
        storeId,
        product.product_id,
      ]);
      const quantity = Number(level?.available) + 5;
      const response = await fetch(`${server.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          event_id: `ev-${orderId}`,
          type: "order_placed",
          occurred_at: new Date().toISOString(),
          payload: {
            order_id: orderId,
            customer_id: "C000001",
            store_id: storeId,
            currency: "USD",
            items: [{ product_id: product.product_id, quantity, unit_price: product.price }],
            total: Math.round(quantity * product.price * 100) / 100,
          },
        }),
      });
      assert.equal(response.status, 200, await response.text());
    };
    await order("o-backorder", backordering.store_id);
    await order("o-short", strict.store_id);
    const statusOf = async (orderId: string) => (await store.get<{ status: string }>("SELECT status FROM orders WHERE order_id = ?", [orderId]))?.status;
    await waitFor(async () => (await statusOf("o-backorder")) !== undefined && (await statusOf("o-short")) !== undefined, 15_000, "both orders processed");
    assert.equal(await statusOf("o-backorder"), "backordered");
    assert.equal(await statusOf("o-short"), "short");
  });

  it("leaves the dispatcher stopped when dispatch.enabled is false, and sizes its fleet from the config", async (t) => {
    const server = await startTestServer(t, { yaml: `${BASE}dispatch:\n  enabled: false\n  trucksPerDepot: 3\n` });
    const state = server.pipeline.dispatcher.fleetState();
    assert.equal(state.trucks.length, state.depots.length * 3);
    // Nothing consumes the queue: an alert stays visible.
    await server.pipeline.queue.send("replenishment", [{ body: "{}" }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await server.pipeline.queue.counts("replenishment")).visible, 1);
  });
});
