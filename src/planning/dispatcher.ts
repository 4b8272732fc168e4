// The truck dispatcher (the StoreTruckApp): long-polls the replenishment queue, groups alerts by store,
// sends trucks from the nearest depots with a free truck (splitting loads by capacity), simulates each
// drive on the shop clock, and emits truck_dispatched, truck_arrived and replenishment_delivered. A
// message is deleted only after the delivery that settles it is durable; one that fails stays in the
// queue, comes back after its visibility timeout, and reaches the dead-letter queue after maxReceiveCount.
import { setTimeout as sleep } from "node:timers/promises";
import type { Queue, ReceivedMessage } from "../queue/index.js";
import type { Depot, Store } from "../simulator/index.js";
import { appendDurably, type EventSink } from "./event-sink.js";
import { Fleet, type Truck } from "./fleet.js";
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
  private readonly deliveredIds = new Set<string>();
  private inflightMessages = 0;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private queueVisibilitySec = 30;

  constructor(private readonly options: TruckDispatcherOptions) {
    this.queueName = options.queueName ?? "replenishment";
    this.fleet = new Fleet(options.catalog.depots, options.trucksPerDepot ?? 4);
    this.storesById = new Map(options.catalog.stores.map((store) => [store.store_id, store]));
    this.clock = options.clock ?? Date.now;
    const speedFactor = options.speedFactor ?? 1;
    if (!(speedFactor > 0)) throw new RangeError(`speedFactor must be positive, got ${speedFactor}`);
    this.waitShopMs = options.waitShopMs ?? ((shopMs, signal) => sleep(shopMs / speedFactor, undefined, { signal }));
    this.driveSpeedKmh = options.driveSpeedKmh ?? 50;
    this.truckCapacityUnits = options.truckCapacityUnits ?? 2000;
    this.realMsPerShopMs = 1 / speedFactor;
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
    this.loop = undefined;
  }

  private async consume(signal: AbortSignal): Promise<void> {
    const maxInflight = this.options.maxInflightMessages ?? 100;
    while (!signal.aborted) {
      if (this.inflightMessages >= maxInflight) {
        await Promise.race(this.inflight);
        continue;
      }
      let messages: ReceivedMessage[];
      try {
        messages = await this.options.queue.receive(this.queueName, {
          maxMessages: Math.min(10, maxInflight - this.inflightMessages),
          waitTimeSec: this.options.receiveWaitSec ?? 20,
          signal,
        });
      } catch (error) {
        if (signal.aborted) break;
        this.options.onError?.(error);
        await sleep(RECEIVE_RETRY_MS, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (messages.length === 0) continue;
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
    try {
      await this.drive(truck, store, loads, signal);
    } finally {
      this.fleet.release(truck);
    }
  }

  private async drive(truck: Truck, store: Store, loads: Load[], signal: AbortSignal): Promise<void> {
    const first = loads[0];
    if (!first) return;
    const dispatchId = `dispatch-${first.partKey}`;
    const distanceKm = haversineKm(truck.depot, store);
    const driveShopMs = Math.round((distanceKm / this.driveSpeedKmh) * MS_PER_HOUR);
    const departedMs = this.clock();
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
