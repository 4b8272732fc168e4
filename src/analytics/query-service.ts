// The query service: Athena's query lifecycle over the analytics engine. A submitted statement gets an id
// at once and runs in the background (QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED); its results are
// kept in memory, within limits, and read back in pages with column types. Queries can be cancelled,
// time out, and are listed newest first; named queries are saved with the service. It knows nothing of
// HTTP or of AWS's wire format: routes.ts and, later, the Athena facade are thin layers over it.
import { randomUUID } from "node:crypto";
import { ConflictError, NotFoundError, ShopstreamError, ThrottledError, ValidationError } from "../errors/index.js";
import { statementKindOf, type AnalyticsEngine } from "./engine.js";
import type { NamedQuery, NamedQueryInput, NamedQueryStore } from "./named-queries.js";
import { NAMED_QUERY_LIMITS } from "./named-queries.js";
import { decodePageToken, encodePageToken, pageOf, pageSize } from "./page-token.js";
import { isFinished, type QueryError, type QueryExecution, type QueryState } from "./query-execution.js";
import type { JsonValue, QueryResult, ResultColumn } from "./query-result.js";
import { componentLogger } from "../monitor/index.js";
import { QueryCancelledError, SqlError } from "./sql-error.js";
import type { PartitionInfo, TableInfo } from "./table-registry.js";

export interface QueryServiceOptions {
  engine: AnalyticsEngine;
  namedQueries: NamedQueryStore;
  /** queries waiting for a connection; a submission beyond this is throttled (429); default 100 */
  maxQueuedQueries?: number;
  /** rows one result may hold; a bigger result fails with result_too_large; default 100,000 */
  maxResultRows?: number;
  /** result rows kept over all executions; past it the oldest results are dropped; default 1,000,000 */
  maxStoredResultRows?: number;
  /** finished executions kept in the history; default 1,000 */
  maxHistory?: number;
  /** a query still running after this long is stopped and fails; default 30 minutes, Athena's default */
  queryTimeoutMs?: number;
  /** told of every query that finishes, in whatever state: for metrics and logs */
  onQueryFinished?: (execution: QueryExecution) => void;
}

export interface SubmitQueryInput {
  /** the statement; or namedQueryId to run a saved one */
  sql?: string;
  namedQueryId?: string;
  /** the same token returns the same execution instead of starting another (Athena's ClientRequestToken) */
  clientRequestToken?: string;
}

export interface PageOptions {
  maxResults?: number;
  nextToken?: string;
}

export interface ResultPage {
  queryExecutionId: string;
  columns: ResultColumn[];
  rows: JsonValue[][];
  /** rows in the whole result */
  rowCount: number;
  /** absent on the last page */
  nextToken?: string;
}

export interface ExecutionList {
  queryExecutions: QueryExecution[];
  nextToken?: string;
}

export interface PartitionList {
  table: string;
  partitions: PartitionInfo[];
  nextToken?: string;
}

export interface NamedQueryList {
  namedQueries: NamedQuery[];
  nextToken?: string;
}

const log = componentLogger("analytics");

/** Athena's limits: 1,000 rows a page, 50 executions a listing. */
export const MAX_RESULTS_PER_PAGE = 1000;
export const MAX_EXECUTIONS_PER_PAGE = 50;
export const MAX_PARTITIONS_PER_PAGE = 1000;

interface Tracked {
  /** submission order: history pages by it */
  sequence: number;
  execution: QueryExecution;
  controller: AbortController;
  /** why the query was stopped, once it was */
  stopReason?: "cancel" | "timeout" | "shutdown";
  result?: QueryResult;
  finished: Promise<void>;
  clientRequestToken?: string;
}

export class QueryService {
  private readonly engine: AnalyticsEngine;
  private readonly namedQueries: NamedQueryStore;
  private readonly maxQueuedQueries: number;
  private readonly maxResultRows: number;
  private readonly maxStoredResultRows: number;
  private readonly maxHistory: number;
  private readonly queryTimeoutMs: number;
  private readonly onQueryFinished: ((execution: QueryExecution) => void) | undefined;
  /** every execution still in the history, oldest first */
  private readonly executions = new Map<string, Tracked>();
  private readonly byClientToken = new Map<string, string>();
  private sequence = 0;
  private queued = 0;
  private storedResultRows = 0;
  private closed = false;

