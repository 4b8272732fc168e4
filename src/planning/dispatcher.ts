// The truck dispatcher (the StoreTruckApp): long-polls the replenishment queue, groups alerts by store,
// sends trucks from the nearest depots with a free truck (splitting loads by capacity), simulates each
// drive on the shop clock (and the drive back, before the truck is free again), and emits truck_dispatched,
// truck_arrived and replenishment_delivered; fleetState() shows where every truck is. A
// message is deleted only after the delivery that settles it is durable; one that fails stays in the
// queue, comes back after its visibility timeout, and reaches the dead-letter queue after maxReceiveCount.
import { setTimeout as sleep } from "node:timers/promises";
import { countReceived, countSent } from "../monitor/index.js";
import type { Queue, ReceivedMessage } from "../queue/index.js";
import type { Depot, Store } from "../simulator/index.js";
import { DEFAULT_DISPATCH_CONFIG, DEFAULT_PLANNING_CONFIG } from "./config.js";
import { appendDurably, type EventSink } from "./event-sink.js";
import { Fleet, type Truck } from "./fleet.js";
import { FleetLog, interpolate, type FleetState, type TruckState } from "./fleet-state.js";
import { haversineKm } from "./geo.js";
import { parseAlert, type ReplenishmentAlert } from "./replenishment-alert.js";

export interface TruckDispatcherOptions {
  queue: Queue;
  /** default "replenishment" */
  queueName?: string;
  /** where the events go: the pipeline's IngestService, or httpEventSink for a pipeline elsewhere */
  sink: EventSink;
  /** the depots trucks leave from and the stores they drive to (lat/lon) */
  catalog: { depots: readonly Depot[]; stores: readonly Store[] };
  /** shop time, ms since the epoch; default the wall clock */
  clock?: () => number;
  /** shop milliseconds per real millisecond while a truck drives (the simulator's speed); default 1 */
  speedFactor?: number;
  /** waits out `shopMs` of driving; default a real sleep of shopMs / speedFactor. Tests pass a fast one. */
  waitShopMs?: (shopMs: number, signal: AbortSignal) => Promise<void>;
  /** default 50 */
  driveSpeedKmh?: number;
  /** units one truck carries; default 2000 */
  truckCapacityUnits?: number;
  /** default 4 */
  trucksPerDepot?: number;
  /** long-poll wait per receive, 0–20 s; default 20 */
  receiveWaitSec?: number;
  /** messages being worked on at once; receiving pauses at this many; default 100 */
  maxInflightMessages?: number;
  /** called once per delivery after it is durable (e.g. the built-in simulator's applyReplenishment) */
  onDelivered?: (storeId: string, productId: string, quantity: number) => void;
  /** a message that failed (it stays in the queue), or a receive that failed */
  onError?: (error: unknown, message?: ReceivedMessage) => void;
}

/** One message's share of a trip: a message bigger than a truck is split into parts of at most capacity. */
interface Load {
  message: ReceivedMessage;
  alert: ReplenishmentAlert;
  /** `<message id>.<part number>`: stable across redeliveries, so the events it yields keep their ids */
  partKey: string;
  quantity: number;
}

/** A truck away from its depot: one leg, out to a store or back from it. */
interface Trip {
  state: "to_store" | "returning";
  store: Store;
  loadUnits: number;
  legStartedShopMs: number;
  legStartedRealMs: number;
  legShopMs: number;
}

const SOURCE = "truck-dispatcher";
const MS_PER_HOUR = 3_600_000;
/** How long after a failed receive (the queue closed under us, a disk error) the loop tries again. */
const RECEIVE_RETRY_MS = 1_000;
/** Added to a long drive's visibility extension, for the time it takes to write the events after it. */
const VISIBILITY_MARGIN_SEC = 30;
const MAX_VISIBILITY_SEC = 43_200;
/** onDelivered is a side effect outside the stream: remember this many delivery ids to call it once each. */
const DELIVERED_MEMORY = 10_000;

export class TruckDispatcher {
  private readonly queueName: string;
  private readonly fleet: Fleet;
  private readonly storesById: Map<string, Store>;
  private readonly clock: () => number;
  private readonly waitShopMs: (shopMs: number, signal: AbortSignal) => Promise<void>;
  private readonly driveSpeedKmh: number;
  private readonly truckCapacityUnits: number;
  private readonly realMsPerShopMs: number;
  private readonly inflight = new Set<Promise<void>>();
  /** trucks driving back to their depot: free again when they arrive */
  private readonly returning = new Set<Promise<void>>();
  /** trucks away from their depot, by truck_id */
  private readonly trips = new Map<string, Trip>();
  private readonly log = new FleetLog();
  private readonly speedFactor: number;
  private readonly deliveredIds = new Set<string>();
  private inflightMessages = 0;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private queueVisibilitySec = 30;

