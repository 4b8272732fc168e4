// What the dashboard's fleet map shows (GET /v1/trucks): every truck's state and position, the stores and
// depots, the latest dispatches, arrivals and deliveries, and totals since the dispatcher started.
import type { LatLon } from "./geo.js";

export interface TruckState {
  truck_id: string;
  depot_id: string;
  state: "idle" | "to_store" | "returning";
  /** the store it drives to, or back from */
  store_id?: string;
  lat: number;
  lon: number;
  /** units on board: 0 unless driving to a store */
  load_units: number;
  /** when the current leg started, shop time, ISO 8601 */
  departed_at?: string;
  /** when the current leg ends, shop time, ISO 8601 */
  eta?: string;
}

export interface FleetHappening {
  type: "truck_dispatched" | "truck_arrived" | "replenishment_delivered";
  /** shop time, ISO 8601 */
  at: string;
  truck_id: string;
  store_id: string;
  /** a trip's load, or one product's delivered units */
  units: number;
}

export interface FleetTotals {
  dispatched: number;
  arrived: number;
  delivered_units: number;
}

export interface FleetState {
  /** the shop clock's now, ISO 8601 */
  at: string;
  depots: Array<{ depot_id: string; name: string; lat: number; lon: number }>;
  stores: Array<{ store_id: string; name: string; lat: number; lon: number }>;
  trucks: TruckState[];
  /** newest first */
  recent: FleetHappening[];
  totals: FleetTotals;
}

export const RECENT_HAPPENINGS = 50;

/** The latest happenings (a bounded list) and the running totals. */
export class FleetLog {
  private readonly happenings: FleetHappening[] = [];
  private readonly counts: FleetTotals = { dispatched: 0, arrived: 0, delivered_units: 0 };

  record(happening: FleetHappening): void {
    this.happenings.push(happening);
    if (this.happenings.length > RECENT_HAPPENINGS) this.happenings.shift();
    if (happening.type === "truck_dispatched") this.counts.dispatched++;
    else if (happening.type === "truck_arrived") this.counts.arrived++;
    else this.counts.delivered_units += happening.units;
  }

  recent(): FleetHappening[] {
    return [...this.happenings].reverse();
  }

  totals(): FleetTotals {
    return { ...this.counts };
  }
}

/** The point `progress` (0…1) of the way from `from` to `to`, on a straight line in degrees: a map's view. */
export function interpolate(from: LatLon, to: LatLon, progress: number): LatLon {
  const round = (value: number) => Math.round(value * 1e6) / 1e6;
  return { lat: round(from.lat + (to.lat - from.lat) * progress), lon: round(from.lon + (to.lon - from.lon) * progress) };
}
