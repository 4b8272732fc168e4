// The query service's lifecycle, as an Athena client sees it: QUEUED → RUNNING → SUCCEEDED | FAILED |
// CANCELLED with times and statistics, paged results with column types, cancel, the history, throttling,
// idempotent submission, named queries.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { ConflictError, NotFoundError, ThrottledError, ValidationError } from "../errors/index.js";
import { tempDir } from "../test-support/temp-dir.js";
import { openAnalytics } from "./index.js";
import { NamedQueryStore } from "./named-queries.js";
import { QueryService, type QueryServiceOptions } from "./query-service.js";
import { writeSampleShop } from "./test-lake.js";

/** A query that runs until it is stopped. */
const ENDLESS = "SELECT count(*) FROM range(100000000000) t(x) WHERE x % 7 = 3";

async function openService(t: TestContext, options: Partial<QueryServiceOptions> & { maxConcurrentQueries?: number } = {}): Promise<QueryService> {
  const dir = tempDir(t, "shopstream-queries-");
  const lakeDir = join(dir, "lake");
  await writeSampleShop(lakeDir);
  const engine = await openAnalytics({ lakeDir, maxConcurrentQueries: options.maxConcurrentQueries ?? 2 });
  const service = new QueryService({ engine, namedQueries: new NamedQueryStore(join(dir, "named-queries.json")), ...options });
  t.after(async () => {
    await service.close();
    await engine.close();
  });
  return service;
}