  constructor(private readonly options: TruckDispatcherOptions) {
    this.queueName = options.queueName ?? DEFAULT_PLANNING_CONFIG.queue;
    this.fleet = new Fleet(options.catalog.depots, options.trucksPerDepot ?? DEFAULT_DISPATCH_CONFIG.trucksPerDepot);
    this.storesById = new Map(options.catalog.stores.map((store) => [store.store_id, store]));
    this.clock = options.clock ?? Date.now;
    const speedFactor = options.speedFactor ?? 1;
    if (!(speedFactor > 0)) throw new RangeError(`speedFactor must be positive, got ${speedFactor}`);
    this.waitShopMs = options.waitShopMs ?? ((shopMs, signal) => sleep(shopMs / speedFactor, undefined, { signal }));
    this.driveSpeedKmh = options.driveSpeedKmh ?? DEFAULT_DISPATCH_CONFIG.driveSpeedKmh;
    this.truckCapacityUnits = options.truckCapacityUnits ?? DEFAULT_DISPATCH_CONFIG.truckCapacityUnits;
    this.realMsPerShopMs = 1 / speedFactor;
    this.speedFactor = speedFactor;
  }

  /**
   * Every truck with its position on the shop clock (straight-line, at a steady pace), its load and its
   * times, the latest dispatches, arrivals and deliveries (newest first), and totals since the start.
   */
  fleetState(): FleetState {
    const { depots, stores } = this.options.catalog;
    const trucks = this.fleet.trucks.map((truck): TruckState => {
      const trip = this.trips.get(truck.truck_id);
      const { depot } = truck;
      if (!trip) return { truck_id: truck.truck_id, depot_id: depot.depot_id, state: "idle", lat: depot.lat, lon: depot.lon, load_units: 0 };
      const elapsedShopMs = this.options.clock ? this.clock() - trip.legStartedShopMs : (Date.now() - trip.legStartedRealMs) * this.speedFactor;
      const progress = trip.legShopMs <= 0 ? 1 : Math.min(1, Math.max(0, elapsedShopMs / trip.legShopMs));
      const [from, to] = trip.state === "to_store" ? [depot, trip.store] : [trip.store, depot];
      return {
        truck_id: truck.truck_id,
        depot_id: depot.depot_id,
        state: trip.state,
        store_id: trip.store.store_id,
        ...interpolate(from, to, progress),
        load_units: trip.state === "to_store" ? trip.loadUnits : 0,
        departed_at: new Date(trip.legStartedShopMs).toISOString(),
        eta: new Date(trip.legStartedShopMs + trip.legShopMs).toISOString(),
      };
    });
    return {
      at: new Date(this.clock()).toISOString(),
      depots: depots.map(({ depot_id, name, lat, lon }) => ({ depot_id, name, lat, lon })),
      stores: stores.map(({ store_id, name, lat, lon }) => ({ store_id, name, lat, lon })),
      trucks,
      recent: this.log.recent(),
      totals: this.log.totals(),
    };
  }

  /** Starts consuming; resolves once the queue is known to exist. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.queueVisibilitySec = (await this.options.queue.describeQueue(this.queueName)).attributes.visibilityTimeoutSec;
    const abort = new AbortController();
    this.abort = abort;
    this.loop = this.consume(abort.signal);
  }

  /**
   * Stops receiving and abandons the drives in progress: their messages were not deleted, so they come back
   * after the visibility timeout and the redelivery emits the same event ids.
   */
  async stop(): Promise<void> {
    this.abort?.abort(new Error("the truck dispatcher is stopping"));
    await this.loop;
    await Promise.allSettled([...this.inflight]);
    await Promise.allSettled([...this.returning]);
    this.loop = undefined;
  }

