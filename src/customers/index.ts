// Public surface of customer analytics: the `customers` built-in function (sessions and funnel, profiles,
// per-minute KPIs), RFM, the read API the dashboard uses, its HTTP routes, its config and its tables.
export { createCustomersFunction, CUSTOMERS_FUNCTION, type CustomersFunctionOptions } from "./customers-function.js";
export { customersConfigSchema, rfmConfigSchema, DEFAULT_CUSTOMERS_CONFIG, type CustomersConfig, type RfmConfig } from "./config.js";
export { customerMigrations } from "./schema.js";
export { computeRfm, segmentCounts, latestEventTimeMs, type ComputeRfmOptions, type RfmSummary, type SegmentCount } from "./rfm.js";
export { RFM_SEGMENTS, RFM_SEGMENT_RULES, type RfmSegment, type RfmSegmentRule } from "./rfm-scores.js";
export { funnelConversion, type FunnelConversion, type FunnelStepConversion } from "./funnel.js";
export { FUNNEL_STEPS, type FunnelStep } from "./funnel-steps.js";
export { kpiSeries, MAX_SERIES_MINUTES, type KpiMinute, type KpiSeries, type KpiTotals } from "./kpi-series.js";
export {
  customerProfile,
  topCustomers,
  type CategorySpend,
  type CustomerProfile,
  type CustomerRfm,
  type CustomerSession,
  type CustomerSummary,
  type TopCustomerOrdering,
} from "./profile-queries.js";
export { cohorts, type Cohort, type CohortMonth } from "./cohorts.js";
export { registerCustomerRoutes, type CustomerRoutesOptions } from "./routes.js";
export type { TimeRange } from "./time-range.js";
