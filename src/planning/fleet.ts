// The trucks: a fixed number per depot, each on one trip at a time. A store gets a truck from the nearest
// depot that has one free; when every depot is busy, the request waits for the first truck back.
import type { Depot } from "../simulator/index.js";
import { haversineKm, type LatLon } from "./geo.js";

export interface Truck {
  truck_id: string;
  depot: Depot;
}

interface Waiter {
  destination: LatLon;
  resolve: (truck: Truck) => void;
}

export class Fleet {
  private readonly free = new Map<string, Truck[]>();
  private readonly waiters: Waiter[] = [];
  /** every truck, depot by depot, in a fixed order */
  readonly trucks: readonly Truck[];

  constructor(
    private readonly depots: readonly Depot[],
    trucksPerDepot: number,
  ) {
    if (depots.length === 0) throw new RangeError("the fleet needs at least one depot");
    if (!Number.isInteger(trucksPerDepot) || trucksPerDepot < 1) throw new RangeError(`trucksPerDepot must be a positive integer, got ${trucksPerDepot}`);
    const trucks: Truck[] = [];
    for (const depot of depots) {
      const atDepot = Array.from({ length: trucksPerDepot }, (_, i) => ({ truck_id: `${depot.depot_id}-truck-${i + 1}`, depot }));
      trucks.push(...atDepot);
      this.free.set(depot.depot_id, [...atDepot]);
    }
    this.trucks = trucks;
  }

  /** A free truck from the nearest depot that has one; waits while none is free. Aborting stops the wait. */
  acquire(destination: LatLon, signal?: AbortSignal): Promise<Truck> {
    const truck = this.takeNearest(destination);
    if (truck) return Promise.resolve(truck);
    return new Promise<Truck>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiter: Waiter = {
        destination,
        resolve: (taken) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(taken);
        },
      };
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Back at its depot: the longest-waiting request gets it, wherever it goes. */
  release(truck: Truck): void {
    const waiter = this.waiters.shift();
    if (waiter) return waiter.resolve(truck);
    this.free.get(truck.depot.depot_id)?.push(truck);
  }

  private takeNearest(destination: LatLon): Truck | undefined {
    const byDistance = [...this.depots].sort((a, b) => haversineKm(a, destination) - haversineKm(b, destination));
    for (const depot of byDistance) {
      const truck = this.free.get(depot.depot_id)?.pop();
      if (truck) return truck;
    }
    return undefined;
  }
}
