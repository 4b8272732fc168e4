// Public surface of analytics: DuckDB SQL over the Parquet lake, and rendering of results.
export { AnalyticsEngine, openAnalytics, type AnalyticsOptions } from "./engine.js";
export type { JsonValue, QueryResult, ResultColumn } from "./query-result.js";
export { formatResult, RESULT_FORMATS, toRowObjects, type ResultFormat } from "./format.js";
