// Public surface of planning: store planning over the lake (runPlanning, its migrations and report), the
// reorder policy and the refresher of the serving store's levels, the truck dispatcher that consumes its
// alerts and its fleet state, the event sinks the dispatcher writes to, their config and HTTP routes.
export {
  DEFAULT_DEDUP_WINDOW_MS,
  DEFAULT_DEMAND_WINDOW_DAYS,
  DEFAULT_QUEUE_NAME,
  runPlanning,
  type PlanningOptions,
  type PlanningReport,
  type ReplenishmentNeed,
} from "./planner.js";
export { planningMigrations, reorderPolicyMigrations } from "./migrations.js";
export { replenishmentNeedSql, type NeedQuery } from "./replenishment-need-sql.js";
export { MalformedAlertError, parseAlert, type AlertPriority, type ReplenishmentAlert } from "./replenishment-alert.js";
export { TruckDispatcher, type TruckDispatcherOptions } from "./dispatcher.js";
export { appendDurably, EventsNotAcceptedError, httpEventSink, type EventSink } from "./event-sink.js";
export { formatPlanningReport } from "./report-format.js";
export {
  DEFAULT_DISPATCH_CONFIG,
  DEFAULT_INVENTORY_CONFIG,
  DEFAULT_PLANNING_CONFIG,
  dispatchConfigSchema,
  inventoryConfigSchema,
  planningConfigSchema,
  type DispatchConfig,
  type InventoryConfig,
  type PlanningConfig,
} from "./config.js";
export { DEFAULT_REORDER_POLICY, derivedLevelsStatement, reorderPolicyOf, type ReorderPolicy } from "./reorder-policy.js";
export { ReorderLevelRefresher, type LevelsRefresh } from "./reorder-levels.js";
export { applyBackorderConfig } from "./backorders.js";
export { StorePlanning, type PlanningRunOverrides, type PlanningRunReport, type StorePlanningOptions } from "./store-planning.js";
export { parsePlanningOptions, PLANNING_RUN_OPTIONS } from "./run-options.js";
export type { FleetHappening, FleetState, FleetTotals, TruckState } from "./fleet-state.js";
export { inventoryGrid, lowStock, type InventoryCell, type InventoryGrid, type LowStockItem } from "./inventory-view.js";
export { registerPlanningRoutes, type PlanningRoutesOptions } from "./routes.js";
