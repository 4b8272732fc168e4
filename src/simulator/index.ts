// Public surface of the simulator: the seeded catalog, the traffic generator with its labelled fraud cases,
// and live sending.
export {
  DEFAULT_CATALOG_SEED,
  DEFAULT_CATALOG_SIZES,
  customerSegments,
  generateCatalog,
  type Catalog,
  type CatalogSizes,
  type Customer,
  type CustomerSegment,
  type Depot,
  type Product,
  type Region,
  type Store,
  type StoreStock,
} from "./catalog.js";
export { Random, WeightedPicker, deriveSeed, hash32 } from "./random.js";
export {
  DEFAULT_EVENTS_PER_SHOP_HOUR,
  DEFAULT_FRAUD_RATE,
  DEFAULT_LIVE_SPEED,
  DEFAULT_SNAPSHOT_INTERVAL_MS,
  DEFAULT_TRAFFIC_START_MS,
  MEAN_EVENTS_PER_SESSION,
  createTrafficGenerator,
  generateEvents,
  trafficIntensityAt,
  type TrafficGenerator,
  type TrafficOptions,
  type TrafficStats,
} from "./traffic.js";
export {
  SIMULATION_LABEL_FIELD,
  benignLookalikes,
  fraudPatterns,
  simulationLabelOf,
  type BenignLookalike,
  type CaseKind,
  type FraudPattern,
  type SimulationLabel,
} from "./simulation-label.js";
export { EventTally } from "./event-tally.js";
export { runSimulator, type EventSink, type RunProgress, type RunSimulatorOptions } from "./run.js";
export { HttpSinkError, httpSink, type HttpSink, type HttpSinkOptions, type HttpSinkStats } from "./http-sink.js";
export { writeEventsNdjson, type WriteNdjsonOptions, type WriteNdjsonResult } from "./ndjson-file.js";
export { simulatorConfigSchema, type SimulatorConfig } from "./config.js";