  constructor(options: QueryServiceOptions) {
    this.engine = options.engine;
    this.namedQueries = options.namedQueries;
    this.maxQueuedQueries = options.maxQueuedQueries ?? 100;
    this.maxResultRows = options.maxResultRows ?? 100_000;
    this.maxStoredResultRows = Math.max(options.maxStoredResultRows ?? 1_000_000, this.maxResultRows);
    this.maxHistory = options.maxHistory ?? 1000;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 30 * 60_000;
    this.onQueryFinished = options.onQueryFinished;
  }

  /** Starts a query and returns its execution, QUEUED; it runs in the background. */
  submit(input: SubmitQueryInput): QueryExecution {
    if (this.closed) throw new ConflictError("the query service is stopping");
    const token = input.clientRequestToken;
    if (token !== undefined) {
      if (token.length < 1 || token.length > 128) throw new ValidationError("clientRequestToken must be 1 to 128 characters", "invalid_request");
      const existing = this.byClientToken.get(token);
      const tracked = existing === undefined ? undefined : this.executions.get(existing);
      if (tracked) return snapshot(tracked);
    }
    const sql = this.statementOf(input);
    if (this.queued >= this.maxQueuedQueries) {
      throw new ThrottledError(`${this.queued} queries are waiting to run; try again shortly`, 1000);
    }
    const execution: QueryExecution = {
      queryExecutionId: randomUUID(),
      sql,
      statementType: statementKindOf(sql),
      state: "QUEUED",
      submittedAt: new Date().toISOString(),
      statistics: {},
      ...(input.namedQueryId !== undefined && { namedQueryId: input.namedQueryId }),
    };
    const tracked: Tracked = { sequence: ++this.sequence, execution, controller: new AbortController(), finished: Promise.resolve() };
    if (token !== undefined) {
      tracked.clientRequestToken = token;
      this.byClientToken.set(token, execution.queryExecutionId);
    }
    this.executions.set(execution.queryExecutionId, tracked);
    this.queued++;
    tracked.finished = this.run(tracked);
    this.trimHistory();
    return snapshot(tracked);
  }

  get(queryExecutionId: string): QueryExecution {
    return snapshot(this.tracked(queryExecutionId));
  }

