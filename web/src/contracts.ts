// Response shapes of the routes that other parts of the server mount (inventory, trucks, pipeline health,
// alarms, redrive). The dashboard codes against these; a server without a route says so through
// /v1/dashboard/features and the page shows a notice.

export interface InventoryCell {
  store_id: string;
  product_id: string;
  on_hand: number;
  reserved: number;
  available: number;
  reorder_point: number;
  target_level: number;
  reorder_source: string;
}

export interface InventoryGrid {
  stores: string[];
  products: string[];
  cells: InventoryCell[];
}

export interface LowStockItem {
  store_id: string;
  product_id: string;
  available: number;
  reorder_point: number;
  target_level: number;
  since: string;
}

export interface Place {
  name: string;
  lat: number;
  lon: number;
}

export interface Truck {
  truck_id: string;
  depot_id: string;
  state: "idle" | "to_store" | "returning";
  store_id?: string;
  lat: number;
  lon: number;
  load_units: number;
  departed_at?: string;
  eta?: string;
}

export interface FleetView {
  at: string;
  depots: Array<Place & { depot_id: string }>;
  stores: Array<Place & { store_id: string }>;
  trucks: Truck[];
  recent: Array<{ type: string; at: string; truck_id: string; store_id: string; units: number }>;
  totals: { dispatched: number; arrived: number; delivered_units: number };
}

export interface QueueHealth {
  name: string;
  visible: number;
  in_flight: number;
  delayed: number;
  /** the queues whose failures land here: non-empty for a dead-letter queue */
  dead_letter_for: string[];
}

export interface PipelineHealth {
  at: string;
  components: Array<{
    component: string;
    received_per_sec: number;
    sent_per_sec: number;
    errors_per_sec: number;
    received_total: number;
    sent_total: number;
    errors_total: number;
    discarded_total: number;
  }>;
  consumers: Array<{ consumer: string; stream: string; lag_records: number; iterator_age_ms: number }>;
  functions: Array<{ name: string; ok: number; errors: number; retries: number }>;
  queues: QueueHealth[];
  lake: Array<{ table: string; files: number; records: number; last_delivery_at: string | null; freshness_ms: number | null }>;
  alarms: { OK: number; ALARM: number; INSUFFICIENT_DATA: number };
}

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface Alarm {
  name: string;
  description?: string;
  state: AlarmState;
  stateReason: string;
  stateUpdatedAt: string;
  metric: string;
  statistic: string;
  periodSec: number;
  threshold: number;
  comparison: string;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: string;
  history: unknown[];
}