async function waitForState(service: QueryService, id: string, state: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (service.get(id).state !== state) {
    if (Date.now() > deadline) throw new Error(`query ${id} never reached ${state}; it is ${service.get(id).state}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("query service", () => {
  it("runs a query through QUEUED, RUNNING and SUCCEEDED, with its times and statistics", async (t) => {
    const finishedStates: string[] = [];
    const service = await openService(t, { onQueryFinished: (execution) => finishedStates.push(execution.state) });
    const submitted = service.submit({ sql: "SELECT dt, orders, revenue FROM daily_sales ORDER BY dt" });
    assert.match(submitted.queryExecutionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(submitted.state, "QUEUED");
    assert.equal(submitted.statementType, "DML");
    const done = await service.waitUntilFinished(submitted.queryExecutionId);
    assert.equal(done.state, "SUCCEEDED");
    assert.equal(done.resultsAvailable, true);
    assert.ok(Date.parse(done.submittedAt) <= Date.parse(done.startedAt!) && Date.parse(done.startedAt!) <= Date.parse(done.completedAt!));
    assert.equal(done.statistics.resultRowCount, 2);
    for (const key of ["queueTimeMs", "engineExecutionTimeMs", "totalExecutionTimeMs"] as const) assert.ok(done.statistics[key]! >= 0, key);
    assert.deepEqual(service.results(submitted.queryExecutionId), {
      queryExecutionId: submitted.queryExecutionId,
      columns: [
        { name: "dt", type: "DATE" },
        { name: "orders", type: "BIGINT" },
        { name: "revenue", type: "DECIMAL(38,4)" },
      ],
      rows: [
        ["2026-01-05", 3, 60],
        ["2026-01-06", 1, 50],
      ],
      rowCount: 2,
    });
    assert.deepEqual(finishedStates, ["SUCCEEDED"]);
  });

  it("pages results with nextToken, bound to their query", async (t) => {
    const service = await openService(t);
    const { queryExecutionId } = service.submit({ sql: "SELECT x FROM range(2500) t(x) ORDER BY x" });
    await service.waitUntilFinished(queryExecutionId);
    const first = service.results(queryExecutionId);
    assert.equal(first.rows.length, 1000);
    const second = service.results(queryExecutionId, { nextToken: first.nextToken! });
    const third = service.results(queryExecutionId, { nextToken: second.nextToken!, maxResults: 1000 });
    assert.deepEqual([second.rows[0], third.rows.length, third.nextToken], [[1000], 500, undefined]);
    const small = service.results(queryExecutionId, { maxResults: 2 });
    assert.deepEqual(small.rows, [[0], [1]]);
    assert.throws(() => service.results(queryExecutionId, { maxResults: 1001 }), ValidationError);
    const other = service.submit({ sql: "SELECT 1" });
    await service.waitUntilFinished(other.queryExecutionId);
    assert.throws(() => service.results(other.queryExecutionId, { nextToken: first.nextToken! }), /not a token this listing gave out/);
  });

  it("fails a query with DuckDB's message and the position it points at", async (t) => {
    const service = await openService(t);
    const { queryExecutionId } = service.submit({ sql: "SELECT dt,\n  revenu FROM daily_sales" });
    const failed = await service.waitUntilFinished(queryExecutionId);
    assert.equal(failed.state, "FAILED");
    assert.equal(failed.error?.code, "invalid_query");
    assert.equal(failed.error?.errorType, "Binder");
    assert.match(failed.error!.message, /^Binder Error: Referenced column "revenu" not found.*Did you mean "revenue"|Candidate bindings: .*"revenue"/);
    assert.deepEqual(failed.error?.position, { offset: 13, line: 2, column: 3 });
    assert.equal(failed.stateChangeReason, failed.error?.message);
    assert.throws(() => service.results(queryExecutionId), ConflictError);
    const refused = await service.waitUntilFinished(service.submit({ sql: "COPY orders TO 'x.csv'" }).queryExecutionId);
    assert.deepEqual([refused.state, refused.error?.code], ["FAILED", "statement_not_allowed"]);
  });

  it("cancels a running query, and a queued one, each ending CANCELLED", async (t) => {
    const service = await openService(t, { maxConcurrentQueries: 1 });
    const running = service.submit({ sql: ENDLESS });
    await waitForState(service, running.queryExecutionId, "RUNNING");
    const queued = service.submit({ sql: "SELECT 1" });
    assert.equal(service.get(queued.queryExecutionId).state, "QUEUED");
    const cancelledQueued = await service.cancel(queued.queryExecutionId);
    assert.equal(cancelledQueued.state, "CANCELLED");
    assert.equal(cancelledQueued.startedAt, undefined);
    const cancelled = await service.cancel(running.queryExecutionId);
    assert.equal(cancelled.state, "CANCELLED");
    assert.equal(cancelled.stateChangeReason, "cancelled by the user");
    assert.ok(cancelled.completedAt);
    assert.throws(() => service.results(running.queryExecutionId), /CANCELLED; it has no results/);
    // Cancelling a finished query leaves it as it is.
    const after = service.submit({ sql: "SELECT 2" });
    await service.waitUntilFinished(after.queryExecutionId);
    assert.equal((await service.cancel(after.queryExecutionId)).state, "SUCCEEDED");
  });

  it("fails a query that runs past the timeout", async (t) => {
    const service = await openService(t, { queryTimeoutMs: 200 });
    const timedOut = await service.waitUntilFinished(service.submit({ sql: ENDLESS }).queryExecutionId);
    assert.equal(timedOut.state, "FAILED");
    assert.equal(timedOut.error?.code, "query_timeout");
  });

  it("throttles submissions when the queue is full, and refuses results over the row limit", async (t) => {
    const service = await openService(t, { maxConcurrentQueries: 1, maxQueuedQueries: 1, maxResultRows: 10 });
    const running = service.submit({ sql: ENDLESS });
    await waitForState(service, running.queryExecutionId, "RUNNING");
    const queued = service.submit({ sql: "SELECT * FROM range(11)" });
    assert.throws(() => service.submit({ sql: "SELECT 1" }), ThrottledError);
    await service.cancel(running.queryExecutionId);
    const tooLarge = await service.waitUntilFinished(queued.queryExecutionId);
    assert.deepEqual([tooLarge.state, tooLarge.error?.code], ["FAILED", "result_too_large"]);
  });

  it("lists the history newest first, by state, a page at a time", async (t) => {
    const service = await openService(t);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(service.submit({ sql: `SELECT ${i}` }).queryExecutionId);
    const failed = service.submit({ sql: "SELECT nope" }).queryExecutionId;
    for (const id of [...ids, failed]) await service.waitUntilFinished(id);
    const page1 = service.list({ maxResults: 4 });
    assert.deepEqual(page1.queryExecutions.map((execution) => execution.queryExecutionId), [failed, ids[4], ids[3], ids[2]]);
    service.submit({ sql: "SELECT 99" });
    const page2 = service.list({ maxResults: 4, nextToken: page1.nextToken! });
    assert.deepEqual(page2.queryExecutions.map((execution) => execution.queryExecutionId), [ids[1], ids[0]], "a new query does not shift the pages");
    assert.equal(page2.nextToken, undefined);
    assert.deepEqual(service.list({ state: "FAILED" }).queryExecutions.map((execution) => execution.queryExecutionId), [failed]);
  });

  it("keeps the history and the results it holds within their limits", async (t) => {
    const service = await openService(t, { maxHistory: 3, maxResultRows: 10, maxStoredResultRows: 20 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = service.submit({ sql: "SELECT * FROM range(10)" }).queryExecutionId;
      await service.waitUntilFinished(id);
      ids.push(id);
    }
    assert.throws(() => service.get(ids[0]!), NotFoundError);
    assert.deepEqual(
      ids.slice(1).map((id) => service.get(id).resultsAvailable),
      [false, true, true],
      "the oldest results go first; their executions stay",
    );
    assert.throws(() => service.results(ids[1]!), /were dropped to keep memory bounded/);
  });

  it("returns the same execution for the same client request token", async (t) => {
    const service = await openService(t);
    const first = service.submit({ sql: "SELECT 1", clientRequestToken: "dashboard-refresh-1" });
    const again = service.submit({ sql: "SELECT 1", clientRequestToken: "dashboard-refresh-1" });
    assert.equal(again.queryExecutionId, first.queryExecutionId);
    assert.notEqual(service.submit({ sql: "SELECT 1", clientRequestToken: "dashboard-refresh-2" }).queryExecutionId, first.queryExecutionId);
  });

  it("saves named queries, runs one by id, and refuses a submission with neither or both", async (t) => {
    const service = await openService(t);
    const saved = service.createNamedQuery({ name: "low stock", description: "for the planner", sql: "SELECT count(*) FROM low_stock" });
    assert.deepEqual(service.getNamedQuery(saved.namedQueryId), saved);
    assert.deepEqual(service.listNamedQueries().namedQueries, [saved]);
    const run = await service.waitUntilFinished(service.submit({ namedQueryId: saved.namedQueryId }).queryExecutionId);
    assert.equal(run.namedQueryId, saved.namedQueryId);
    assert.deepEqual(service.results(run.queryExecutionId).rows, [[2]]);
    assert.throws(() => service.submit({}), /either sql or namedQueryId/);
    assert.throws(() => service.submit({ sql: "SELECT 1", namedQueryId: saved.namedQueryId }), /either sql or namedQueryId/);
    assert.throws(() => service.submit({ sql: "  " }), /empty/);
    service.deleteNamedQuery(saved.namedQueryId);
    assert.throws(() => service.getNamedQuery(saved.namedQueryId), NotFoundError);
    assert.throws(() => service.submit({ namedQueryId: saved.namedQueryId }), NotFoundError);
  });

  it("records a CTAS as DDL with the rows it wrote, and pages table partitions", async (t) => {
    const service = await openService(t);
    const ctas = await service.waitUntilFinished(
      service.submit({ sql: "CREATE TABLE day_orders WITH (partitioned_by = ARRAY['dt']) AS SELECT order_id, dt FROM orders" }).queryExecutionId,
    );
    assert.deepEqual([ctas.state, ctas.statementType, ctas.table, ctas.statistics.resultRowCount], ["SUCCEEDED", "DDL", "day_orders", 4]);
    const page = await service.partitions("day_orders", { maxResults: 1 });
    assert.deepEqual(page.partitions, [{ values: { dt: "2026-01-05" }, location: "ctas/day_orders/dt=2026-01-05/" }]);
    const rest = await service.partitions("day_orders", { nextToken: page.nextToken! });
    assert.deepEqual([rest.partitions.length, rest.nextToken], [1, undefined]);
  });
});