  private async consume(signal: AbortSignal): Promise<void> {
    const maxInflight = this.options.maxInflightMessages ?? DEFAULT_DISPATCH_CONFIG.maxInflightMessages;
    while (!signal.aborted) {
      if (this.inflightMessages >= maxInflight) {
        await Promise.race(this.inflight);
        continue;
      }
      let messages: ReceivedMessage[];
      try {
        messages = await this.options.queue.receive(this.queueName, {
          maxMessages: Math.min(10, maxInflight - this.inflightMessages),
          waitTimeSec: this.options.receiveWaitSec ?? DEFAULT_DISPATCH_CONFIG.receiveWaitSec,
          signal,
        });
      } catch (error) {
        if (signal.aborted) break;
        this.options.onError?.(error);
        await sleep(RECEIVE_RETRY_MS, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (messages.length === 0) continue;
      countReceived("dispatcher", messages.length);
      this.inflightMessages += messages.length;
      const work = this.dispatchBatch(messages, signal).finally(() => {
        this.inflightMessages -= messages.length;
        this.inflight.delete(work);
      });
      this.inflight.add(work);
    }
  }

  /** Each store's alerts go out on their own trucks, all stores at once; settled messages are deleted. */
  private async dispatchBatch(messages: ReceivedMessage[], signal: AbortSignal): Promise<void> {
    const byStore = new Map<string, Load[]>();
    for (const message of messages) {
      try {
        const alert = parseAlert(message.body);
        const loads = byStore.get(alert.store_id) ?? [];
        loads.push(...this.splitByCapacity(message, alert));
        byStore.set(alert.store_id, loads);
      } catch (error) {
        this.options.onError?.(error, message);
      }
    }
    const settled = await Promise.all([...byStore].map(([storeId, loads]) => this.serveStore(storeId, loads, signal)));
    const handles = settled.flat().map((message) => message.receiptHandle);
    for (let i = 0; i < handles.length; i += 10) {
      await this.options.queue.delete(this.queueName, handles.slice(i, i + 10)).catch((error: unknown) => this.options.onError?.(error));
    }
  }

  /** Returns the messages whose every part was delivered; the others are left to come back. */
  private async serveStore(storeId: string, loads: Load[], signal: AbortSignal): Promise<ReceivedMessage[]> {
    const store = this.storesById.get(storeId);
    if (!store) {
      for (const load of loads) this.options.onError?.(new RangeError(`unknown store ${storeId}`), load.message);
      return [];
    }
    const failed = new Set<ReceivedMessage>();
    await Promise.all(
      this.packTrips(loads).map((trip) =>
        this.runTrip(store, trip, signal).catch((error: unknown) => {
          for (const load of trip) {
            if (!failed.has(load.message) && !signal.aborted) this.options.onError?.(error, load.message);
            failed.add(load.message);
          }
        }),
      ),
    );
    return [...new Set(loads.map((load) => load.message))].filter((message) => !failed.has(message));
  }

  private splitByCapacity(message: ReceivedMessage, alert: ReplenishmentAlert): Load[] {
    const loads: Load[] = [];
    for (let part = 0, left = alert.quantity; left > 0; part++) {
      const quantity = Math.min(left, this.truckCapacityUnits);
      loads.push({ message, alert, partKey: `${message.messageId}.${part + 1}`, quantity });
      left -= quantity;
    }
    return loads;
  }

  /** First fit, largest first: few trucks per store, each as full as the loads allow. */
  private packTrips(loads: Load[]): Load[][] {
    const trips: { units: number; loads: Load[] }[] = [];
    for (const load of [...loads].sort((a, b) => b.quantity - a.quantity || a.partKey.localeCompare(b.partKey))) {
      const trip = trips.find((candidate) => candidate.units + load.quantity <= this.truckCapacityUnits);
      if (trip) {
        trip.units += load.quantity;
        trip.loads.push(load);
      } else trips.push({ units: load.quantity, loads: [load] });
    }
    return trips.map((trip) => trip.loads);
  }

  private async runTrip(store: Store, loads: Load[], signal: AbortSignal): Promise<void> {
    const truck = await this.fleet.acquire(store, signal);
    let delivered = false;
    try {
      await this.drive(truck, store, loads, signal);
      delivered = true;
    } finally {
      if (delivered && !signal.aborted) this.driveBack(truck, store, signal);
      else this.park(truck);
    }
  }

  /** The drive back runs on its own: the messages it delivered are settled already. */
  private driveBack(truck: Truck, store: Store, signal: AbortSignal): void {
    const legShopMs = this.driveShopMsOf(truck, store);
    this.trips.set(truck.truck_id, { state: "returning", store, loadUnits: 0, legStartedShopMs: this.clock(), legStartedRealMs: Date.now(), legShopMs });
    const back = this.waitShopMs(legShopMs, signal)
      .catch(() => undefined)
      .finally(() => {
        this.park(truck);
        this.returning.delete(back);
      });
    this.returning.add(back);
  }

  /** At its depot and free. */
  private park(truck: Truck): void {
    this.trips.delete(truck.truck_id);
    this.fleet.release(truck);
  }

  private driveShopMsOf(truck: Truck, store: Store): number {
    return Math.round((haversineKm(truck.depot, store) / this.driveSpeedKmh) * MS_PER_HOUR);
  }

  private async drive(truck: Truck, store: Store, loads: Load[], signal: AbortSignal): Promise<void> {
    const first = loads[0];
    if (!first) return;
    const dispatchId = `dispatch-${first.partKey}`;
    const distanceKm = haversineKm(truck.depot, store);
    const driveShopMs = this.driveShopMsOf(truck, store);
    const departedMs = this.clock();
    const loadUnits = loads.reduce((sum, load) => sum + load.quantity, 0);
    this.trips.set(truck.truck_id, { state: "to_store", store, loadUnits, legStartedShopMs: departedMs, legStartedRealMs: Date.now(), legShopMs: driveShopMs });
    const envelope = (type: string, eventId: string, occurredMs: number, payload: object) => ({
      event_id: eventId,
      type,
      occurred_at: new Date(occurredMs).toISOString(),
      source: SOURCE,
      // A store's truck events share a shard, so they stay in order for every consumer.
      partition_key: store.store_id,
      payload,
    });
    await appendDurably(this.options.sink, [
      envelope("truck_dispatched", `truck-dispatched:${dispatchId}`, departedMs, {
        dispatch_id: dispatchId,
        truck_id: truck.truck_id,
        depot_id: truck.depot.depot_id,
        store_id: store.store_id,
        items: loads.map((load) => ({ product_id: load.alert.product_id, quantity: load.quantity })),
        eta: new Date(departedMs + driveShopMs).toISOString(),
        distance_km: Math.round(distanceKm * 10) / 10,
      }),
    ]);
    this.log.record({ type: "truck_dispatched", at: new Date(departedMs).toISOString(), truck_id: truck.truck_id, store_id: store.store_id, units: loadUnits });
    await this.keepInvisibleDuring(loads, driveShopMs);
    await this.waitShopMs(driveShopMs, signal);
    const arrivedMs = Math.max(this.clock(), departedMs + driveShopMs);
    await appendDurably(this.options.sink, [
      envelope("truck_arrived", `truck-arrived:${dispatchId}`, arrivedMs, { dispatch_id: dispatchId, truck_id: truck.truck_id, store_id: store.store_id }),
      ...loads.map((load) =>
        envelope("replenishment_delivered", deliveryIdOf(load), arrivedMs, {
          store_id: store.store_id,
          product_id: load.alert.product_id,
          quantity: load.quantity,
          truck_id: truck.truck_id,
          dispatch_id: dispatchId,
          alert_run_id: load.alert.run_id,
        }),
      ),
    ]);
    const arrivedAt = new Date(arrivedMs).toISOString();
    this.log.record({ type: "truck_arrived", at: arrivedAt, truck_id: truck.truck_id, store_id: store.store_id, units: loadUnits });
    for (const load of loads) {
      this.log.record({ type: "replenishment_delivered", at: arrivedAt, truck_id: truck.truck_id, store_id: store.store_id, units: load.quantity });
    }
    for (const load of loads) this.reportDelivered(load);
  }

  /** A drive longer than the queue's visibility timeout would have its messages handed out again mid-trip. */
  private async keepInvisibleDuring(loads: Load[], driveShopMs: number): Promise<void> {
    const driveSec = Math.ceil((driveShopMs * this.realMsPerShopMs) / 1000);
    if (driveSec + VISIBILITY_MARGIN_SEC <= this.queueVisibilitySec) return;
    const visibilityTimeoutSec = Math.min(MAX_VISIBILITY_SEC, driveSec + VISIBILITY_MARGIN_SEC);
    const handles = [...new Set(loads.map((load) => load.message.receiptHandle))];
    for (let i = 0; i < handles.length; i += 10) {
      await this.options.queue.changeVisibility(
        this.queueName,
        handles.slice(i, i + 10).map((receiptHandle) => ({ receiptHandle, visibilityTimeoutSec })),
      );
    }
  }

  private reportDelivered(load: Load): void {
    const id = deliveryIdOf(load);
    if (!this.options.onDelivered || this.deliveredIds.has(id)) return;
    this.deliveredIds.add(id);
    countSent("dispatcher");
    if (this.deliveredIds.size > DELIVERED_MEMORY) {
      const oldest = this.deliveredIds.values().next();
      if (!oldest.done) this.deliveredIds.delete(oldest.value);
    }
    this.options.onDelivered(load.alert.store_id, load.alert.product_id, load.quantity);
  }
}

function deliveryIdOf(load: Load): string {
  return `replenishment-delivered:${load.partKey}`;
}
