// A query execution as the query service reports it, in Athena's terms and lifecycle: QUEUED while it
// waits for a connection, RUNNING, then SUCCEEDED, FAILED or CANCELLED, with its times and statistics.
// Protocol-neutral: the HTTP routes send it as it is, and an AWS Athena facade maps it field by field.
import type { StatementKind } from "./engine.js";
import type { SqlPosition } from "./sql-error.js";

export type QueryState = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

export const QUERY_STATES: readonly QueryState[] = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"];

export function isFinished(state: QueryState): boolean {
  return state === "SUCCEEDED" || state === "FAILED" || state === "CANCELLED";
}

export interface QueryError {
  /** machine-readable: invalid_query, statement_not_allowed, result_too_large, query_timeout, … */
  code: string;
  message: string;
  /** DuckDB's error class for SQL errors: Parser, Binder, Catalog, Conversion, Permission, … */
  errorType?: string;
  /** where in the query DuckDB points, when it does */
  position?: SqlPosition;
}

export interface QueryStatistics {
  /** time spent waiting for a connection */
  queueTimeMs?: number;
  /** time DuckDB spent on it */
  engineExecutionTimeMs?: number;
  /** submission to completion */
  totalExecutionTimeMs?: number;
  /** rows in the result (for CTAS: rows written) */
  resultRowCount?: number;
}

export interface QueryExecution {
  /** a UUID, as Athena's QueryExecutionId */
  queryExecutionId: string;
  sql: string;
  statementType: StatementKind;
  state: QueryState;
  /** why it failed or was cancelled, in words */
  stateChangeReason?: string;
  error?: QueryError;
  /** ISO 8601 */
  submittedAt: string;
  startedAt?: string;
  completedAt?: string;
  statistics: QueryStatistics;
  /** the saved query it was started from */
  namedQueryId?: string;
  /** the table a CREATE TABLE … AS made or a DROP TABLE dropped */
  table?: string;
  /** false once the results were evicted to keep memory bounded (the execution stays in the history) */
  resultsAvailable?: boolean;
}
