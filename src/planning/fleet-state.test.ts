// The dispatcher's fleet state on a shop clock the test moves by hand: a truck idles at its depot, drives
// to the store (its position halfway there at half the drive time), delivers, drives back (not free until
// it is home), and the happenings and totals follow.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { IngestService } from "../ingest/index.js";
import { SqliteQueue } from "../queue/index.js";
import { generateCatalog } from "../simulator/index.js";
import { SqliteStream } from "../stream/index.js";
import { tempDir } from "../test-support/temp-dir.js";
import { waitFor } from "../test-support/server.js";
import { TruckDispatcher } from "./dispatcher.js";
import { haversineKm } from "./geo.js";
import type { ReplenishmentAlert } from "./replenishment-alert.js";

/** A shop clock that stands still; each drive waits until the test lets it end. */
class HandClock {
  nowMs = Date.parse("2026-03-02T08:00:00Z");
  readonly drives: Array<{ shopMs: number; end: () => void }> = [];
  readonly now = (): number => this.nowMs;
  readonly wait = (shopMs: number): Promise<void> => new Promise((resolve) => this.drives.push({ shopMs, end: resolve }));
}

describe("TruckDispatcher.fleetState", () => {
  it("shows every truck, interpolates a drive on the shop clock, and keeps the latest happenings and totals", async (t) => {
    const dir = tempDir(t);
    const stream = new SqliteStream({ path: join(dir, "stream.db") });
    const queue = new SqliteQueue({ path: join(dir, "queue.db") });
    t.after(async () => {
      await queue.close();
      await stream.close();
    });
    await stream.ensureStream("events", { shardCount: 1, retentionHours: 24 });
    await queue.ensureQueue("replenishment");
    const ingest = new IngestService({ stream, streamName: "events", maxEventBytes: 1_000_000, maxInflightEvents: 1_000 });
    const catalog = generateCatalog(42);
    const store = catalog.stores[0]!;
    const clock = new HandClock();
    const dispatcher = new TruckDispatcher({
      queue,
      sink: ingest,
      catalog,
      clock: clock.now,
      waitShopMs: clock.wait,
      trucksPerDepot: 2,
      driveSpeedKmh: 60,
      receiveWaitSec: 1,
    });
    t.after(() => dispatcher.stop());

    const idle = dispatcher.fleetState();
    assert.equal(idle.trucks.length, catalog.depots.length * 2);
    assert.equal(idle.depots.length, catalog.depots.length);
    assert.deepEqual(idle.stores[0], { store_id: store.store_id, name: store.name, lat: store.lat, lon: store.lon });
    for (const truck of idle.trucks) {
      const depot = catalog.depots.find((d) => d.depot_id === truck.depot_id)!;
      assert.deepEqual(truck, { truck_id: truck.truck_id, depot_id: depot.depot_id, state: "idle", lat: depot.lat, lon: depot.lon, load_units: 0 });
    }
    assert.deepEqual(idle.totals, { dispatched: 0, arrived: 0, delivered_units: 0 });
    assert.deepEqual(idle.recent, []);

    const alert: ReplenishmentAlert = {
      store_id: store.store_id,
      product_id: store.inventory[0]!.product_id,
      current_level: 1,
      reorder_point: 10,
      target_level: 61,
      quantity: 60,
      priority: "high",
      planned_at: new Date(clock.nowMs).toISOString(),
      run_id: "run-1",
    };
    await queue.send("replenishment", [{ body: JSON.stringify(alert) }]);
    await dispatcher.start();
    await waitFor(() => clock.drives.length === 1, 10_000, "the truck on its way");

    const departedMs = clock.nowMs;
    const outbound = clock.drives[0]!;
    const nearest = [...catalog.depots].sort((a, b) => haversineKm(a, store) - haversineKm(b, store))[0]!;
    assert.equal(outbound.shopMs, Math.round((haversineKm(nearest, store) / 60) * 3_600_000), "the drive takes distance / speed");
    clock.nowMs = departedMs + outbound.shopMs / 2;
    const driving = dispatcher.fleetState();
    const moving = driving.trucks.filter((truck) => truck.state !== "idle");
    assert.equal(moving.length, 1);
    const truck = moving[0]!;
    assert.equal(truck.depot_id, nearest.depot_id, "the truck comes from the nearest depot");
    assert.equal(truck.state, "to_store");
    assert.equal(truck.store_id, store.store_id);
    assert.equal(truck.load_units, 60);
    assert.ok(Math.abs(truck.lat - (nearest.lat + store.lat) / 2) < 1e-5 && Math.abs(truck.lon - (nearest.lon + store.lon) / 2) < 1e-5, "halfway there");
    assert.equal(truck.departed_at, new Date(departedMs).toISOString());
    assert.equal(truck.eta, new Date(departedMs + outbound.shopMs).toISOString());
    assert.deepEqual(driving.recent.map((h) => [h.type, h.units]), [["truck_dispatched", 60]]);
    assert.equal(driving.at, new Date(clock.nowMs).toISOString());

    // Arrival: the load is delivered and the truck turns back; it is not free until it is home.
    clock.nowMs = departedMs + outbound.shopMs;
    outbound.end();
    await waitFor(() => clock.drives.length === 2, 10_000, "the drive back");
    const arrivedMs = clock.nowMs;
    clock.nowMs = arrivedMs + clock.drives[1]!.shopMs / 4;
    const back = dispatcher.fleetState().trucks.find((candidate) => candidate.truck_id === truck.truck_id)!;
    assert.equal(back.state, "returning");
    assert.equal(back.load_units, 0);
    assert.ok(Math.abs(back.lat - (store.lat + (nearest.lat - store.lat) / 4)) < 1e-5, "a quarter of the way home");
    const state = dispatcher.fleetState();
    assert.deepEqual(
      state.recent.map((h) => [h.type, h.truck_id, h.store_id, h.units]),
      [
        ["replenishment_delivered", truck.truck_id, store.store_id, 60],
        ["truck_arrived", truck.truck_id, store.store_id, 60],
        ["truck_dispatched", truck.truck_id, store.store_id, 60],
      ],
      "newest first",
    );
    assert.deepEqual(state.totals, { dispatched: 1, arrived: 1, delivered_units: 60 });

    clock.drives[1]!.end();
    await waitFor(() => dispatcher.fleetState().trucks.every((candidate) => candidate.state === "idle"), 10_000, "the truck home");
    const home = dispatcher.fleetState().trucks.find((candidate) => candidate.truck_id === truck.truck_id)!;
    assert.deepEqual([home.lat, home.lon], [nearest.lat, nearest.lon]);
  });
});
