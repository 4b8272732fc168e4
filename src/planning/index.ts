// Public surface of planning: store planning over the lake (runPlanning, its migrations and report), the
// truck dispatcher that consumes its alerts, and the event sinks the dispatcher writes to.
export {
  DEFAULT_DEDUP_WINDOW_MS,
  DEFAULT_DEMAND_WINDOW_DAYS,
  DEFAULT_QUEUE_NAME,
  runPlanning,
  type PlanningOptions,
  type PlanningReport,
  type ReplenishmentNeed,
} from "./planner.js";
export { planningMigrations } from "./sent-alerts.js";
export { replenishmentNeedSql, type NeedQuery } from "./replenishment-need-sql.js";
export { MalformedAlertError, parseAlert, type AlertPriority, type ReplenishmentAlert } from "./replenishment-alert.js";
export { TruckDispatcher, type TruckDispatcherOptions } from "./dispatcher.js";
export { appendDurably, EventsNotAcceptedError, httpEventSink, type EventSink } from "./event-sink.js";
export { formatPlanningReport } from "./report-format.js";
