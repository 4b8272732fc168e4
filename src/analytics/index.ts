// Public surface of analytics: DuckDB SQL over the Parquet lake (the engine and its catalog), the
// Athena-style query service and its HTTP routes, and rendering of results.
export {
  AnalyticsEngine,
  openAnalytics,
  ResultTooLargeError,
  type AnalyticsOptions,
  type Execution,
  type ExecuteOptions,
  type QueryProgress,
  type StatementKind,
} from "./engine.js";
export type { JsonValue, QueryResult, ResultColumn } from "./query-result.js";
export { formatResult, RESULT_FORMATS, toRowObjects, type ResultFormat } from "./format.js";
export { QueryCancelledError, SqlError, type SqlPosition } from "./sql-error.js";
export type { PartitionInfo, TableColumn, TableInfo } from "./table-registry.js";
export { KPI_VIEWS, type KpiView } from "./views.js";
export {
  QueryService,
  type ExecutionList,
  type NamedQueryList,
  type PageOptions,
  type PartitionList,
  type QueryServiceOptions,
  type ResultPage,
  type SubmitQueryInput,
} from "./query-service.js";
export { isFinished, QUERY_STATES, type QueryError, type QueryExecution, type QueryState, type QueryStatistics } from "./query-execution.js";
export { NamedQueryStore, type NamedQuery, type NamedQueryInput } from "./named-queries.js";
export { registerQueryRoutes } from "./routes.js";
export { analyticsConfigSchema, DEFAULT_ANALYTICS_CONFIG, type AnalyticsConfig } from "./config.js";