  /** Resolves once the query has finished (or `timeoutMs` passed), with its execution. */
  async waitUntilFinished(queryExecutionId: string, timeoutMs = Infinity): Promise<QueryExecution> {
    const tracked = this.tracked(queryExecutionId);
    if (!isFinished(tracked.execution.state)) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        tracked.finished,
        ...(Number.isFinite(timeoutMs) ? [new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))] : []),
      ]);
      clearTimeout(timer);
    }
    return snapshot(tracked);
  }

  /** One page of a SUCCEEDED query's rows, with the column names and types. */
  results(queryExecutionId: string, options: PageOptions = {}): ResultPage {
    const tracked = this.tracked(queryExecutionId);
    const { state } = tracked.execution;
    if (state !== "SUCCEEDED") {
      throw new ConflictError(
        isFinished(state) ? `query ${queryExecutionId} ${state}; it has no results` : `query ${queryExecutionId} is ${state}; its results come once it SUCCEEDED`,
        "query_not_succeeded",
      );
    }
    if (!tracked.result) {
      throw new NotFoundError(`the results of query ${queryExecutionId} were dropped to keep memory bounded; run it again`, "results_expired");
    }
    const { columns, rows } = tracked.result;
    const page = pageOf(rows, queryExecutionId, options, MAX_RESULTS_PER_PAGE);
    return { queryExecutionId, columns, rows: page.items, rowCount: rows.length, ...(page.nextToken && { nextToken: page.nextToken }) };
  }

  /** Stops a query that is queued or running and resolves once it is CANCELLED; a finished one is left as it is. */
  async cancel(queryExecutionId: string): Promise<QueryExecution> {
    const tracked = this.tracked(queryExecutionId);
    if (!isFinished(tracked.execution.state)) {
      tracked.stopReason ??= "cancel";
      tracked.controller.abort();
      await tracked.finished;
    }
    return snapshot(tracked);
  }

  /** The history, newest first, optionally of one state. */
  list(options: PageOptions & { state?: QueryState } = {}): ExecutionList {
    const limit = pageSize(options.maxResults, MAX_EXECUTIONS_PER_PAGE, MAX_EXECUTIONS_PER_PAGE);
    // The token holds the sequence number to continue below, so new submissions do not shift pages.
    const below = options.nextToken === undefined ? Infinity : decodePageToken("executions", options.nextToken);
    const matching = [...this.executions.values()]
      .reverse()
      .filter((tracked) => tracked.sequence < below && (options.state === undefined || tracked.execution.state === options.state));
    const page = matching.slice(0, limit);
    const last = page.at(-1);
    return {
      queryExecutions: page.map(snapshot),
      ...(matching.length > limit && last && { nextToken: encodePageToken("executions", last.sequence) }),
    };
  }

  createNamedQuery(input: NamedQueryInput): NamedQuery {
    return this.namedQueries.create(input);
  }

  getNamedQuery(namedQueryId: string): NamedQuery {
    return this.namedQueries.get(namedQueryId);
  }

  listNamedQueries(options: PageOptions = {}): NamedQueryList {
    const page = pageOf(this.namedQueries.list(), "named-queries", options, MAX_EXECUTIONS_PER_PAGE);
    return { namedQueries: page.items, ...(page.nextToken && { nextToken: page.nextToken }) };
  }

  deleteNamedQuery(namedQueryId: string): void {
    this.namedQueries.delete(namedQueryId);
  }

  /** The catalog: lake tables, KPI views and CTAS tables, with their columns. */
  tables(): Promise<TableInfo[]> {
    return this.engine.tables();
  }

  table(name: string): Promise<TableInfo> {
    return this.engine.table(name);
  }

  /** The partitions of a table that hold files, in key order, a page at a time (Athena's GetPartitions). */
  async partitions(table: string, options: PageOptions = {}): Promise<PartitionList> {
    const page = pageOf(await this.engine.partitions(table), `partitions:${table}`, options, MAX_PARTITIONS_PER_PAGE);
    return { table, partitions: page.items, ...(page.nextToken && { nextToken: page.nextToken }) };
  }

  /** Refuses new queries, cancels those queued or running, and waits for them. Does not close the engine. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.executions.values()].filter((tracked) => !isFinished(tracked.execution.state));
    for (const tracked of pending) {
      tracked.stopReason ??= "shutdown";
      tracked.controller.abort();
    }
    await Promise.all(pending.map((tracked) => tracked.finished));
  }

  private statementOf(input: SubmitQueryInput): string {
    if ((input.sql === undefined) === (input.namedQueryId === undefined)) {
      throw new ValidationError("give either sql or namedQueryId", "invalid_request");
    }
    const sql = input.sql ?? this.namedQueries.get(input.namedQueryId!).sql;
    if (typeof sql !== "string" || sql.trim() === "") throw new ValidationError("the query is empty", "invalid_query");
    if (sql.length > NAMED_QUERY_LIMITS.sqlChars) {
      throw new ValidationError(`the query is longer than ${NAMED_QUERY_LIMITS.sqlChars} characters`, "invalid_query");
    }
    return sql;
  }

  private tracked(queryExecutionId: string): Tracked {
    const tracked = this.executions.get(queryExecutionId);
    if (!tracked) throw new NotFoundError(`no query execution ${queryExecutionId}`, "query_not_found");
    return tracked;
  }

  private async run(tracked: Tracked): Promise<void> {
    const { execution, controller } = tracked;
    const submittedMs = Date.parse(execution.submittedAt);
    let startedMs: number | undefined;
    const leaveQueue = () => {
      if (execution.state !== "QUEUED") return;
      this.queued--;
      execution.state = "RUNNING";
    };
    const timeout = setTimeout(() => {
      tracked.stopReason ??= "timeout";
      controller.abort();
    }, this.queryTimeoutMs);
    try {
      const result = await this.engine.execute(execution.sql, {
        signal: controller.signal,
        maxRows: this.maxResultRows,
        onStart: () => {
          startedMs = Date.now();
          execution.startedAt = new Date(startedMs).toISOString();
          execution.statistics.queueTimeMs = startedMs - submittedMs;
          leaveQueue();
        },
      });
      execution.statementType = result.statementKind;
      if (result.table !== undefined) execution.table = result.table;
      // A CTAS reports the rows it wrote, as its one result row says.
      execution.statistics.resultRowCount = result.table !== undefined && result.rows.length === 1 ? Number(result.rows[0]![0]) : result.rows.length;
      tracked.result = { columns: result.columns, rows: result.rows };
      this.storedResultRows += result.rows.length;
      this.finish(tracked, "SUCCEEDED");
    } catch (error) {
      if (controller.signal.aborted && (error instanceof QueryCancelledError || tracked.stopReason !== undefined)) {
        if (tracked.stopReason === "timeout") {
          const message = `the query ran longer than ${this.queryTimeoutMs} ms and was stopped`;
          this.finish(tracked, "FAILED", { code: "query_timeout", message });
        } else {
          this.finish(tracked, "CANCELLED", undefined, tracked.stopReason === "shutdown" ? "the server stopped" : "cancelled by the user");
        }
      } else {
        this.finish(tracked, "FAILED", queryError(error));
      }
    } finally {
      clearTimeout(timeout);
      const completedMs = Date.parse(execution.completedAt ?? new Date().toISOString());
      execution.statistics.totalExecutionTimeMs = completedMs - submittedMs;
      if (startedMs !== undefined) execution.statistics.engineExecutionTimeMs = completedMs - startedMs;
      this.evictResults();
      try {
        this.onQueryFinished?.(snapshot(tracked));
      } catch (error) {
        log.warn({ err: error }, "onQueryFinished failed");
      }
    }
  }

  private finish(tracked: Tracked, state: QueryState, error?: QueryError, reason?: string): void {
    const { execution } = tracked;
    if (execution.state === "QUEUED") this.queued--;
    execution.state = state;
    execution.completedAt = new Date().toISOString();
    if (error) {
      execution.error = error;
      execution.stateChangeReason = error.message;
    } else if (reason) {
      execution.stateChangeReason = reason;
    }
  }

  /** Drops the oldest results while more rows than allowed are held; their executions stay listed. */
  private evictResults(): void {
    for (const tracked of this.executions.values()) {
      if (this.storedResultRows <= this.maxStoredResultRows) return;
      if (!tracked.result) continue;
      this.storedResultRows -= tracked.result.rows.length;
      delete tracked.result;
    }
  }

  /** Forgets the oldest finished executions beyond maxHistory; queued and running ones always stay. */
  private trimHistory(): void {
    let excess = this.executions.size - this.maxHistory;
    for (const [id, tracked] of this.executions) {
      if (excess <= 0) return;
      if (!isFinished(tracked.execution.state)) continue;
      this.executions.delete(id);
      if (tracked.result) this.storedResultRows -= tracked.result.rows.length;
      if (tracked.clientRequestToken !== undefined) this.byClientToken.delete(tracked.clientRequestToken);
      excess--;
    }
  }
}

/** A copy the caller may keep: the service goes on updating its own. */
function snapshot(tracked: Tracked): QueryExecution {
  const execution = structuredClone(tracked.execution);
  if (execution.state === "SUCCEEDED") execution.resultsAvailable = tracked.result !== undefined;
  return execution;
}

function queryError(error: unknown): QueryError {
  if (error instanceof SqlError) {
    return { code: error.code, message: error.message, errorType: error.errorType, ...(error.position && { position: error.position }) };
  }
  if (error instanceof ShopstreamError) return { code: error.code, message: error.message };
  // Not the query's fault (a disk error while CTAS writes, say): logged in full, reported without internals.
  log.error({ err: error }, "query failed on an internal error");
  return { code: "internal_error", message: "internal error; see the server log" };
}
